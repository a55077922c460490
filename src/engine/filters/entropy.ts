/**
 * Shannon entropy in bits per character. A randomness gate: generated keys score high (base62 ≈ 5+), words,
 * identifiers and repeated characters score low. Used by rules with `min_entropy` and by `value: any` usages.
 */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = s.length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}
