/**
 * Usage context across the file (issue 17): a header or SDK usage whose rule wants the provider's host (or SDK
 * words) near it counts when that host is anywhere in the same file — a Go file declares `const baseURL =
 * "https://api.claid.ai"` at the top and sets the header 200 lines down. scan-text.ts asks here only after the
 * near check within the rule's lines failed, for usage matchers (never for bare formats), and reports such a finding
 * at medium confidence. The answer is how far the nearest occurrence is (characters), so that of several providers
 * whose hosts a file names, the closest one takes the finding.
 *
 * Bounded: the text is lowercased once per text (at most MAX_CONTEXT characters around the first usage asked
 * about), each word's occurrences are found once with indexOf and kept per text.
 */
import { containsWordAt } from "./near-words.js";

/** How much of a long text (around the first usage asked about) the search covers. */
export const MAX_CONTEXT = 1024 * 1024;

export class FileContext {
  private readonly from: number;
  private readonly lower: string;
  private readonly original: string;
  private readonly occurrences = new Map<string, number[]>();

  constructor(
    readonly text: string,
    at: number,
  ) {
    this.from = text.length <= MAX_CONTEXT ? 0 : Math.max(0, Math.min(at - MAX_CONTEXT / 2, text.length - MAX_CONTEXT));
    this.original = this.from === 0 && text.length <= MAX_CONTEXT ? text : text.slice(this.from, this.from + MAX_CONTEXT);
    this.lower = this.original.toLowerCase();
  }

  /** Characters from `at` to the nearest occurrence of any of `words` in the file, or undefined when none occurs. */
  distance(words: readonly string[], at: number): number | undefined {
    let best: number | undefined;
    for (const w of words) {
      for (const p of this.find(w)) {
        const d = Math.abs(p + this.from - at);
        if (best === undefined || d < best) best = d;
      }
    }
    return best;
  }

  private find(word: string): number[] {
    let hit = this.occurrences.get(word);
    if (hit) return hit;
    hit = [];
    const letters = /^[a-z]+$/.test(word);
    for (let i = this.lower.indexOf(word); i !== -1; i = this.lower.indexOf(word, i + 1)) {
      if (!letters || containsWordAt(this.original, i, word.length)) hit.push(i);
    }
    this.occurrences.set(word, hit);
    return hit;
  }
}

let last: FileContext | undefined;

/** The context of `text`, kept while the same text is asked about (one text is matched at a time per thread). */
export function fileContext(text: string, at: number): FileContext {
  if (last === undefined || last.text !== text) last = new FileContext(text, at);
  return last;
}
