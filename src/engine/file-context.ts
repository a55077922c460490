/**
 * Usage context across the file (issue 17): a header or SDK usage whose rule wants the provider's host near it
 * counts when that host is anywhere in the same file — a Go file declares `const baseURL =
 * "https://api.claid.ai"` at the top and sets the header 200 lines down. scan-text.ts asks here only after the
 * near check within the rule's lines failed, for usage matchers (never for bare formats), and reports such a finding
 * at medium confidence. The answer is how far the nearest occurrence is (characters), so that of several providers
 * whose hosts a file names, the closest one takes the finding.
 *
 * Only host names count from afar (a rule's structural context words, `kind: config`, stay within its lines).
 * Bounded: at most MAX_CONTEXT characters around the first usage asked about are indexed, in one pass, and only
 * for a text where some usage asks.
 */

/** How much of a long text (around the first usage asked about) the search covers. */
export const MAX_CONTEXT = 1024 * 1024;

export class FileContext {
  private readonly from: number;
  private readonly original: string;
  private hosts: Map<string, number[]> | undefined;

  constructor(
    readonly text: string,
    at: number,
  ) {
    this.from = text.length <= MAX_CONTEXT ? 0 : Math.max(0, Math.min(at - MAX_CONTEXT / 2, text.length - MAX_CONTEXT));
    this.original = this.from === 0 ? text : text.slice(this.from, this.from + MAX_CONTEXT);
  }

  /**
   * Characters from `at` to the nearest occurrence of any of the host names among `words` in the file, or undefined
   * when none occurs. Other context words (`kind: config`, `claid`) count only within a rule's lines.
   */
  distance(words: readonly string[], at: number): number | undefined {
    let best: number | undefined;
    for (const w of words) {
      if (!HOST.test(w)) continue;
      for (const p of this.find(w)) {
        const d = Math.abs(p + this.from - at);
        if (best === undefined || d < best) best = d;
      }
    }
    return best;
  }

  /** Where the host name `word` occurs (through the host index: one pass over the text for every host asked about). */
  private find(word: string): readonly number[] {
    return (this.hosts ??= hostIndex(this.original)).get(word) ?? [];
  }
}

/** A host name as rules give them: lowercase labels joined by dots. */
const HOST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;
const isHostChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46;

/**
 * Every dotted name in the text, lowercased, by each of its suffixes of two labels or more (`api.getimg.ai` is found
 * as `api.getimg.ai` and `getimg.ai`), with where each suffix starts.
 */
function hostIndex(text: string): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (let i = text.indexOf("."); i !== -1; ) {
    let s = i;
    while (s > 0 && isHostChar(text.charCodeAt(s - 1))) s--;
    let e = i + 1;
    while (e < text.length && isHostChar(text.charCodeAt(e))) e++;
    let end = e;
    while (end > s && text.charCodeAt(end - 1) === 46) end--;
    const run = text.slice(s, end).toLowerCase();
    for (let k = 0; k < run.length; ) {
      const dot = run.indexOf(".", k);
      if (dot === -1) break; // one label left
      const key = k === 0 ? run : run.slice(k);
      const list = map.get(key);
      if (list) list.push(s + k);
      else map.set(key, [s + k]);
      k = dot + 1;
    }
    i = text.indexOf(".", e);
  }
  return map;
}

let last: FileContext | undefined;

/** The context of `text`, kept while the same text is asked about (one text is matched at a time per thread). */
export function fileContext(text: string, at: number): FileContext {
  if (last === undefined || last.text !== text) last = new FileContext(text, at);
  return last;
}

/** Drop the kept context (scanText calls this when it is done with a text, so no file's text outlives its scan). */
export function forgetFileContext(): void {
  last = undefined;
}
