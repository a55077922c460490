/**
 * Offline checksums that prove a token was minted by its provider rather than typed by hand. GitHub (`ghp_` etc.)
 * and npm (`npm_`) tokens end in six base62 characters that encode the CRC32 of the 30 random characters before
 * them (the prefix is excluded). A token that fails is a fixture or a typo, not a live credential.
 */
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(s: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < s.length; i++) c = CRC_TABLE[(c ^ s.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function base62(n: number, width: number): string {
  let out = "";
  let v = n;
  while (v > 0) {
    out = BASE62[v % 62]! + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, "0");
}

/** `prefix_` + 30 random + 6 checksum: true when the checksum matches. */
export function githubCrc32Valid(token: string): boolean {
  const us = token.lastIndexOf("_");
  const body = us >= 0 ? token.slice(us + 1) : token;
  if (body.length !== 36) return false;
  return base62(crc32(body.slice(0, 30)), 6) === body.slice(30);
}

export function checksumValid(kind: "github-crc32", secret: string): boolean {
  switch (kind) {
    case "github-crc32":
      return githubCrc32Valid(secret);
  }
}
