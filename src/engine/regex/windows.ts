/**
 * Windowed matching (issue 7): a matcher whose matches provably start near an occurrence of one of its keywords
 * (compile.ts `anchorFor`, from the keyword leads of regex/leads.ts) runs only in small windows around those
 * occurrences instead of over the whole text. The prefilter reports where each keyword occurs (prefilter.ts
 * KeywordOccurrences); `createWindowFinder` turns those occurrences into merged start ranges for a group of matchers
 * sharing one regex, and `runInRanges` runs the regex there, trying narrow windows position by position with a
 * sticky copy and skipping start characters no match can have. Everything the optimisation needs stays here and in
 * Matcher.windows; the rest of the engine sees only "ranges, or the whole text".
 */
import { MAX_OVERLAP, SLICE_SIZE } from "../limits.js";
import type { MatcherPlan, MatcherWindows, StartSet } from "../plans.js";
import type { KeywordOccurrences, Matcher } from "../rule.js";

/** Windows at most this wide (start positions) are tried position by position (runInRanges). */
export const NARROW_WINDOW = 48;
/** Window widths (before + after) stay below this; it packs a window's start and width into one number. */
const WINDOW_SPAN = 2 ** 22;
/** What one sticky regex attempt costs, in characters of an exec scan (a call into the regex engine; measured order). */
const STICKY_TRY_COST = 24;

/** A StartSet as the lookup table MatcherWindows.startChars is. */
function startTable(set: StartSet): Uint8Array {
  const table = new Uint8Array(129);
  for (let c = 0; c < 128; c++) if ((set.bits[c >> 5]! & (1 << (c & 31))) !== 0) table[c] = 1;
  if (set.nonAscii) table[128] = 1;
  return table;
}

/** What a matcher built from `plan` needs for windowed matching; undefined when it has no anchor (whole texts). */
export function windowsOf(plan: Pick<MatcherPlan, "anchor" | "startSet">): MatcherWindows | undefined {
  if (!plan.anchor) return undefined;
  return { anchor: plan.anchor, ...(plan.startSet ? { startChars: startTable(plan.startSet) } : {}) };
}

/**
 * For one prefilter (its keywords numbered as `idOf` says, its occurrences in `occurrences`): the start ranges of a
 * group of matchers sharing one regex in the text last selected, as sorted, merged `[from, to]` pairs (flat), or
 * undefined when any of them must run over the whole text (no anchor, or its windows cover most of it).
 * `generation` is the selection's: a later selection reuses the scratch, and the answer is then "whole text".
 */
export type StartRanges = (group: readonly Matcher[], textLength: number, generation: number) => number[] | undefined;

export function createWindowFinder(keywordIds: () => Pick<ReadonlyMap<string, number>, "get">, occurrences: KeywordOccurrences): StartRanges {
  const keywordCount = occurrences.head.length;
  // Per anchored matcher: the ids of the keywords whose occurrences bound its windows, and how far before each
  // occurrence a match can start (one number per id: compile.ts gives keywords their own leads, issue 7). Worked
  // out on a matcher's first window (issue 21: a restored rule set makes its matchers only as keywords select them).
  const anchorIds = new Map<Matcher, { ids: Int32Array; before: Int32Array } | null>();
  const anchorOf = (m: Matcher): { ids: Int32Array; before: Int32Array } | null => {
    let found = anchorIds.get(m);
    if (found !== undefined) return found;
    found = null;
    const a = m.windows?.anchor;
    if (a) {
      const idOf = keywordIds();
      const ids = a.keywords.map((k) => idOf.get(k));
      if (ids.every((id) => id !== undefined)) found = { ids: Int32Array.from(ids as number[]), before: Int32Array.from(a.keywords, (_, i) => a.leads?.[i] ?? a.before) };
    }
    anchorIds.set(m, found);
    return found;
  };
  // Scratch space, reused from call to call (it runs for every selected regex of every text).
  const leadFor = new Int32Array(keywordCount);
  const leadStamp = new Int32Array(keywordCount);
  const groupIds = new Int32Array(keywordCount);
  let windowBuffer = new Float64Array(256);
  let stamp = 0;

  return (group: readonly Matcher[], textLength: number, generation: number): number[] | undefined => {
    if (generation !== occurrences.generation) return undefined;
    const { starts, next, head, headOf } = occurrences;
    let widest = 0;
    let after = 0;
    let reach = 0;
    // The group's anchor keywords, each with the widest lead any of its matchers gives it (leadFor, valid
    // where leadStamp says this call wrote it).
    if (++stamp === 0x7fffffff) {
      leadStamp.fill(0);
      stamp = 1;
    }
    let idCount = 0;
    for (const m of group) {
      const a = m.windows?.anchor;
      const anchor = anchorOf(m);
      if (!a || !anchor) return undefined;
      widest = Math.max(widest, a.before);
      after = Math.max(after, a.after);
      reach = Math.max(reach, m.maxMatchLength ?? 0);
      for (let i = 0; i < anchor.ids.length; i++) {
        const id = anchor.ids[i]!;
        if (leadStamp[id] !== stamp) {
          leadStamp[id] = stamp;
          leadFor[id] = anchor.before[i]!;
          groupIds[idCount++] = id;
        } else if (anchor.before[i]! > leadFor[id]!) leadFor[id] = anchor.before[i]!;
      }
    }
    if (widest + after >= WINDOW_SPAN) return undefined; // too wide to pack (and to be worth windowing)
    // Windows as one number each, `from * WINDOW_SPAN + width`, so one native sort orders them by start (a single
    // keyword's chain runs newest first: reversing it is enough).
    let total = 0;
    for (let g = 0; g < idCount; g++) {
      const id = groupIds[g]!;
      if (headOf[id] !== generation) continue;
      const before = leadFor[id]!;
      for (let h = head[id]! - 1; h >= 0; h = next[h]!) {
        if (total === windowBuffer.length) {
          const grown = new Float64Array(total * 2);
          grown.set(windowBuffer);
          windowBuffer = grown;
        }
        const at = starts[h]!;
        const from = at > before ? at - before : 0;
        windowBuffer[total++] = from * WINDOW_SPAN + (at + after - from);
      }
    }
    // Every match holds an occurrence of one of these keywords: none in the text, nothing to run.
    if (total === 0) return [];
    const windows = windowBuffer.subarray(0, total);
    if (idCount > 1) windows.sort();
    else windows.reverse();
    // Narrow windows (a keyword at or near the match start: scan-text.ts tries each start position with a
    // sticky regex) merge only when they touch; wide ones (exec scans them) when closer than one match length,
    // one regex call instead of two. `covered` estimates the work in characters scanned.
    const narrow = widest + after <= NARROW_WINDOW;
    const gap = narrow ? 1 : reach;
    const ranges: number[] = [];
    let covered = 0;
    let from = Math.floor(windows[0]! / WINDOW_SPAN);
    let to = from + (windows[0]! % WINDOW_SPAN);
    for (let k = 1; k < total; k++) {
      const lo = Math.floor(windows[k]! / WINDOW_SPAN);
      const hi = lo + (windows[k]! % WINDOW_SPAN);
      if (lo <= to + gap) {
        if (hi > to) to = hi;
      } else {
        ranges.push(from, to);
        covered += narrow ? (to - from + 1) * STICKY_TRY_COST : to - from + reach;
        from = lo;
        to = hi;
      }
    }
    ranges.push(from, to);
    covered += narrow ? (to - from + 1) * STICKY_TRY_COST : to - from + reach;
    // Mostly covered anyway: one pass over the whole text is cheaper than many windows.
    return covered * 2 > textLength ? undefined : ranges;
  };
}

