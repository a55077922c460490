/**
 * Long UTF-8 texts that are ASCII but for a few characters, decoded in pieces (decode-bytes.ts; issue 21). V8's UTF-8
 * decoder (TextDecoder, Buffer#toString) copies the ASCII before the first non-ASCII byte quickly and then takes every
 * byte after it on its slow path: the 1.5 GB bench history holds 1.03 GB of such texts (typescript.js and tsserver.js
 * of older releases: 5-54 non-ASCII characters in 7-10 MB, a `→` or a box-drawing character in a comment), decoded
 * at ~3.4 ms a MB, the largest single cost of `keyscan history` after git's. Here the ASCII stretches are read as
 * Latin-1 (a byte copy, ~0.12 ms a MB) and only the chunks that hold non-ASCII bytes go to TextDecoder; the pieces
 * are joined into one string (two-byte, as TextDecoder's). Measured on six such blobs (Node 20): 1.4-1.65 ms a MB
 * against 3.4-3.7, most of it the join's widening copy.
 *
 * The result is exactly TextDecoder's (test/regression/issue-21-decode-pieces.test.ts): a piece of TextDecoder's ends
 * only before a byte that is not a UTF-8 continuation byte, where the WHATWG decoder starts afresh anyway (an unfinished
 * sequence there is one U+FFFD whether the input ends or goes on), and only the first piece may drop a byte-order mark.
 */
import { isAscii } from "node:buffer";

/** Bytes looked at, and decoded, at a time: the smaller, the fewer ASCII bytes decoded on the slow path with a `→`. */
const CHUNK = 32 * 1024;
/**
 * The longest piece read as Latin-1: past ~1 MB Node makes the string external (freed only when a collection finds
 * it dead, unseen by heap-slack.ts's accounting); pieces are garbage as soon as they are joined.
 */
const LATIN1_PIECE = 512 * 1024;
/** Past this share of chunks holding non-ASCII, pieces gain nothing (a translated text): the caller decodes whole. */
const MAX_NON_ASCII_SHARE = 0.25;

const firstPiece = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
/** Later pieces keep a U+FEFF that happens to start them, as decoding the whole text would. */
const laterPiece = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * `buf` as TextDecoder("utf-8") would decode it, or undefined when it is not mostly ASCII (more than a quarter of its
 * chunks hold non-ASCII bytes; then decode it whole). ASCII-only input is returned undefined too: the caller has
 * cheaper ways for it.
 */
export function decodeMostlyAscii(buf: Buffer): string | undefined {
  const n = buf.length;
  const marked: number[] = [];
  for (let at = 0; at < n; at += CHUNK) if (!isAscii(buf.subarray(at, Math.min(n, at + CHUNK)))) marked.push(at);
  if (marked.length === 0 || marked.length * CHUNK > n * MAX_NON_ASCII_SHARE) return undefined;
  const pieces: string[] = [];
  let done = 0;
  const ascii = (to: number): void => {
    for (let a = done; a < to; a += LATIN1_PIECE) pieces.push(buf.toString("latin1", a, Math.min(to, a + LATIN1_PIECE)));
    done = to;
  };
  for (let k = 0; k < marked.length; k++) {
    const start = marked[k]!;
    let end = Math.min(n, start + CHUNK);
    // Runs of marked chunks are decoded as one piece, so a piece ends where the text does or an ASCII chunk begins:
    // before an ASCII byte, where the decoder starts afresh (a character across the edge marks both chunks).
    while (k + 1 < marked.length && marked[k + 1] === end) end = Math.min(n, marked[++k]! + CHUNK);
    ascii(start);
    pieces.push((start === 0 ? firstPiece : laterPiece).decode(buf.subarray(start, end)));
    done = end;
  }
  ascii(n);
  return pieces.length === 1 ? pieces[0]! : pieces.join("");
}
