/**
 * Source maps (issue 16, throughput): a `.map` file, or the inline map a bundle carries as base64 (decode.ts decodes
 * it), holds its positions in `mappings`, a long string of base64 VLQ digits in groups separated by `,` and `;`.
 * It encodes numbers only, never a credential, yet it reads to the keyword prefilter like random letters: on 79 MB of
 * npm code (typescript, @angular, @firebase) 54 % of all keyword occurrences were inside `mappings` values, which
 * are 13 % of the characters. So the keyword search and the encoded-run search skip a map's `mappings` value
 * (scan-text.ts), and nothing is selected or decoded there. Only a value of VLQ characters is skipped: base64
 * digits and `,` `;`, with a separator within its first and last MAX_GROUP characters (so not one base64 blob);
 * anything else in a `mappings` field is scanned.
 */

/** Digits a mappings value may start or end with before a separator (a segment is 1-5 fields of ~1-7 digits). */
const MAX_GROUP = 64;
/** How far into the text the `mappings` key may be (maps put it after version, sources, names; names can be long). */
const KEY_SEARCH = 8 * 1024 * 1024;

/** Whether this text is (the start of) a source map: `{"version":3` first, as every generator writes it. */
export function looksLikeSourceMap(text: string): boolean {
  let i = 0;
  while (i < text.length && i < 64 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13 || text.charCodeAt(i) === 9)) i++;
  return text.startsWith('{"version":3', i) || text.startsWith('{ "version": 3', i);
}

/** A character that no mappings value holds (base64 digits and the `,` `;` separators are all it has). */
const NOT_VLQ = /[^A-Za-z0-9+/,;]/;
/** A separator within the first (or last) MAX_GROUP + 1 characters: a base64 blob has none. */
const SEPARATOR = /[,;]/;

/** The `mappings` value's [start, end) offsets when it is VLQ throughout, else undefined. */
export function mappingsRange(text: string): [number, number] | undefined {
  const key = text.indexOf('"mappings"');
  if (key === -1 || key > KEY_SEARCH) return undefined;
  let i = key + 10;
  while (text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) !== 58) return undefined; // ':'
  i++;
  while (text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) !== 34) return undefined; // '"'
  const start = i + 1;
  const end = text.indexOf('"', start);
  if (end <= start) return undefined;
  const value = text.slice(start, end);
  // One native class scan (~1 ns a character; a pattern with counted groups took ~4), and separators at both ends.
  if (NOT_VLQ.test(value)) return undefined;
  if (value.length > MAX_GROUP && !(SEPARATOR.test(value.slice(0, MAX_GROUP + 1)) && SEPARATOR.test(value.slice(-MAX_GROUP - 1)))) return undefined;
  return [start, end];
}

/** Characters of an inline map's base64 payload. */
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;
const isBase64Char = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61;
/** The comment's openings and its URL's start (written apart: tools that read source maps look for them whole). */
const INLINE_OPENINGS = ["//# ", "//@ ", "/*# "];
const INLINE_URL = "sourceMappingURL=" + "data:";

/**
 * The base64 payload of an inline source map on the text's last line (a source-map comment whose URL is a base64
 * `data:` URL, as bundlers write it), when it is base64 throughout. The payload is decoded and scanned like any base64
 * run (decode.ts) — that is where a key in the map's sources would be found — so the keyword search need not read its
 * base64 characters, which spell keywords by chance (`EAA`, `eyJ`, `SK` …): 11 MB of the 79 MB sample were such
 * payloads (issue 16). Only the last line is looked at, and only when the text ends in a base64 character, so most
 * files cost a look at their last character.
 */
export function inlineMapPayload(text: string): [number, number] | undefined {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 32)) end--;
  // The text must end in base64 (a minified file's one long line ends in `;` or `}`): else no search back at all.
  const last = text.startsWith("*/", end - 2) ? end - 3 : end - 1;
  if (last < 0 || !isBase64Char(text.charCodeAt(last))) return undefined;
  const lineStart = text.lastIndexOf("\n", end - 1) + 1;
  let mark = -1;
  for (const o of INLINE_OPENINGS) if (text.startsWith(o, lineStart) && text.startsWith(INLINE_URL, lineStart + o.length)) mark = lineStart + o.length + INLINE_URL.length;
  if (mark < 0) return undefined;
  const comma = text.indexOf("base64,", mark);
  if (comma < 0 || comma - mark > 128) return undefined;
  const start = comma + 7;
  if (text.startsWith("*/", end - 2)) end -= 2;
  if (end - start < 4 || NOT_BASE64.test(text.slice(start, end))) return undefined;
  return [start, end];
}
