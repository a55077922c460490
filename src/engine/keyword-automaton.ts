/**
 * The prefilter's keyword automaton (Aho-Corasick), in two forms behind one interface. Issue 7: a dense transition
 * table (premultiplied state offsets in an Int32Array, characters folded to a small alphabet of the keywords' own
 * letters) costs one dependent load per character, ~450 MB/s per core whether there are 20 keywords or 20,000; one
 * V8 alternation regex dropped to ~12 MB/s at that size. But a full table is states x classes large (46,735 x 56 x 4
 * bytes = 10.5 MB for the ~1,000-rule catalogue), and making it — rebuilt from the trie (issue 7) or read back raw —
 * was most of a pre-commit run's start-up. Issue 21: the trie with its failure links (~1.5 MB, what the rule-set
 * image stores) answers small inputs directly, at a few loads per character; the dense table is made from it once
 * an automaton has seen DENSE_AFTER characters, or handed over ready made (a pool's workers share the main thread's
 * in one shared memory, dense-table-memory.ts), and it has rows only for states up to SHALLOW_DEPTH: the rare
 * deeper walks go on on the trie. Measured on 54 M characters of npm code (11 alternated rounds): 358 ms with every
 * state in the table, 349 ms with the shallow ones only; with 29,635 keywords (2,000 rules) the same. All forms
 * report every occurrence, overlapping and contained ones included, in text order (test/regression/issue-21-lazy.test.ts
 * checks them against a naive search).
 */
import { KeyscanError } from "../errors.js";
import { sharedDenseTable } from "./dense-table-memory.js";
import { createInterleavedWalker, type InterleavedWalker, type WalkerOptions, walkerRegionBytes } from "./interleaved-walk.js";
import { constructTrie } from "./keyword-trie.js";
import type { AutomatonTables } from "./plans.js";

/**
 * Characters an automaton reads with the trie before it makes the dense table. The trie costs ~5-10 ns more per
 * character than the table; the table costs ~10-20 ms to make (46,735 states): worth it after a few MB.
 */
export const DENSE_AFTER = 2 << 20;

export interface KeywordAutomaton {
  /** Keyword ids seen in `text`, each once, in order of first occurrence. Stops early once `limit` distinct ids. */
  find(text: string, limit?: number): number[];
  /**
   * Every keyword occurrence in `text`, in text order: `starts[i]` is where occurrence i begins (UTF-16 offset) and
   * `ids[i]` its keyword id. The arrays are reused by the next call; copy what must outlive it.
   */
  findAll(text: string, skip?: readonly [number, number]): { count: number; starts: Int32Array; ids: Int32Array };
  /** Whether any keyword occurs in these bytes, read as Latin-1 (right for ASCII keywords in UTF-8). */
  occursInBytes(data: Uint8Array): boolean;
  states: number;
  /** The tables (the trie always; `transitions` once the dense table is made). */
  tables: AutomatonTables;
  /** The dense table, made now if it is not yet (for a pool's workers to share). */
  dense(): Int32Array;
}

/** A zeroed Int32Array on shared memory (worker threads given it use it as is). */
function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

/**
 * Checks stored tables are the right sizes for these keywords. Their values are trusted: the image that holds them
 * carries a checksum of its bytes and is keyed by keyscan's build (rule-set-image.ts); an O(states) check of every
 * link cost ~10 ms of a pre-commit run.
 */
function check(t: AutomatonTables, keywordCount: number): void {
  const { width, classes, output, dict, fail, edgeStart, edgeClass, edgeTarget, order } = t;
  const n = output.length;
  const bad = (what: string): never => {
    throw new KeyscanError("E_INTERNAL", `prefilter: saved tables are inconsistent (${what}); they are rebuilt instead.`);
  };
  if (t.keywords !== keywordCount) bad("keyword count");
  if (!(width >= 1 && width <= 256) || classes.length % 2 !== 0) bad("alphabet");
  if (n < 1 || dict.length !== n || fail.length !== n || edgeStart.length !== n + 1 || order.length !== n - 1 || edgeClass.length !== n - 1 || edgeTarget.length !== n - 1) bad("sizes");
}

