/**
 * Sets of characters as the regex analysis needs them: 128 bits for ASCII and one flag for "some non-ASCII
 * character", with the few operations the parser and the checks use (union, complement, overlap, case folding).
 * Exact for ASCII, conservative beyond it, which is all that rule patterns (ASCII formats) need.
 */
export type CharBits = { bits: Uint32Array; nonAscii: boolean };

export function emptyBits(): CharBits {
  return { bits: new Uint32Array(4), nonAscii: false };
}
export function addCode(b: CharBits, c: number): void {
  if (c < 128) b.bits[c >> 5]! |= 1 << (c & 31);
  else b.nonAscii = true;
}
export function addRange(b: CharBits, from: number, to: number): void {
  for (let c = from; c <= Math.min(to, 127); c++) addCode(b, c);
  if (to >= 128) b.nonAscii = true;
}
export function invert(b: CharBits): CharBits {
  const out = emptyBits();
  for (let i = 0; i < 4; i++) out.bits[i] = ~b.bits[i]! >>> 0;
  out.nonAscii = true;
  return out;
}
export function union(a: CharBits, b: CharBits): CharBits {
  const out = emptyBits();
  for (let i = 0; i < 4; i++) out.bits[i] = (a.bits[i]! | b.bits[i]!) >>> 0;
  out.nonAscii = a.nonAscii || b.nonAscii;
  return out;
}
export function intersects(a: CharBits, b: CharBits): boolean {
  for (let i = 0; i < 4; i++) if ((a.bits[i]! & b.bits[i]!) !== 0) return true;
  return a.nonAscii && b.nonAscii;
}
export function foldCase(b: CharBits): CharBits {
  const out = union(b, emptyBits());
  for (let c = 65; c <= 90; c++) {
    const lo = c + 32;
    const has = (x: number) => (b.bits[x >> 5]! & (1 << (x & 31))) !== 0;
    if (has(c) || has(lo)) {
      addCode(out, c);
      addCode(out, lo);
    }
  }
  return out;
}

export function classEscape(ch: string): CharBits | undefined {
  const b = emptyBits();
  switch (ch) {
    case "d":
      addRange(b, 48, 57);
      return b;
    case "w":
      addRange(b, 48, 57);
      addRange(b, 65, 90);
      addRange(b, 97, 122);
      addCode(b, 95);
      return b;
    case "s":
      for (const c of [9, 10, 11, 12, 13, 32]) addCode(b, c);
      b.nonAscii = true;
      return b;
    case "D":
      return invert(classEscape("d")!);
    case "W":
      return invert(classEscape("w")!);
    case "S":
      return invert(classEscape("s")!);
  }
  return undefined;
}

export const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12, "0": 0 };
