/**
 * The keyword prefilter: one case-insensitive pass over a text that tells which matchers can possibly match, so a
 * file runs only the few regexes whose keywords occur in it instead of every rule's regex. The pass is an
 * Aho-Corasick automaton (keyword-automaton.ts), so it costs the same per character whether there are 20 keywords or
 * 20 000; every keyword occurrence is seen, overlapping and contained ones included (`api-key` inside `x-api-key`).
 * Matchers without keywords always run. Issue 21: the prefilter knows matchers by index (PrefilterLayout) and asks
 * for one only when a keyword selects it, so a rule set restored from its image (lazy-rule-set.ts) makes only those.
 */
import { buildKeywordAutomaton, SHALLOW_DEPTH } from "./keyword-automaton.js";
import type { WalkerOptions } from "./interleaved-walk.js";
import { containsWordAt, WORD_ONLY } from "./near-words.js";
import type { AutomatonTables, PrefilterLayout } from "./plans.js";
import { createWindowFinder } from "./regex/windows.js";
import type { KeywordOccurrences, Matcher, Prefilter, Selection } from "./rule.js";

export { buildKeywordAutomaton, type KeywordAutomaton } from "./keyword-automaton.js";

/** What a prefilter was built from, to store (rule-set-image.ts): its layout and its automaton's tables. */
export interface PrefilterParts {
  layout: PrefilterLayout;
  tables: AutomatonTables;
  /** The automaton's dense table, made now if it is not yet: what a pool's workers share (keyword-automaton.ts). */
  dense(): Int32Array;
}
const partsOf = new WeakMap<object, PrefilterParts>();

/** The layout and tables of a prefilter made here, to store; undefined for other prefilters. */
export function prefilterParts(prefilter: Prefilter): PrefilterParts | undefined {
  return partsOf.get(prefilter);
}

/**
 * Which matchers each keyword selects (by index in `matchers`), the keyword-less ones, and each matcher's gate: its
 * near words, when it has some that are not its own keywords. A matcher that wants a near word finds nothing in a
 * text where none of them occurs anywhere (the near check looks within its lines, the file-wide context at hosts
 * elsewhere in the same text; scan-text.ts), so it is not run there. Issue 16's catalogue made this pay: a keyword
 * such as `eyj` or `token` selects a dozen providers' usages at once, and their near words (the provider's host or
 * name) occur in few files. The near words become keywords of the automaton (selecting nothing themselves). A
 * format's `secret.requires` words (proved at load to be in every match) gate it the same way.
 */