/**
 * States at most this deep get a row in the dense table; deeper ones are walked on the trie (issue 21). Measured on
 * 71 MB of npm code with the shipped keywords: the automaton is at depth <= 6 after 99.64 % of characters, and those
 * states are 7,610 of 46,740 — a 1.7 MB table instead of 10.5 MB, which the cache holds better and which grows with
 * the catalogue far more slowly. Issue 16: once the walk ran in WebAssembly (interleaved-walk.ts), each visit to a
 * deeper state — a JavaScript round trip — was what cost: over 94 MB, depth 6 (8,018 rows, 1.8 MB) left 362,002
 * of them and the walk took 395-418 ms; depth 8 (16,234 rows, 3.6 MB) 69,999 and 224-261 ms; depth 10 (5.8 MB)
 * 25,153 and 194-220 ms, no faster beyond noise for 2.2 MB more per thread. With the 1,022-rule catalogue (9,001
 * keywords) depth 8 was too shallow for common words that begin longer keywords (`identifie` of `identified`,
 * `applicati`, `environme`, `dependenc`): 301,188 trie visits over the 415 MB bench tree against 91,342 with the 324
 * rules, and at depth 10 97,521; the prefilter's selection over 150 M characters of it took 180-190 ms against 203-210
 * (two alternated series). The table is 5.8 MB instead of 3.6, but one copy now serves every thread
 * (dense-table-memory.ts), where each had its own before.
 */
export const SHALLOW_DEPTH = 10;

/** Which states have a dense row: `rowState[r]` is row r's state, `rowOf[s]` state s's row or -1. */
interface Rows {
  rowState: Int32Array;
  rowOf: Int32Array;
}

function shallowRows(t: AutomatonTables, maxDepth: number): Rows {
  const { edgeStart, edgeTarget, order } = t;
  const n = t.output.length;
  const depth = new Int32Array(n);
  const rowOf = new Int32Array(n).fill(-1);
  rowOf[0] = 0;
  let rows = 1;
  for (let e = edgeStart[0]!; e < edgeStart[1]!; e++) depth[edgeTarget[e]!] = 1;
  // Breadth first: depths never decrease along `order`, so the rows are a prefix of it.
  for (let i = 0; i < order.length; i++) {
    const s = order[i]!;
    for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) depth[edgeTarget[e]!] = depth[s]! + 1;
    if (depth[s]! <= maxDepth) rowOf[s] = rows++;
  }
  const rowState = new Int32Array(rows);
  for (let s = 0; s < n; s++) if (rowOf[s]! >= 0) rowState[rowOf[s]!] = s;
  return { rowState, rowOf };
}

/**
 * The dense table from the trie, for the shallow states: breadth first, a state's row is its failure state's (final:
 * shallower) with its own edges over it, one native row copy each. An entry is the target's row offset (row x
 * width), complemented (negative) when the target ends a keyword (itself or through a dictionary link), so the hot
 * loop learns "a keyword ends here" from the value it already loaded; a target too deep for a row is stored as
 * `rows x width + state`, and the walk goes on on the trie until it is back in a shallow state.
 */
