/**
 * Turns raw bytes into text to scan, or says why not. Binary files (a NUL byte in the first 8000 bytes, git's own
 * test) are skipped; UTF-16 and UTF-32 with a byte-order mark are decoded rather than mistaken for binary (UTF-32's
 * mark starts like UTF-16 LE's, so it is tested first: issue 19); invalid UTF-8 is
 * decoded with replacement characters so the valid parts are still scanned (a secret is ASCII). Shared by the
 * working tree, stdin and git sources and by the matcher core (scan-bytes.ts, which decodes deferred bytes where it
 * matches them), so they all treat bytes alike; here in the engine so that the engine imports nothing from sources.
 */
import { isAscii, isUtf8 } from "node:buffer";
import { decodeMostlyAscii } from "./mostly-ascii.js";
import { createUtf8Decoder, UTF8_WASM_MAX_BYTES } from "./utf8-wasm.js";

/** Bytes sniffed for a NUL (git's own binary test). */
export const BINARY_SNIFF_BYTES = 8000;

export type Decoded = { ok: true; text: string } | { ok: false; code: "E_BINARY"; message: string };

const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

const utf16le = new TextDecoder("utf-16le", { fatal: false });
const utf16be = new TextDecoder("utf-16be", { fatal: false });

/**
 * Valid UTF-8 with some non-ASCII, decoded in WebAssembly (utf8-wasm.ts), made once this many bytes of it were
 * decoded: as the keyword walk waits for its dense table, a pre-commit run of a few files never compiles the module
 * (issue 20's start-up). null: not made yet; undefined: no WebAssembly here (TextDecoder then).
 */
const WASM_UTF8_AFTER = 1 << 20;
let validUtf8: ((bytes: Uint8Array) => string) | null | undefined = null;
let nonAsciiBytes = 0;

/**
 * The longest ASCII read as Latin-1. Past ~1 MB Node makes the string external (its characters in memory outside V8's
 * heap, freed only when a collection finds the string dead), which heap-slack.ts's large-text collection does not
 * see: the planted bench tree's peak RSS rose 15-25 MB. TextDecoder's string is on V8's heap.
 */
const LATIN1_MAX_BYTES = 1 << 19;

/**
 * UTF-8 bytes as text, as TextDecoder decodes them (a leading byte-order mark dropped, invalid sequences as U+FFFD),
 * but faster on what trees hold (issue 16's A/B: TextDecoder was 12-14 % of a tree scan's CPU). ASCII files (57 % of
 * the bench tree's bytes) are read as Latin-1, a byte copy into a one-byte string (120 MB of the tree, Node 20, CPU:
 * 29-44 ms against 46-76 ms); valid UTF-8 with some non-ASCII, up to 256 KB, goes to utf8-wasm.ts (its header has
 * the figures, and why not longer texts); longer texts with a few non-ASCII characters are decoded in pieces
 * (mostly-ascii.ts, issue 21). Invalid UTF-8 stays with TextDecoder, whose replacement characters are the contract (a secret is ASCII; the valid
 * parts are still scanned). test/regression/issue-16-decode.test.ts compares all three with TextDecoder.
 */
function decodeUtf8(data: Uint8Array): string {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length > UTF8_WASM_MAX_BYTES + 3) {
    if (buf.length <= LATIN1_MAX_BYTES && isAscii(buf)) return buf.toString("latin1");
    // Past the WebAssembly decoder's bound: a text with a few non-ASCII characters in pieces (mostly-ascii.ts), any
    // other (ASCII past LATIN1_MAX_BYTES included) whole by TextDecoder.
    return decodeMostlyAscii(buf) ?? utf8.decode(data);
  }
  if (isAscii(buf)) return buf.toString("latin1");
  if (validUtf8 === null && (nonAsciiBytes += buf.length) > WASM_UTF8_AFTER) validUtf8 = createUtf8Decoder();
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  if (validUtf8 && buf.length - bom <= UTF8_WASM_MAX_BYTES && isUtf8(buf)) return validUtf8(buf.subarray(bom));
  return utf8.decode(data);
}

/** Whether the bytes start with a UTF-16 or UTF-32 byte-order mark (decoded, never sniffed as binary). */
export function hasWideBom(buf: Uint8Array): boolean {
  return buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff) || utf32Order(buf) !== undefined);
}

function utf32Order(buf: Uint8Array): "le" | "be" | undefined {
  if (buf.length < 4) return undefined;
  if (buf[0] === 0xff && buf[1] === 0xfe && buf[2] === 0 && buf[3] === 0) return "le";
  if (buf[0] === 0 && buf[1] === 0 && buf[2] === 0xfe && buf[3] === 0xff) return "be";
  return undefined;
}

/** UTF-32 (no TextDecoder for it): code points out of range or surrogates become U+FFFD, as for invalid UTF-8. */
function decodeUtf32(buf: Uint8Array, order: "le" | "be"): string {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let i = 4; i + 4 <= buf.length; i += 4) {
    const cp = view.getUint32(i, order === "le");
    chunk.push(cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0xfffd : cp);
    if (chunk.length === 8192) {
      parts.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
  }
  if (buf.length % 4 !== 0) chunk.push(0xfffd);
  parts.push(String.fromCodePoint(...chunk));
  return parts.join("");
}

export function decodeBytes(buf: Uint8Array): Decoded {
  const wide32 = utf32Order(buf);
  if (wide32) return { ok: true, text: decodeUtf32(buf, wide32) };
  if (buf.length >= 2) {
    if (buf[0] === 0xff && buf[1] === 0xfe) return { ok: true, text: utf16le.decode(buf.subarray(2)) };
    if (buf[0] === 0xfe && buf[1] === 0xff) return { ok: true, text: utf16be.decode(buf.subarray(2)) };
  }
  const sniff = buf.subarray(0, Math.min(buf.length, BINARY_SNIFF_BYTES));
  if (sniff.indexOf(0) !== -1) return { ok: false, code: "E_BINARY", message: "binary file (NUL byte in the first 8000 bytes); skipped" };
  return { ok: true, text: decodeUtf8(buf) };
}