/**
 * Run an anchored matcher only where its matches can start: `ranges` are merged `[from, to]` start windows from the
 * prefilter's keyword positions (startRanges below, from the prefilter's keyword occurrences; compile.ts `anchorFor`). The regex runs on the text cut at `to` plus
 * one match length (an O(1) V8 slice), from `from`, so lookbehind sees the real text before the window and every
 * match starting at or before `to` reads only characters inside the cut: it is exactly the match a whole-text scan
 * finds there. A match starting after `to` (possible only because of the cut) ends the window. Matches never
 * overlap across windows, as in a whole-text scan.
 */
export function runInRanges(text: string, matcher: Matcher, ranges: readonly number[], found: (m: RegExpExecArray, offset: number) => void): void {
  const re = matcher.regex;
  const reach = matcher.maxMatchLength ?? MAX_OVERLAP;
  let lastEnd = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    const from = Math.max(ranges[k]!, lastEnd);
    const to = ranges[k + 1]!;
    if (from > to) continue;
    const cut = Math.min(text.length, to + reach);
    const subject = cut === text.length ? text : text.slice(0, cut);
    if (to - from <= NARROW_WINDOW) {
      // A few possible starts (the keyword begins the match, or nearly): try each with a sticky copy of the regex,
      // leftmost first, so the result is what exec from `from` would find, without scanning on past `to`.
      const sticky = stickyOf(re);
      const first = matcher.windows?.startChars;
      for (let x = from; x <= to; x++) {
        if (first) {
          const c = text.charCodeAt(x);
          if (first[c < 128 ? c : 128] === 0) continue; // no match can start with this character
        }
        sticky.lastIndex = x;
        const m = sticky.exec(subject);
        if (m === null || m[0].length === 0) continue;
        lastEnd = sticky.lastIndex;
        found(m, 0);
        x = lastEnd - 1;
      }
      continue;
    }
    re.lastIndex = from;
    let m: RegExpExecArray | null;
    while ((m = re.exec(subject)) !== null) {
      if (m.index > to) break;
      if (m[0].length === 0) re.lastIndex++;
      lastEnd = re.lastIndex;
      found(m, 0);
    }
  }
}

const stickyCopies = new WeakMap<RegExp, RegExp>();
/** The same regex with the sticky flag (matches only at lastIndex), made once per regex. */
function stickyOf(re: RegExp): RegExp {
  let sticky = stickyCopies.get(re);
  if (!sticky) stickyCopies.set(re, (sticky = new RegExp(re.source, `${re.flags}y`)));
  return sticky;
}

/** A window longer than a slice: scan the whole text in bounded slices instead (scan-text.ts runMatcher). */
export function rangesTooWide(ranges: readonly number[]): boolean {
  for (let k = 0; k < ranges.length; k += 2) if (ranges[k + 1]! - ranges[k]! > SLICE_SIZE) return true;
  return false;
}
