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

// Character classes of base64 characters, as bits: a run's OR tells whether it is hex-only, mixed case, URL-safe.
const LOWER = 1;
const UPPER = 2;
const DIGIT = 4;
const SYMBOL = 8;
const URLSAFE = 16;
/** Any character that is not a hex digit. */
const NOT_HEX = 32;
const B64 = (() => {
  const t = new Uint8Array(128);
  for (let c = 97; c <= 122; c++) t[c] = LOWER | (c > 102 ? NOT_HEX : 0);
  for (let c = 65; c <= 90; c++) t[c] = UPPER | (c > 70 ? NOT_HEX : 0);
  for (let c = 48; c <= 57; c++) t[c] = DIGIT;
  t[43] = SYMBOL | NOT_HEX; // +
  t[47] = SYMBOL | NOT_HEX; // /
  t[45] = URLSAFE | NOT_HEX; // -
  t[95] = URLSAFE | NOT_HEX; // _
  return t;
})();

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/g;
const PERCENT_COUNT = /%[0-9A-Fa-f]{2}/g;
/** Characters that may appear in a percent-encoded run (URL characters and the escapes themselves). */
const URL_CHAR = /[A-Za-z0-9._~+\-!*'();:@&=$,/?#%]/;

/** Mostly printable UTF-8 text (tabs and newlines allowed), with no NUL and at most 5% other control/invalid bytes. */
function printableText(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  let bad = 0;
  const allowed = bytes.length * 0.05;
  for (const b of bytes) {
    if (b === 0) return undefined;
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 13) || b === 0x7f) {
      if (++bad > allowed) return undefined;
    }
  }
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

/**
 * Whether raw bytes could hold a run that encodedSegments would decode — the same run rules, read on bytes (ASCII
 * bytes are their own characters in UTF-8 and Latin-1; any byte >= 0x80 ends a run, as a non-ASCII character does).
 * It may answer true for a run that then does not decode to text, never false for one that does. The bytes path
 * (scan-bytes.ts) uses it to skip decoding files with neither a keyword nor anything encoded.
 */
export function mayHoldEncoded(bytes: Uint8Array): boolean {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i]!;
    if (c >= 128 || B64[c] === 0) {
      // A percent escape followed, somewhere, by a second one: a candidate percent run.
      if (c === 37 && i + 2 < n && isHexByte(bytes[i + 1]!) && isHexByte(bytes[i + 2]!) && hasPercentEscape(bytes, i + 3)) return true;
      i++;
      continue;
    }
    const start = i;
    let classes = 0;
    while (i < n) {
      const d = bytes[i]!;
      if (d >= 128 || B64[d] === 0) break;
      classes |= B64[d]!;
      i++;
    }
    const len = i - start;
    if (len < MIN_BASE64 || len > MAX_RUN) continue;
    if ((classes & NOT_HEX) === 0) {
      if (len >= MIN_HEX && len % 2 === 0 && !isAlnum(bytes[start - 1] ?? 0) && !isAlnum(bytes[i] ?? 0)) return true;
      continue;
    }
    if ((classes & (LOWER | UPPER | DIGIT)) === (LOWER | UPPER | DIGIT) && len % 4 !== 1) return true;
  }
  return false;
}

function isHexByte(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function hasPercentEscape(bytes: Uint8Array, from: number): boolean {
  for (let j = bytes.indexOf(37, from); j !== -1 && j + 2 < bytes.length; j = bytes.indexOf(37, j + 1)) {
    if (isHexByte(bytes[j + 1]!) && isHexByte(bytes[j + 2]!)) return true;
  }
  return false;
}

export function encodedSegments(text: string): EncodedSegment[] {
  const out: EncodedSegment[] = [];
  let budget = MAX_DECODED_BYTES;
  const take = (start: number, end: number, encoding: Encoding, decoded: string | undefined) => {
    if (decoded === undefined) return;
    out.push({ start, end, encoding, text: decoded });
  };

  // One pass over the text with a lookup table finds the runs of base64 characters (a hex run is one of them);
  // a plain loop is several times faster than a regex here, and this runs over every byte scanned.
  let m: RegExpExecArray | null;
  const n = text.length;
  let i = 0;
  while (i < n && budget > 0) {
    const c = text.charCodeAt(i);
    if (c >= 128 || B64[c] === 0) {
      i++;
      continue;
    }
    const start = i;
    let classes = 0;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d >= 128 || B64[d] === 0) break;
      classes |= B64[d]!;
      i++;
    }
    let end = i;
    while (end < n && end - i < 2 && text.charCodeAt(end) === 61) end++; // '=' padding
    const len = i - start;
    if (len < MIN_HEX || len > MAX_RUN) {
      if (len < MIN_BASE64 || len > MAX_RUN) continue;
    }
    if ((classes & NOT_HEX) === 0) {
      // Only hex digits: decode as hex (if whole bytes and long enough), never as base64.
      if (len >= MIN_HEX && len % 2 === 0 && !isAlnum(text.charCodeAt(start - 1)) && !isAlnum(text.charCodeAt(i))) {
        budget -= len;
        take(start, i, "hex", printableText(Buffer.from(text.slice(start, i), "hex")));
      }
      continue;
    }
    // Text encodes to mixed case with digits; identifiers and paths rarely look like this.
    if ((classes & (LOWER | UPPER | DIGIT)) !== (LOWER | UPPER | DIGIT) || len < MIN_BASE64) continue;
    if (len % 4 === 1) continue;
    budget -= len;
    const body = text.slice(start, i);
    const bytes = Buffer.from(classes & URLSAFE ? body.replace(/-/g, "+").replace(/_/g, "/") : body, "base64");
    take(start, end, "base64", printableText(bytes));
  }

  if (text.includes("%")) {
    // Anchor on the escapes and widen each to its run of URL characters: linear, and only where escapes are.
    PERCENT_ESCAPE.lastIndex = 0;
    let covered = 0;
    while ((m = PERCENT_ESCAPE.exec(text)) !== null && budget > 0) {
      if (m.index < covered) continue;
      let a = m.index;
      let b = m.index + 3;
      while (a > 0 && b - a < MAX_RUN && URL_CHAR.test(text[a - 1]!)) a--;
      while (b < text.length && b - a < MAX_RUN && URL_CHAR.test(text[b]!)) b++;
      covered = b;
      PERCENT_ESCAPE.lastIndex = b;
      const run = text.slice(a, b);
      if (run.length < 12 || (run.match(PERCENT_COUNT) ?? []).length < 2) continue;
      budget -= run.length;
      let decoded: string;
      try {
        decoded = decodeURIComponent(run);
      } catch {
        continue;
      }
      if (decoded !== run) take(a, b, "percent", decoded);
    }
  }
  return out;
}