export function prefilterLayout(matchers: readonly Matcher[]): PrefilterLayout {
  const always: number[] = [];
  const pathGated: number[] = [];
  const byKeyword = new Map<string, number[]>();
  matchers.forEach((m, i) => {
    if (m.keywords.length === 0) {
      (m.rule?.pathOnly ? pathGated : always).push(i); // `?.`: tests build bare matchers
      return;
    }
    for (const k of m.keywords) {
      const list = byKeyword.get(k);
      if (list) {
        if (list[list.length - 1] !== i) list.push(i);
      } else byKeyword.set(k, [i]);
    }
  });
  const gateOf = (m: Matcher): readonly string[] => {
    if (m.keywords.length === 0) return [];
    if (m.requires && m.requires.length > 0 && !m.requires.some((w) => m.keywords.includes(w))) return m.requires;
    return m.near && m.near.length > 0 && !m.near.some((w) => m.keywords.includes(w)) ? m.near : [];
  };
  const gateWords = matchers.map(gateOf);
  for (const words of gateWords) for (const w of words) if (!byKeyword.has(w)) byKeyword.set(w, []);
  const keywords = [...byKeyword.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const starts = new Int32Array(keywords.length + 1);
  keywords.forEach((k, id) => (starts[id + 1] = starts[id]! + byKeyword.get(k)!.length));
  const items = new Int32Array(starts[keywords.length]!);
  keywords.forEach((k, id) => items.set(byKeyword.get(k)!, starts[id]!));
  const idOf = new Map(keywords.map((k, id) => [k, id]));
  const gateStarts = new Int32Array(matchers.length + 1);
  gateWords.forEach((words, i) => (gateStarts[i + 1] = gateStarts[i]! + words.length));
  const gateItems = Int32Array.from(gateWords.flat(), (w) => idOf.get(w)!);
  // A keyword counts only as spelled (issue 16) when every matcher it selects spells it so (compile.ts exactSpellings)
  // and no matcher's gate needs it in any case.
  const spelled = new Map<string, string | null>();
  matchers.forEach((m) => {
    m.keywords.forEach((k, i) => {
      const spelling = m.exact?.[i] ?? null;
      if (!spelled.has(k)) spelled.set(k, spelling);
      else if (spelled.get(k) !== spelling) spelled.set(k, null);
    });
  });
  for (const words of gateWords) for (const w of words) spelled.set(w, null);
  const exact = keywords.map((k) => spelled.get(k) ?? "");
  // A letters-only near word counts only as a word of its own (near-words.ts): `ably` in `probably` satisfies no near
  // check, so a keyword that is nothing but a near word (never a literal a pattern's windows start from, never a
  // `requires` word) skips such occurrences too (issue 16).
  const wordish = new Map<string, boolean>();
  matchers.forEach((m, i) => {
    const literal = m.windows?.anchor && m.windows.anchor.after === 0 ? m.windows.anchor.keywords : [];
    for (const k of m.keywords) wordish.set(k, (wordish.get(k) ?? true) && WORD_ONLY.test(k) && (m.near?.includes(k) ?? false) && !literal.includes(k));
    for (const w of gateWords[i]!) wordish.set(w, (wordish.get(w) ?? true) && WORD_ONLY.test(w) && m.requires === undefined);
  });
  const wordOnly = keywords.flatMap((k, id) => (wordish.get(k) ? [id] : []));
  const keywordLengths = Int32Array.from(keywords, (k) => k.length);
  const keywordsAscii = !/[^\x00-\x7f]/.test(keywords.join(""));
  return { keywords, keywordLengths, keywordsAscii, keywordAt: (id) => keywords[id]!, starts, items, always: Int32Array.from(always), pathGated: Int32Array.from(pathGated), gateStarts, gateItems, exact, wordOnly, total: matchers.length };
}

/**
 * A keyword's id by binary search in the layout's order (longest first, then by code units: prefilterLayout), for the
 * few look-ups of the matchers made (their anchors' keywords). Issue 20: a Map of every keyword (~9,000) was ~5 ms of
 * a pre-commit run. A keyword not found leaves its matcher unanchored (it runs over the whole text): never wrong.
 */
export function idFinder(layout: Pick<PrefilterLayout, "keywordLengths" | "keywordAt">): { get(keyword: string): number | undefined } {
  // Keywords one at a time (a search reads ~15): a layout restored from its image makes no list of them (issue 21).
  const count = layout.keywordLengths.length;
  const at = layout.keywordAt;
  return {
    get(keyword) {
      let lo = 0;
      let hi = count - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const k = at(mid);
        if (k === keyword) return mid;
        if (k.length > keyword.length || (k.length === keyword.length && k < keyword)) lo = mid + 1;
        else hi = mid - 1;
      }
      return undefined;
    },
  };
}

/** `saved`: the automaton tables of an earlier build for the same keywords (prefilterParts; rule-set-image.ts). */
export function buildPrefilter(matchers: readonly Matcher[], saved?: AutomatonTables): Prefilter {
  return prefilterFrom(prefilterLayout(matchers), (i) => matchers[i]!, saved);
}

/**
 * The prefilter for a layout, whose matchers `matcherAt` gives by index. Issue 21: a rule set restored from its
 * image (lazy-rule-set.ts) makes a matcher only when `matcherAt` first asks for it, i.e. when one of its keywords
 * occurs; the keyword-less ones are asked for here, at once.
 */
