/**
 * Reads a file too large to hold as one string in overlapping chunks (issue 19). V8 strings stop at ~512 MiB and
 * Buffers at 2 GiB, so a text file above `CHUNK_BYTES` — possible with a raised --max-file-size — is read region by
 * region: each TextItem holds one region plus a lead-in (from the first line start in the OVERLAP bytes before it)
 * and a tail (the OVERLAP bytes after it). Only findings that start inside the region are kept (TextItem.chunk), so
 * a match straddling a seam is found once, by the chunk it starts in, and the near-word context around a match is
 * still in reach. Line and column numbers are those of the whole file (a line longer than a chunk included).
 */
import { open } from "node:fs/promises";
import { describeCause, type ProblemCode } from "../errors.js";
import { decodeBytes } from "../engine/decode-bytes.js";
import type { ProblemItem, TextItem } from "./types.js";

/** Files larger than this are read in chunks (smaller ones are read whole, as before issue 19). */
export const CHUNK_THRESHOLD = 64 * 1024 * 1024;
/** The size of each chunk of a file over the threshold. */
export const CHUNK_BYTES = 16 * 1024 * 1024;
/** Bytes of lead-in and tail around each chunk: longer than any bounded match and its near-word radius. */
export const CHUNK_OVERLAP = 64 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: false });

function countNewlines(buf: Uint8Array): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

export interface ChunkOptions {
  path: string | Uint8Array;
  shown: string;
  openFlags: number;
  /** Test hook: smaller chunks and overlap. */
  chunkBytes?: number;
  overlap?: number;
}

/** The chunks of one large file, read in order with bounded memory (one chunk and its overlaps at a time). */
export async function* readChunks(options: ChunkOptions): AsyncGenerator<TextItem | ProblemItem> {
  const size = options.chunkBytes ?? CHUNK_BYTES;
  const overlap = options.overlap ?? CHUNK_OVERLAP;
  const problem = (code: ProblemCode, message: string, skipped: boolean): ProblemItem => ({ type: "problem", path: options.shown, code, message, skipped });
  let handle;
  try {
    handle = await open(typeof options.path === "string" ? options.path : Buffer.from(options.path), options.openFlags);
  } catch (err) {
    yield problem("E_READ", `cannot be read (${describeCause(err)})`, false);
    return;
  }
  try {
    const total = (await handle.stat()).size;
    const readAt = async (from: number, length: number): Promise<Buffer> => {
      const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, total - from)));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, from + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    };
    const head = await readAt(0, Math.min(total, 8000));
    const sniff = decodeBytes(head);
    if (!sniff.ok) {
      yield problem(sniff.code, sniff.message, true);
      return;
    }
    if (head.length >= 2 && (head[0] === 0xff || head[0] === 0xfe || (head[0] === 0 && head[1] === 0))) {
      yield problem("E_TOO_LARGE", `a UTF-16/UTF-32 file of ${total} bytes is over the ${size}-byte limit for wide encodings; skipped`, true);
      return;
    }
    let linesBefore = 0; // newlines before `start`
    let lineChars = 0; // UTF-16 units from the last newline before `start` to `start`
    for (let start = 0, index = 0; start < total; start += size, index++) {
      const end = Math.min(total, start + size);
      const leadFrom = Math.max(0, start - overlap);
      const leadBytes = await readAt(leadFrom, start - leadFrom);
      // Start the lead-in at a line start when there is one, so line and column counting stay exact.
      const nl = start === 0 ? -1 : leadBytes.indexOf(10);
      const lead = nl === -1 ? leadBytes : leadBytes.subarray(nl + 1);
      const main = await readAt(start, end - start);
      const tail = await readAt(end, overlap);
      const leadText = utf8.decode(lead);
      const mainText = utf8.decode(main);
      const text = leadText + mainText + utf8.decode(tail);
      const leadLines = countNewlines(lead);
      // A lead-in with no line start in it begins mid-line: its first line's columns continue from earlier chunks.
      const columnOffset = start > 0 && nl === -1 ? lineChars - leadText.length : 0;
      yield {
        type: "text",
        provenance: { kind: "file", path: options.shown },
        text,
        bytes: main.length,
        chunk: { index, lineOffset: linesBefore - leadLines, columnOffset, keepFrom: leadText.length, keepTo: leadText.length + mainText.length },
      };
      linesBefore += countNewlines(main);
      const lastNl = mainText.lastIndexOf("\n");
      lineChars = lastNl === -1 ? lineChars + mainText.length : mainText.length - lastNl - 1;
      if (main.length < end - start) break; // the file shrank while being read
    }
  } catch (err) {
    yield problem("E_READ", `cannot be read (${describeCause(err)})`, false);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
