/**
 * Finds encoded text worth decoding — base64 (standard and URL-safe), hex and percent-encoding — so the matcher can
 * look for secrets inside it (a Kubernetes Secret's `data:`, a base64 `.npmrc` in a CI variable, a URL-encoded
 * connection string). Work is bounded: only runs of at least MIN_BASE64 / MIN_HEX characters (or percent runs with
 * at least two escapes) are considered, runs longer than MAX_RUN are left alone (they are images and bundles, not
 * configuration), at most MAX_DECODED_BYTES are decoded per text, and a decoded result is kept only if it is mostly
 * printable text. Recursion depth is the caller's (scan-text.ts, default 2).
 */

export type Encoding = "base64" | "hex" | "percent";

export interface EncodedSegment {
  /** Offsets of the encoded run in the text it was found in. */
  start: number;
  end: number;
  encoding: Encoding;
  /** The decoded text. */
  text: string;
}

export const MIN_BASE64 = 24;
export const MIN_HEX = 32;
const MAX_RUN = 64 * 1024;
const MAX_DECODED_BYTES = 1024 * 1024;

const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
const HEX_RUN = /(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}){16,}(?![0-9A-Za-z])/g;
const PERCENT_RUN = /[A-Za-z0-9._~+\-!*'();:@&=$,/?#%]{12,}/g;

/** Mostly printable UTF-8 text (tabs and newlines allowed), with no NUL and at most 5% other control/invalid bytes. */
function printableText(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  let bad = 0;
  for (const b of bytes) {
    if (b === 0) return undefined;
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 13) || b === 0x7f) bad++;
  }
  if (bad > bytes.length * 0.05) return undefined;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const replacement = (text.match(/\uFFFD/g) ?? []).length;
  if (replacement > text.length * 0.05) return undefined;
  // Printable ASCII must dominate: random bytes decoded as UTF-8 are mostly replacement or high characters.
  let ascii = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13) ascii++;
  }
  return ascii >= text.length * 0.9 ? text : undefined;
}

export function encodedSegments(text: string): EncodedSegment[] {
  const out: EncodedSegment[] = [];
  let budget = MAX_DECODED_BYTES;
  const take = (start: number, end: number, encoding: Encoding, decoded: string | undefined) => {
    if (decoded === undefined) return;
    out.push({ start, end, encoding, text: decoded });
  };

  BASE64_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BASE64_RUN.exec(text)) !== null && budget > 0) {
    const run = m[0];
    if (run.length > MAX_RUN) continue;
    // Text encodes to mixed case; identifiers and hex do not look like this.
    if (!/[a-z]/.test(run) || !/[A-Z]/.test(run) || !/[0-9]/.test(run)) continue;
    const body = run.replace(/=+$/, "");
    if (body.length % 4 === 1) continue;
    budget -= body.length;
    const bytes = Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    take(m.index, m.index + run.length, "base64", printableText(bytes));
  }

  HEX_RUN.lastIndex = 0;
  while ((m = HEX_RUN.exec(text)) !== null && budget > 0) {
    const run = m[0];
    if (run.length > MAX_RUN) continue;
    budget -= run.length;
    take(m.index, m.index + run.length, "hex", printableText(Buffer.from(run, "hex")));
  }

  if (text.includes("%")) {
    PERCENT_RUN.lastIndex = 0;
    while ((m = PERCENT_RUN.exec(text)) !== null && budget > 0) {
      const run = m[0];
      if (run.length > MAX_RUN) continue;
      if ((run.match(/%[0-9A-Fa-f]{2}/g) ?? []).length < 2) continue;
      budget -= run.length;
      let decoded: string;
      try {
        decoded = decodeURIComponent(run);
      } catch {
        continue;
      }
      if (decoded !== run) take(m.index, m.index + run.length, "percent", decoded);
    }
  }
  return out;
}
