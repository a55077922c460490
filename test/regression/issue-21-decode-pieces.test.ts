// Issue 21 (history at the floor): long texts that are ASCII but for a few characters (typescript.js of older
// releases) are decoded in pieces (src/engine/mostly-ascii.ts) instead of by TextDecoder's slow path. The text must
// stay exactly TextDecoder's, whatever falls on a piece's edge: offsets, lines and findings depend on it.
import { describe, expect, it } from "vitest";
import { decodeBytes } from "../../src/engine/decode-bytes.js";
import { decodeMostlyAscii } from "../../src/engine/mostly-ascii.js";
import { seededRandom } from "../../src/engine/template.js";

const reference = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
const CHUNK = 32 * 1024;

// Valid and invalid UTF-8 to drop into ASCII: 2-, 3- and 4-byte characters, a byte-order mark, a lone continuation
// byte, a truncated sequence, an overlong form, an encoded surrogate, a run of continuation bytes, bytes never valid.
const INSERTS: number[][] = [
  [0xc3, 0xa9],
  [0xe2, 0x86, 0x92],
  [0xf0, 0x9f, 0x94, 0x91],
  [0xef, 0xbb, 0xbf],
  [0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x94],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0x80, 0x81, 0x82, 0x83, 0x84, 0x85],
  [0xff],
];

/** `size` bytes of ASCII code with `inserts` dropped at the given offsets (each may straddle a chunk's edge). */
function textWith(size: number, at: Array<[number, number[]]>): Buffer {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buf[i] = i % 61 === 60 ? 0x0a : 0x61 + (i % 26);
  for (const [offset, bytes] of at) buf.set(bytes, Math.min(offset, size - bytes.length));
  return buf;
}

const decoded = (bytes: Uint8Array): string => {
  const d = decodeBytes(bytes);
  if (!d.ok) throw new Error(d.message);
  return d.text;
};

describe("issue 21: a long, mostly-ASCII text decoded in pieces is TextDecoder's text", () => {
  it("on characters at, across and just past every chunk edge, valid and invalid", () => {
    const size = 20 * CHUNK + 123;
    for (const insert of INSERTS) {
      for (const edge of [CHUNK, 2 * CHUNK, 5 * CHUNK]) {
        for (let shift = -insert.length; shift <= 1; shift++) {
          const buf = textWith(size, [[edge + shift, insert]]);
          const mine = decodeMostlyAscii(buf);
          expect(mine, `${Buffer.from(insert).toString("hex")} at ${edge}${shift >= 0 ? "+" : ""}${shift}`).toBe(reference.decode(buf));
          expect(decoded(buf)).toBe(reference.decode(buf));
        }
      }
    }
  });

  it("on random inserts in random long texts, with a leading byte-order mark kept off and a later one kept", () => {
    const rand = seededRandom("issue-21-decode-pieces");
    for (let n = 0; n < 60; n++) {
      const size = 300 * 1024 + Math.floor(rand() * 2_000_000);
      const at: Array<[number, number[]]> = [];
      for (let k = 1 + Math.floor(rand() * 20); k > 0; k--) at.push([Math.floor(rand() * size), INSERTS[Math.floor(rand() * INSERTS.length)]!]);
      if (n % 4 === 0) at.push([0, [0xef, 0xbb, 0xbf]]);
      const buf = textWith(size, at);
      expect(decoded(buf), `case ${n}`).toBe(reference.decode(buf));
    }
  });

  it("leaves ASCII and mostly non-ASCII texts to the whole-text decoders", () => {
    expect(decodeMostlyAscii(textWith(600 * 1024, []))).toBeUndefined();
    const translated = Buffer.from("clé: « valeur » ".repeat(40_000), "utf8");
    expect(decodeMostlyAscii(translated)).toBeUndefined();
    expect(decoded(translated)).toBe(reference.decode(translated));
    // One character in 9 MB (an older typescript.js): pieces, equal to the whole text.
    const big = textWith(9 * 1024 * 1024, [[7_000_000, [0xe2, 0x86, 0x92]]]);
    expect(decodeMostlyAscii(big)).toBe(reference.decode(big));
  });
});