function denseFrom(t: AutomatonTables, { rowState, rowOf }: Rows, longest: number): Int32Array {
  const { width, output, dict, fail, edgeStart, edgeClass, edgeTarget } = t;
  const limit = rowState.length * width;
  // In one WebAssembly memory that every thread's walker works in (dense-table-memory.ts), else on shared memory.
  const shared = sharedDenseTable(limit, walkerRegionBytes(longest));
  if (shared) t.transitionsMemory = shared.memory;
  const delta = shared?.table ?? sharedInt32(limit);
  const edge = (s: number): number => {
    const r = rowOf[s]!;
    if (r < 0) return limit + s;
    return output[s]! >= 0 || dict[s]! >= 0 ? ~(r * width) : r * width;
  };
  for (let e = edgeStart[0]!; e < edgeStart[1]!; e++) delta[edgeClass[e]!] = edge(edgeTarget[e]!);
  for (let r = 1; r < rowState.length; r++) {
    const s = rowState[r]!;
    const row = r * width;
    const f = rowOf[fail[s]!]! * width;
    delta.copyWithin(row, f, f + width);
    for (let e = edgeStart[s]!; e < edgeStart[s + 1]!; e++) delta[row + edgeClass[e]!] = edge(edgeTarget[e]!);
  }
  return delta;
}

/**
 * The automaton for lowercase keywords. Letters match in either case (ASCII and any other character whose
 * toUpperCase is one character), every other character literally; characters that occur in no keyword share class 0.
 * `saved`: tables a previous build stored (the rule-set image), used instead of building them again; with their
 * `transitions`, the dense table too.
 */
