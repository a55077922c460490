/**
 * Whether context words occur in a stretch of text: a word made of letters only is matched as a word of its own
 * (issue 16), a host or `accountkey=` as a substring. Used by the near check (scan-text.ts) and the file-wide
 * context (file-context.ts).
 */

export function nearWords(original: string, lower: string, words: readonly string[]): boolean {
  return words.some((w) => (WORD_ONLY.test(w) ? containsWord(original, lower, w) : lower.includes(w)));
}

/** A near word made of letters only is matched as a word (issue 16), a host or `accountkey=` as a substring. */
export const WORD_ONLY = /^[a-z]+$/;
const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => c >= 97 && c <= 122;

/**
 * Whether `word` occurs in `original` (lowercased as `lower`) as a word of its own: it must start a word (after a
 * non-alphanumeric character or at a lower-to-upper case change) and not run on into lowercase letters. `claid`,
 * `CLAID_KEY`, `claidKey`, `myClaidKey` and `CLAIDKEY` hold it; `reclaided` and `claidify` do not. So a common
 * word such as `stream` or `front` used as context does not count inside `upstream` or `frontend`.
 */
function containsWord(original: string, lower: string, word: string): boolean {
  for (let i = lower.indexOf(word); i !== -1; i = lower.indexOf(word, i + 1)) {
    if (containsWordAt(original, i, word.length)) return true;
  }
  return false;
}

/** Whether the `length` characters at `i` of `original` stand as a word of their own (see containsWord). */
export function containsWordAt(original: string, i: number, length: number): boolean {
  const j = i + length;
  const before = i === 0 ? -1 : original.charCodeAt(i - 1);
  const first = original.charCodeAt(i);
  const startOk = before === -1 || !isAlnum(before) || (isUpper(first) && !isUpper(before));
  const after = j >= original.length ? -1 : original.charCodeAt(j);
  const endOk = after === -1 || !isLower(after); // `CLAIDKEY`, `rancher2` and `claidKey` end it; `frontend` does not
  return startOk && endOk;
}
