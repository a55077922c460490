// Issue 16 (the catalogue at no cost in speed): decodeBytes reads ASCII as Latin-1 and valid UTF-8 up to 256 KB in
// WebAssembly (utf8-wasm.ts) instead of TextDecoder (12-14 % of a tree scan's CPU). Its text must stay exactly TextDecoder's — a
// leading byte-order mark dropped, invalid sequences as U+FFFD — for every input, or offsets and findings would move.
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/engine/decode-bytes.js";
import { seededRandom } from "../../src/engine/template.js";
import { createUtf8Decoder, UTF8_WASM_MAX_BYTES } from "../../src/engine/utf8-wasm.js";

const reference = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
/** utf8-wasm.ts leaves a byte-order mark to its caller. */
const keepingMark = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Pieces of UTF-8, valid and not: ASCII, 2-, 3- and 4-byte characters, a byte-order mark, and the invalid kinds
// (a lone continuation byte, a truncated sequence, an overlong form, an encoded surrogate, a code point past U+10FFFF,
// bytes that never occur).
const PIECES: number[][] = [
  [0x61],
  [0x7a, 0x30, 0x2d],
  [0x0a],
  [0xc3, 0xa9],
  [0xe2, 0x82, 0xac],
  [0xef, 0xbb, 0xbf],
  [0xf0, 0x9f, 0x94, 0x91],
  [0x80],
  [0xe2, 0x82],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff],
  [0xfe],
];

function bytesOf(rand: () => number, pieces: number, validOnly: boolean): Uint8Array {
  const out: number[] = [];
  const usable = validOnly ? PIECES.slice(0, 7) : PIECES;
  for (let i = 0; i < pieces; i++) out.push(...usable[Math.floor(rand() * usable.length)]!);
  return Uint8Array.from(out);
}

const decoded = (bytes: Uint8Array): string => {
  const d = decodeBytes(bytes);
  if (!d.ok) throw new Error(d.message);
  return d.text;
};

describe("issue 16: decodeBytes decodes UTF-8 as TextDecoder does", () => {
  it("matches TextDecoder on random valid and invalid UTF-8, with and without a byte-order mark", () => {
    const rand = seededRandom("issue-16-decode");
    for (let n = 0; n < 3000; n++) {
      const validOnly = n % 2 === 0;
      let bytes = bytesOf(rand, 1 + Math.floor(rand() * 40), validOnly);
      // Not starting with FF FE or FE FF: those are UTF-16's marks, decoded as UTF-16 (the last test).
      if (bytes[0]! >= 0xfe) bytes = Uint8Array.from([0x20, ...bytes]);
      if (n % 5 === 0) bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]);
      expect(decoded(bytes), `case ${n}: ${Buffer.from(bytes).toString("hex")}`).toBe(reference.decode(bytes));
    }
  });

  it("matches on each path: empty, ASCII, valid non-ASCII, a lone byte-order mark, invalid; on a view into a larger buffer", () => {
    const cases = ["", "const key = 'abc';\n", "naïve = “quoted” 🔑\n", "\ufeff", "\ufeffx = 1"].map((s) => Buffer.from(s, "utf8"));
    cases.push(Buffer.from([0x61, 0xe2, 0x82, 0x62]), Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x61]));
    // ASCII over 512 KB (TextDecoder's on-heap string, not Latin-1's external one: decode-bytes.ts LATIN1_MAX_BYTES).
    cases.push(Buffer.alloc(600 * 1024, 0x61), Buffer.alloc(512 * 1024, 0x62));
    for (const bytes of cases) expect(decoded(bytes)).toBe(reference.decode(bytes));
    // A Uint8Array (not a Buffer) over part of a larger buffer, as the pool's transferred bytes are.
    const backing = new Uint8Array(64).fill(0x41);
    backing.set(Buffer.from("é=1", "utf8"), 10);
    const view = new Uint8Array(backing.buffer, 10, 8);
    expect(decoded(view)).toBe(reference.decode(view));
    // ASCII gives a one-byte string; it must not carry bytes past the view's end.
    expect(decoded(new Uint8Array(backing.buffer, 20, 4))).toBe("AAAA");
  });

  it("still skips binary and still decodes UTF-16 with its mark", () => {
    expect(decodeBytes(Uint8Array.from([0x61, 0, 0x62])).ok).toBe(false);
    expect(decoded(Uint8Array.from([0xff, 0xfe, 0x61, 0x00]))).toBe("a");
  });

  it("decodes valid UTF-8 in WebAssembly as TextDecoder does, up to its bound", () => {
    const rand = seededRandom("issue-16-decode-wasm");
    const decode = createUtf8Decoder()!;
    for (let n = 0; n < 600; n++) {
      const bytes = bytesOf(rand, 1 + Math.floor(rand() * 200), true);
      expect(decode(bytes), `case ${n}: ${Buffer.from(bytes).toString("hex")}`).toBe(keepingMark.decode(bytes));
    }
    // The whole range of code points (every one below U+0800, then a sample), in inputs up to the bound.
    const all: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x800 ? 1 : 37) if (cp < 0xd800 || cp > 0xdfff) all.push(String.fromCodePoint(cp));
    const bytes = Buffer.from(all.join(""), "utf8");
    for (let at = 0; at < bytes.length; ) {
      let end = Math.min(bytes.length, at + UTF8_WASM_MAX_BYTES);
      while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
      const piece = bytes.subarray(at, end);
      expect(decode(piece) === keepingMark.decode(piece)).toBe(true);
      at = end;
    }
    // Past the bound it refuses rather than write past its memory.
    expect(() => decode(new Uint8Array(UTF8_WASM_MAX_BYTES + 1))).toThrow(RangeError);
    expect(() => createUtf8Decoder(16)!(new Uint8Array(17))).toThrow(RangeError);
  });

  it("uses the WebAssembly decoder once over 1 MB of non-ASCII text was decoded, with the same text", () => {
    // Text that is mostly ASCII with some non-ASCII, as the files that take this path are; over 1 MB in all.
    const line = Buffer.from("const label = \"Größe — 🔑\"; // naïve\n".repeat(2000), "utf8");
    for (let i = 0; i < 20; i++) expect(decoded(line)).toBe(reference.decode(line));
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), line]);
    expect(decoded(bom)).toBe(reference.decode(bom));
    // Longer than the WebAssembly decoder takes (TextDecoder's), with and without a mark, and at the bound itself.
    const long = Buffer.concat([line, line, line]);
    expect(long.length).toBeGreaterThan(UTF8_WASM_MAX_BYTES);
    expect(decoded(long)).toBe(reference.decode(long));
    const atBound = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.alloc(UTF8_WASM_MAX_BYTES - 2, 0x61), Buffer.from("é", "utf8")]);
    expect(decoded(atBound)).toBe(reference.decode(atBound));
  });
});