export function buildKeywordAutomaton(keywords: readonly string[] | Int32Array, saved?: AutomatonTables, shallowDepth = SHALLOW_DEPTH, walk: WalkerOptions | "js" = {}): KeywordAutomaton {
  // With saved tables, the keywords' lengths are all it needs (issue 21: a restored rule set does not make its
  // ~9,000-30,000 keyword strings at start-up; PrefilterLayout.keywordLengths).
  if (keywords instanceof Int32Array && !saved) throw new KeyscanError("E_INTERNAL", "prefilter: the keywords themselves are needed to build tables.");
  const tables = saved ?? constructTrie(keywords as readonly string[]);
  const lengths = keywords instanceof Int32Array ? keywords : Int32Array.from(keywords, (k) => k.length);
  const keywordCount = lengths.length;
  if (saved) check(saved, keywordCount);
  // The dense rows are worked out only with the dense table (issue 20: a walk over the ~46,000 states was ~4 ms of
  // every start, though a pre-commit run's few KB never reach DENSE_AFTER); the walks below read them only then.
  let rowState: Int32Array = new Int32Array(0);
  let rowOf: Int32Array = new Int32Array(0);
  let limit = 0;
  const useRows = (): Rows => {
    const rows = shallowRows(tables, shallowDepth);
    ({ rowState, rowOf } = rows);
    limit = rowState.length * tables.width;
    return rows;
  };
  if (tables.transitions) {
    useRows();
    if (tables.transitions.length !== limit) throw new KeyscanError("E_INTERNAL", "prefilter: saved tables are inconsistent (transitions); they are rebuilt instead.");
  }
  const { width, output: out, dict, fail, edgeStart, edgeClass, edgeTarget } = tables;
  const n = out.length;
  const classOf = new Uint8Array(65536);
  const classOfWide = new Map<number, number>();
  for (let i = 0; i < tables.classes.length; i += 2) {
    if (tables.classes[i]! < 65536) classOf[tables.classes[i]!] = tables.classes[i + 1]!;
    else classOfWide.set(tables.classes[i]!, tables.classes[i + 1]!);
  }
  const rootRow = new Int32Array(width);
  for (let e = edgeStart[0]!; e < edgeStart[1]!; e++) rootRow[edgeClass[e]!] = edgeTarget[e]!;
  const classFor = (code: number): number => (code < 65536 ? classOf[code]! : (classOfWide.get(code) ?? 0));
  const wide = classOfWide.size > 0;
  const seen = new Uint32Array(keywordCount);
  let stamp = 0;
  let hitStarts = new Int32Array(1024);
  let hitIds = new Int32Array(1024);
  let delta = tables.transitions;
  let read = 0;
  const longest = lengths.reduce((most, n) => Math.max(most, n), 0);
  const dense = (): Int32Array => (delta ??= tables.transitions = denseFrom(tables, useRows(), longest));
  const ends = (x: number): boolean => out[x]! >= 0 || dict[x]! >= 0;
  /** The trie's move from state s on class c (following failure links). */
  const step = (s: number, c: number): number => {
    for (;;) {
      if (s === 0) return rootRow[c]!;
      for (let e = edgeStart[s]!, end = edgeStart[s + 1]!; e < end; e++) if (edgeClass[e] === c) return edgeTarget[e]!;
      s = fail[s]!;
    }
  };
  // Issue 16: with the dense table, texts are walked in WebAssembly, several streams at once (interleaved-walk.ts);
  // the loops below stay for the trie-only start, alphabets beyond UTF-16 units, and where WebAssembly is missing.
  let walker: InterleavedWalker | undefined | null = null; // null: not made yet
  let walked = 0; // hits of the current walker run
  const emitHit = (end: number, x: number): void => {
    walked = hit(walked, end, x);
  };
  // Made with the dense table only, so a pre-commit run never pays for it (not even the longest keyword's length).
  const makeWalker = (d: Int32Array): InterleavedWalker | undefined => {
    if (wide || walk === "js") return undefined;
    const memory = tables.transitionsMemory;
    const options = memory && !walk.shared ? { ...walk, shared: { memory } } : walk;
    return createInterleavedWalker(d, width, rowState, tables.classes, longest, { step: (x, code) => step(x, classOf[code]!), ends, rowOf }, options);
  };
  const hit = (count: number, end: number, x: number): number => {
    if (out[x]! < 0) x = dict[x]!;
    while (x >= 0) {
      const id = out[x]!;
      if (count === hitIds.length) {
        const grownStarts = new Int32Array(count * 2);
        grownStarts.set(hitStarts);
        hitStarts = grownStarts;
        const grownIds = new Int32Array(count * 2);
        grownIds.set(hitIds);
        hitIds = grownIds;
      }
      hitStarts[count] = end + 1 - lengths[id]!;
      hitIds[count] = id;
      count++;
      x = dict[x]!;
    }
    return count;
  };

  /**
   * findAll's walks in JavaScript (on the trie until the dense table exists; on the dense table where WebAssembly is
   * missing or the alphabet is wider than UTF-16 units), in a function of their own: findAll, which takes the
   * WebAssembly walk once the table exists, is then compiled without these loops and is not deoptimised when a scan
   * moves from one walk to the other (issue 21). `skipFrom` < 0: nothing skipped. Returns the hit count. The skip
   * costs one compare a character: the walk as a function called for each part was ~15 % slower (issue 16, measured
   * as the findAll of separate module copies over 41 MB, alternated process by process).
   */
  const walkJs = (text: string, d: Int32Array | undefined, skipFrom: number, skipTo: number): number => {
    let count = 0;
    let s = 0;
    if (d) {
      const lim = limit; // the rows are made with d: locals for the loop
      const rOf = rowOf;
      const rSt = rowState;
      const len = text.length;
      for (let i = 0; i < len; i++) {
        if (i === skipFrom) {
          i = skipTo - 1;
          s = 0;
          continue;
        }
        const code = text.charCodeAt(i);
        const c = wide && code >= 0xd800 && code <= 0xdbff ? classFor(text.codePointAt(i)!) : classOf[code]!;
        const v = d[s + c]!;
        if (v >= 0) {
          if (v < lim) {
            s = v;
            continue;
          }
          // Too deep for a row (~0.4 % of characters): on the trie until back in a shallow state.
          let x = v - lim;
          for (;;) {
            if (ends(x)) count = hit(count, i, x);
            if (++i >= len || i === skipFrom) {
              i--;
              s = 0;
              break;
            }
            const code2 = text.charCodeAt(i);
            x = step(x, wide && code2 >= 0xd800 && code2 <= 0xdbff ? classFor(text.codePointAt(i)!) : classOf[code2]!);
            const r = rOf[x]!;
            if (r >= 0) {
              if (ends(x)) count = hit(count, i, x);
              s = r * width;
              break;
            }
          }
          continue;
        }
        s = ~v;
        count = hit(count, i, rSt[s / width]!);
      }
    } else {
      for (let i = 0, len = text.length; i < len; i++) {
        if (i === skipFrom) {
          i = skipTo - 1;
          s = 0;
          continue;
        }
        const code = text.charCodeAt(i);
        const c = wide && code >= 0xd800 && code <= 0xdbff ? classFor(text.codePointAt(i)!) : classOf[code]!;
        s = step(s, c);
        if (out[s]! >= 0 || dict[s]! >= 0) count = hit(count, i, s);
      }
    }
    return count;
  };

  return {
    states: n,
    tables,
    dense,
    // Its walk mirrors findAll's on purpose: this one reads bytes and stops at the first hit, that one reads UTF-16
    // units and records every hit; a shared loop would need a per-character callback on the hottest path there is.
    occursInBytes(data: Uint8Array): boolean {
      if (keywordCount === 0) return false;
      if (delta === undefined && (read += data.length) > DENSE_AFTER) dense();
      const d = delta;
      let s = 0;
      if (d) {
        const lim = limit; // the rows are made with d: locals for the loop
        const rOf = rowOf;
        for (let i = 0, len = data.length; i < len; i++) {
          const v = d[s + classOf[data[i]!]!]!;
          if (v >= 0) {
            if (v < lim) {
              s = v;
              continue;
            }
            // Too deep for a row: on the trie until back in a shallow state.
            let x = v - lim;
            for (;;) {
              if (ends(x)) return true;
              if (++i >= len) return false;
              x = step(x, classOf[data[i]!]!);
              if (rOf[x]! >= 0) {
                if (ends(x)) return true;
                s = rOf[x]! * width;
                break;
              }
            }
            continue;
          }
          return true;
        }
        return false;
      }
      for (let i = 0, len = data.length; i < len; i++) {
        s = step(s, classOf[data[i]!]!);
        if (out[s]! >= 0 || dict[s]! >= 0) return true;
      }
      return false;
    },
    findAll(text: string, skip?: readonly [number, number]) {
      if (keywordCount === 0) return { count: 0, starts: hitStarts, ids: hitIds };
      if (delta === undefined && (read += text.length) > DENSE_AFTER) dense();
      // `skip`: a stretch never to read (a source map's VLQ positions, scan-text.ts); the walk restarts after it.
      const skipFrom = skip && skip[1] > skip[0] ? skip[0] : -1; // an empty stretch skips nothing (and must not loop)
      const skipTo = skip ? skip[1] : -1;
      const d = delta;
      if (d && walker === null) walker = makeWalker(d);
      if (d && walker) {
        walked = 0;
        const len = text.length;
        if (skipFrom < 0) walker.walk(text, 0, len, emitHit);
        else {
          walker.walk(text, 0, Math.min(skipFrom, len), emitHit);
          walker.walk(text, Math.min(skipTo, len), len, emitHit);
        }
        return { count: walked, starts: hitStarts, ids: hitIds };
      }
      return { count: walkJs(text, d, skipFrom, skipTo), starts: hitStarts, ids: hitIds };
    },
    find(text: string, limit = keywordCount): number[] {
      // Distinct ids in order of first occurrence, from findAll (one hot loop to keep right, not two).
      const found: number[] = [];
      if (keywordCount === 0) return found;
      if (++stamp === 0xffffffff) {
        seen.fill(0);
        stamp = 1;
      }
      const all = this.findAll(text);
      for (let h = 0; h < all.count && found.length < limit; h++) {
        const id = all.ids[h]!;
        if (seen[id] === stamp) continue;
        seen[id] = stamp;
        found.push(id);
      }
      return found;
    },
  };
}
