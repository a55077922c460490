/**
 * Turns raw bytes into text to scan, or says why not. Binary files (a NUL byte in the first 8000 bytes, git's own
 * test) are skipped; UTF-16 with a byte-order mark is decoded rather than mistaken for binary; invalid UTF-8 is
 * decoded with replacement characters so the valid parts are still scanned (a secret is ASCII). Shared by the
 * working tree, stdin and git sources so they all treat bytes alike.
 */
const BINARY_SNIFF_BYTES = 8000;

export type Decoded = { ok: true; text: string } | { ok: false; code: "E_BINARY"; message: string };

const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
const utf16le = new TextDecoder("utf-16le", { fatal: false });
const utf16be = new TextDecoder("utf-16be", { fatal: false });

export function decodeBytes(buf: Uint8Array): Decoded {
  if (buf.length >= 2) {
    if (buf[0] === 0xff && buf[1] === 0xfe) return { ok: true, text: utf16le.decode(buf.subarray(2)) };
    if (buf[0] === 0xfe && buf[1] === 0xff) return { ok: true, text: utf16be.decode(buf.subarray(2)) };
  }
  const sniff = buf.subarray(0, Math.min(buf.length, BINARY_SNIFF_BYTES));
  if (sniff.indexOf(0) !== -1) return { ok: false, code: "E_BINARY", message: "binary file (NUL byte in the first 8000 bytes); skipped" };
  return { ok: true, text: utf8.decode(buf) };
}
