/**
 * Secret templates for rule examples. Rule files must not hold real-looking keys (the repo scans itself, and push
 * protection rejects them), so an example says what its secret looks like — `key-{alnum:96}`, `{hex:32}`,
 * `ghp_{alnum:30}{crc32}` — and the test generates one at run time from a seeded generator: reproducible, and
 * never a live credential. Tokens: `{CLASS:N}` or `{CLASS:N-M}` with CLASS one of alnum, alpha, lower, upper,
 * digits, hex, HEX, base64, b64url; `{crc32}` appends the 6-character base62 CRC32 of the random characters
 * generated since the last literal text (GitHub/npm format); `{uuid4hex}` a 32-hex UUIDv4 without dashes;
 * `{basicauth}` the base64 of a generated `user:password` (HTTP Basic). Anything else is literal.
 */
import { base62, crc32 } from "./filters/checksum.js";

const CLASSES: Record<string, string> = {
  // Bech32 data alphabet (BIP 173), lower and upper case: age identities and other bech32 strings.
  bech32: "qpzry9x8gf2tvdw0s3jn54khce6mua7l",
  BECH32: "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
  alnum: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
  alpha: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
  lower: "abcdefghijklmnopqrstuvwxyz",
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  digits: "0123456789",
  hex: "0123456789abcdef",
  HEX: "0123456789ABCDEF",
  base64: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
  b64url: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
  lowernum: "abcdefghijklmnopqrstuvwxyz0123456789",
  uppernum: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
};

const TOKEN = /\{(?:([A-Za-z0-9]+):(\d+)(?:-(\d+))?|(crc32)|(uuid4hex)|(basicauth))\}/g;

/** Small deterministic PRNG (mulberry32) so examples are reproducible from a seed string. */
export function seededRandom(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Expand a template; `rand` defaults to Math.random. Throws on an unknown class (a rule-file error). */
export function generateSecret(template: string, rand: () => number = Math.random): string {
  let out = "";
  let random = "";
  let last = 0;
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(template)) !== null) {
    if (m.index > last) {
      out += template.slice(last, m.index);
      random = "";
    }
    last = m.index + m[0].length;
    if (m[4]) {
      out += base62(crc32(random), 6);
      random = "";
      continue;
    }
    if (m[6]) {
      const pick = (cls: string, n: number) => Array.from({ length: n }, () => cls[Math.floor(rand() * cls.length)]!).join("");
      const pair = `svc-${pick(CLASSES.lower!, 6)}:${pick(CLASSES.alnum!, 20)}`;
      const s = Buffer.from(pair).toString("base64");
      out += s;
      random += s;
      continue;
    }
    if (m[5]) {
      const hex = () => CLASSES.hex![Math.floor(rand() * 16)]!;
      let s = "";
      for (let i = 0; i < 32; i++) s += i === 12 ? "4" : i === 16 ? "89ab"[Math.floor(rand() * 4)]! : hex();
      out += s;
      random += s;
      continue;
    }
    const cls = CLASSES[m[1]!];
    if (!cls) throw new Error(`unknown character class {${m[1]}:…} in secret template`);
    const min = Number(m[2]);
    const max = m[3] ? Number(m[3]) : min;
    const n = min + Math.floor(rand() * (max - min + 1));
    let s = "";
    // Keep every generated run random-looking: a letter first and a digit somewhere for long mixed classes.
    for (let i = 0; i < n; i++) s += cls[Math.floor(rand() * cls.length)]!;
    out += s;
    random += s;
  }
  out += template.slice(last);
  return out;
}