export function prefilterFrom(layout: PrefilterLayout, matcherAt: (index: number) => Matcher, saved?: AutomatonTables, walk?: WalkerOptions): Prefilter {
  // Issue 21: the keywords themselves are read only to find an anchor's keyword ids (the window finder, on a matcher's
  // first window); a rule set restored from its image makes the list only then.
  const { keywordLengths, starts, items, total } = layout;
  const keywordCount = keywordLengths.length;
  let keywordIds: ReturnType<typeof idFinder> | undefined;
  const always = Array.from(layout.always, matcherAt);
  const pathGated = Array.from(layout.pathGated, matcherAt);
  const automaton = buildKeywordAutomaton(saved ? keywordLengths : layout.keywords, saved, SHALLOW_DEPTH, walk);
  const asciiOnly = layout.keywordsAscii;
  // selectAt's scratch space (see there), read by the window finder while the selection is current.
  const occurrences: KeywordOccurrences = { generation: 0, starts: new Int32Array(0), next: new Int32Array(1024), head: new Int32Array(keywordCount), headOf: new Int32Array(keywordCount) };
  const { head, headOf } = occurrences;
  let next = occurrences.next;
  const startRanges = createWindowFinder(() => (keywordIds ??= idFinder(layout)), occurrences);
  const { gateStarts, gateItems } = layout;
  const spelledAs = layout.exact;
  const wordOnly = new Uint8Array(keywordCount);
  for (const id of layout.wordOnly) wordOnly[id] = 1;
  /** Whether the occurrence of keyword `id` at `start` counts (its spelling, or as a word; see prefilterLayout). */
  const counts = (text: string, id: number, start: number): boolean =>
    (spelledAs[id] === "" || text.startsWith(spelledAs[id]!, start)) && (wordOnly[id] === 0 || containsWordAt(text, start, keywordLengths[id]!));
  // Matchers a keyword picked in the current text, in order, each once (`pickedOf[m] === generation`); the gate
  // check waits for the end of the text, since a near word may come after the keyword.
  let picked = new Int32Array(256);
  const pickedOf = new Int32Array(total);
  let pickedCount = 0;
  const pick = (id: number, generation: number): void => {
    for (let j = starts[id]!, end = starts[id + 1]!; j < end; j++) {
      const m = items[j]!;
      if (pickedOf[m] === generation) continue;
      pickedOf[m] = generation;
      if (pickedCount === picked.length) {
        const grown = new Int32Array(picked.length * 2);
        grown.set(picked);
        picked = grown;
      }
      picked[pickedCount++] = m;
    }
  };
  /** The picked matchers whose gate is open (a near word seen: `headOf[id] === generation`), after `always`. */
  const admitted = (generation: number): Matcher[] => {
    const out = always.slice();
    for (let p = 0; p < pickedCount; p++) {
      const m = picked[p]!;
      let open = gateStarts[m] === gateStarts[m + 1];
      for (let g = gateStarts[m]!, end = gateStarts[m + 1]!; !open && g < end; g++) open = headOf[gateItems[g]!] === generation;
      if (open) out.push(matcherAt(m));
    }
    pickedCount = 0;
    return out;
  };

  const prefilter: Prefilter = {
    get keywords() {
      return layout.keywords;
    },
    pathGated,
    mayMatchBytes(data: Uint8Array): boolean {
      if (always.length > 0 || !asciiOnly) return true;
      return automaton.occursInBytes(data);
    },
    selectAt(text: string, skip?: readonly [number, number]): Selection {
      if (keywordCount === 0) return { matchers: always.slice(), startRanges: () => undefined };
      // The automaton's hit arrays and the chains below are scratch space shared by every call (issue 7: fresh
      // arrays per text were most of the young-generation garbage of a tree scan); `mine` tells a Selection whose
      // scratch a later call has reused, and its startRanges then answers "whole text" (always correct).
      if (occurrences.generation === 0x7ffffffe) {
        headOf.fill(0);
        pickedOf.fill(0);
        occurrences.generation = 0;
      }
      const mine = ++occurrences.generation;
      const found = automaton.findAll(text, skip);
      const count = found.count;
      const ids = found.ids;
      occurrences.starts = found.starts;
      if (next.length < count) occurrences.next = next = new Int32Array(Math.max(count, next.length * 2));
      // Occurrences chained per keyword (newest first), so a group reads only its own keywords' positions.
      // head[id] is 1 + the keyword's latest occurrence, valid where headOf[id] === mine (else: none).
      for (let h = 0; h < count; h++) {
        const id = ids[h]!;
        if ((spelledAs[id] !== "" || wordOnly[id] === 1) && !counts(text, id, found.starts[h]!)) continue;
        let previous = -1;
        if (headOf[id] === mine) previous = head[id]! - 1;
        else {
          headOf[id] = mine;
          pick(id, mine);
        }
        next[h] = previous;
        head[id] = h + 1;
      }
      return {
        matchers: admitted(mine),
        startRanges: (group: readonly Matcher[], textLength: number) => startRanges(group, textLength, mine),
      };
    },
    select(text: string): Matcher[] {
      if (keywordCount === 0) return always.slice();
      // The automaton's hit arrays are about to be reused; the ids seen are marked as selectAt marks them.
      if (occurrences.generation === 0x7ffffffe) {
        headOf.fill(0);
        pickedOf.fill(0);
        occurrences.generation = 0;
      }
      const mine = ++occurrences.generation;
      const found = automaton.findAll(text);
      for (let h = 0; h < found.count; h++) {
        const id = found.ids[h]!;
        if (headOf[id] === mine || !counts(text, id, found.starts[h]!)) continue;
        headOf[id] = mine;
        pick(id, mine);
      }
      return admitted(mine);
    },
  };
  partsOf.set(prefilter, { layout, tables: automaton.tables, dense: automaton.dense });
  return prefilter;
}
