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
