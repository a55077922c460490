/**
 * The keyword prefilter: one case-insensitive pass over a text that tells which matchers can possibly match, so a
 * file runs only the few regexes whose keywords occur in it instead of every rule's regex. It is an Aho-Corasick
 * automaton compiled to a dense transition table (premultiplied state offsets in an Int32Array, characters folded to
 * a small alphabet of the keywords' own letters), so the pass costs the same per character whether there are 20
 * keywords or 20 000. Issue 7 measured the alternative on 200 provider files (~5 300 keywords, because env names are
 * expanded into their separator variants): one V8 alternation regex — flat or trie-shaped — drops to ~12 MB/s
 * there, because irregexp falls back to interpreting a pattern that large; this table runs at ~400 MB/s on the same
 * text, and at the same speed as the alternation did with the 6 seed rules. Every keyword occurrence is seen,
 * overlapping and contained ones included (the automaton's dictionary links report `api-key` inside `x-api-key`).
 * Matchers without keywords always run.
 */
import { KeyscanError } from "../errors.js";
import type { AutomatonTables } from "./plans.js";
import { createWindowFinder } from "./regex/windows.js";
import type { KeywordOccurrences, Matcher, Prefilter, Selection } from "./rule.js";

/** The compiled automaton. Exported for tests and the benchmark; `select` is the interface the engine uses. */
export interface KeywordAutomaton {
  /** Keyword ids seen in `text`, each once, in order of first occurrence. Stops early once `limit` distinct ids. */
  find(text: string, limit?: number): number[];
  /**
   * Every keyword occurrence in `text`, in text order: `starts[i]` is where occurrence i begins (UTF-16 offset) and
   * `ids[i]` its keyword id. The arrays are reused by the next call; copy what must outlive it.
   */
  findAll(text: string): { count: number; starts: Int32Array; ids: Int32Array };
  /** Whether any keyword occurs in these bytes, read as Latin-1 (right for ASCII keywords in UTF-8). */
  occursInBytes(data: Uint8Array): boolean;
  states: number;
  /** The tables in their saved form. */
  tables: AutomatonTables;
}


interface Tables {
  classOf: Uint8Array;
  classOfWide: Map<number, number>;
  width: number;
  n: number;
  /** Premultiplied transitions; negative (complemented) into states that end a keyword (complementEnds). */
  delta: Int32Array;
  output: Int32Array;
  dict: Int32Array;
  saved: AutomatonTables;
}

function constructTables(keywords: readonly string[]): Tables {
  // Alphabet: class 0 = "not in any keyword"; one class per distinct keyword character, upper case folded onto it.
  const classOf = new Uint8Array(65536);
  const classOfWide = new Map<number, number>();
  let width = 1;
  const classFor = (code: number): number => (code < 65536 ? classOf[code]! : (classOfWide.get(code) ?? 0));
  const setClass = (code: number, cls: number): void => {
    if (code < 65536) classOf[code] = cls;
    else classOfWide.set(code, cls);
  };
  for (const k of keywords) {
    for (let i = 0; i < k.length; i++) {
      const code = k.charCodeAt(i);
      if (classFor(code) !== 0) continue;
      if (width === 256) throw new Error("prefilter: more than 255 distinct keyword characters");
      setClass(code, width);
      const ch = k[i]!;
      for (const variant of [ch.toUpperCase(), ch.toLowerCase()]) if (variant.length === 1) setClass(variant.charCodeAt(0), width);
      width++;
    }
  }
  if (width > 256) throw new Error("prefilter: alphabet too large");

  // Trie (goto function) in one flat table of premultiplied offsets (state * width, so the hot loop does one add and
  // one load per character; 0 = root = "no edge" while building), children also kept as linked lists. Then, breadth
  // first, each state's row starts as a copy of its failure state's row (already final: it is shallower) with its
  // own edges written over it. Row copies are native (copyWithin), so a cold build — a CLI run never warms the JIT —
  // stays in the low milliseconds for thousands of keywords.
  let maxStates = 1;
  for (const k of keywords) maxStates += k.length;
  const table = new Int32Array(maxStates * width);
  const output = new Int32Array(maxStates).fill(-1);
  const firstChild = new Int32Array(maxStates).fill(-1);
  const nextSibling = new Int32Array(maxStates).fill(-1);
  const edgeClass = new Int32Array(maxStates);
  const parent = new Int32Array(maxStates);
  let n = 1;
  for (let id = 0; id < keywords.length; id++) {
    const k = keywords[id]!;
    let s = 0;
    for (let i = 0; i < k.length; i++) {
      const c = classFor(k.charCodeAt(i));
      const at = s * width + c;
      if (table[at] === 0) {
        table[at] = n * width;
        edgeClass[n] = c;
        parent[n] = s;
        nextSibling[n] = firstChild[s]!;
        firstChild[s] = n;
        n++;
      }
      s = table[at]! / width;
    }
    output[s] = id;
  }
  const fail = new Int32Array(n); // failure state (plain index)
  const dict = new Int32Array(n).fill(-1); // nearest proper suffix state that ends a keyword
  const queue = new Int32Array(n);
  let tail = 0;
  for (let t = firstChild[0]!; t >= 0; t = nextSibling[t]!) queue[tail++] = t;
  for (let head = 0; head < tail; head++) {
    const s = queue[head]!;
    const f = fail[s]!;
    dict[s] = output[f]! >= 0 ? f : dict[f]!;
    const row = s * width;
    // A child's failure state is the failure state's transition on the same character (f's row is final).
    for (let t = firstChild[s]!; t >= 0; t = nextSibling[t]!) {
      fail[t] = table[f * width + edgeClass[t]!]! / width;
      queue[tail++] = t;
    }
    if (s !== 0) {
      table.copyWithin(row, f * width, f * width + width);
      for (let t = firstChild[s]!; t >= 0; t = nextSibling[t]!) table[row + edgeClass[t]!] = t * width;
    }
  }
  const delta = sharedInt32(n * width);
  delta.set(table.subarray(0, n * width));
  complementEnds(delta, n, width, output, dict);
  const classes: number[] = [];
  for (let code = 0; code < 65536; code++) if (classOf[code] !== 0) classes.push(code, classOf[code]!);
  for (const [code, cls] of classOfWide) classes.push(code, cls);
  const saved: AutomatonTables = { keywords: keywords.length, width, classes: Int32Array.from(classes), order: queue.slice(0, tail), parent: parent.slice(0, n), edgeClass: edgeClass.slice(0, n), fail, output: output.slice(0, n), dict, transitions: delta };
  return { classOf, classOfWide, width, n, delta, output, dict, saved };
}

/** A zeroed Int32Array on shared memory (see AutomatonTables.transitions). */
function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

/**
 * Transitions into a state that ends a keyword (itself or through a dictionary link) are stored complemented
 * (negative), so the hot loop learns "a keyword ends here" from the value it already loaded: one load per character.
 */
function complementEnds(delta: Int32Array, n: number, width: number, output: Int32Array, dict: Int32Array): void {
  const ends = new Uint8Array(n);
  for (let s = 0; s < n; s++) if (output[s]! >= 0 || dict[s]! >= 0) ends[s] = 1;
  for (let i = 0; i < delta.length; i++) if (ends[delta[i]! / width] === 1) delta[i] = ~delta[i]!;
}

/** The tables `constructTables` made, from their saved form; throws on tables that do not fit together. */
function restoreTables(saved: AutomatonTables, keywordCount: number): Tables {
  const { width, classes, order, parent, edgeClass, fail, output, dict } = saved;
  const n = output.length;
  const bad = (what: string): never => {
    throw new KeyscanError("E_INTERNAL", `prefilter: saved tables are inconsistent (${what}); they are rebuilt instead.`);
  };
  if (saved.keywords !== keywordCount) bad("keyword count");
  if (!(width >= 1 && width <= 256) || classes.length % 2 !== 0) bad("alphabet");
  if (n < 1 || order.length !== n - 1 || parent.length !== n || edgeClass.length !== n || fail.length !== n || dict.length !== n) bad("sizes");
  const classOf = new Uint8Array(65536);
  const classOfWide = new Map<number, number>();
  for (let i = 0; i < classes.length; i += 2) {
    const code = classes[i]!;
    const cls = classes[i + 1]!;
    if (!(cls >= 1 && cls < width && code >= 0 && code <= 0x10ffff)) bad("class");
    if (code < 65536) classOf[code] = cls;
    else classOfWide.set(code, cls);
  }
  for (let s = 0; s < n; s++) {
    if (!(parent[s]! >= 0 && parent[s]! < n && fail[s]! >= 0 && fail[s]! < n && edgeClass[s]! >= 0 && edgeClass[s]! < width)) bad("links");
    if (!(output[s]! >= -1 && output[s]! < keywordCount && dict[s]! >= -1 && dict[s]! < n)) bad("outputs");
  }
  if (saved.transitions && saved.transitions.length === n * width) return { classOf, classOfWide, width, n, delta: saved.transitions, output, dict, saved };
  const delta = sharedInt32(n * width);
  // Root edges, then breadth first: a state's row is its failure state's (final, shallower) with its own edges over it.
  let c = 0;
  // Edges into keyword-ending states are written complemented here (as complementEnds does after a build), and row
  // copies carry them along: no second pass over the table on the warm start.
  const edge = (t: number): number => (output[t]! >= 0 || dict[t]! >= 0 ? ~(t * width) : t * width);
  for (; c < order.length && parent[order[c]!] === 0; c++) delta[edgeClass[order[c]!]!] = edge(order[c]!);
  for (let h = 0; h < order.length; h++) {
    const s = order[h]!;
    const f = fail[s]!;
    const row = s * width;
    delta.copyWithin(row, f * width, f * width + width);
    for (; c < order.length && parent[order[c]!] === s; c++) delta[row + edgeClass[order[c]!]!] = edge(order[c]!);
  }
  if (c !== order.length) bad("order");
  saved.transitions = delta;
  return { classOf, classOfWide, width, n, delta, output, dict, saved };
}

/** The saved form of an automaton's tables (for the rule-set cache). */
const savedTables = new WeakMap<object, AutomatonTables>();

/** The tables a prefilter's automaton was built from, to store (rule-cache.ts); undefined for other prefilters. */
export function prefilterTables(prefilter: Prefilter): AutomatonTables | undefined {
  return savedTables.get(prefilter);
}

/**
 * Build the automaton for lowercase keywords. Letters match in either case (ASCII and any other character whose
 * toUpperCase is one character), every other character literally; characters that occur in no keyword share class 0.
 * `saved`: tables a previous build stored (prefilterTables), used instead of building them again.
 */
export function buildKeywordAutomaton(keywords: readonly string[], saved?: AutomatonTables): KeywordAutomaton {
  const { classOf, classOfWide, width, n, delta, output, dict, saved: tables } = saved ? restoreTables(saved, keywords.length) : constructTables(keywords);
  const classFor = (code: number): number => (code < 65536 ? classOf[code]! : (classOfWide.get(code) ?? 0));
  const out = output;
  const wide = classOfWide.size > 0;
  const seen = new Uint32Array(keywords.length);
  let stamp = 0;
  const lengths = Int32Array.from(keywords, (k) => k.length);
  let hitStarts = new Int32Array(1024);
  let hitIds = new Int32Array(1024);

  return {
    states: n,
    tables,
    occursInBytes(data: Uint8Array): boolean {
      if (keywords.length === 0) return false;
      let s = 0;
      for (let i = 0, len = data.length; i < len; i++) {
        s = delta[s + classOf[data[i]!]!]!;
        if (s < 0) return true;
      }
      return false;
    },
    findAll(text: string) {
      let count = 0;
      if (keywords.length === 0) return { count, starts: hitStarts, ids: hitIds };
      let s = 0;
      for (let i = 0, len = text.length; i < len; i++) {
        const code = text.charCodeAt(i);
        const c = wide && code >= 0xd800 && code <= 0xdbff ? classFor(text.codePointAt(i)!) : classOf[code]!;
        s = delta[s + c]!;
        if (s < 0) {
          s = ~s;
          let x = s / width;
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
            hitStarts[count] = i + 1 - lengths[id]!;
            hitIds[count] = id;
            count++;
            x = dict[x]!;
          }
        }
      }
      return { count, starts: hitStarts, ids: hitIds };
    },
    find(text: string, limit = keywords.length): number[] {
      // Distinct ids in order of first occurrence, from findAll (one hot loop to keep right, not two).
      const found: number[] = [];
      if (keywords.length === 0) return found;
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

/** `saved`: the automaton tables of an earlier build for the same keywords (prefilterTables; rule-cache.ts). */
export function buildPrefilter(matchers: readonly Matcher[], saved?: AutomatonTables): Prefilter {
  const always: Matcher[] = [];
  const pathGated: Matcher[] = [];
  const byKeyword = new Map<string, Matcher[]>();
  for (const m of matchers) {
    if (m.keywords.length === 0) {
      (m.rule?.pathOnly ? pathGated : always).push(m); // `?.`: tests build bare matchers
      continue;
    }
    for (const k of m.keywords) {
      const list = byKeyword.get(k);
      if (list) list.push(m);
      else byKeyword.set(k, [m]);
    }
  }
  const keywords = [...byKeyword.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const lists = keywords.map((k) => byKeyword.get(k)!);
  const automaton = buildKeywordAutomaton(keywords, saved);
  const total = matchers.length;
  const asciiOnly = keywords.every((k) => /^[\x00-\x7f]*$/.test(k));
  const idOf = new Map(keywords.map((k, i) => [k, i]));
  const matcherLists = lists;
  // selectAt's scratch space (see there), read by the window finder while the selection is current.
  const occurrences: KeywordOccurrences = { generation: 0, starts: new Int32Array(0), next: new Int32Array(1024), head: new Int32Array(keywords.length), headOf: new Int32Array(keywords.length) };
  const { head, headOf } = occurrences;
  let next = occurrences.next;
  const startRanges = createWindowFinder(matchers, idOf, occurrences);

  const prefilter: Prefilter = {
    keywords,
    pathGated,
    mayMatchBytes(data: Uint8Array): boolean {
      if (always.length > 0 || !asciiOnly) return true;
      return automaton.occursInBytes(data);
    },
    selectAt(text: string): Selection {
      if (keywords.length === 0) return { matchers: always.slice(), startRanges: () => undefined };
      // The automaton's hit arrays and the chains below are scratch space shared by every call (issue 7: fresh
      // arrays per text were most of the young-generation garbage of a tree scan); `mine` tells a Selection whose
      // scratch a later call has reused, and its startRanges then answers "whole text" (always correct).
      if (occurrences.generation === 0x7ffffffe) {
        headOf.fill(0);
        occurrences.generation = 0;
      }
      const mine = ++occurrences.generation;
      const found = automaton.findAll(text);
      const count = found.count;
      const ids = found.ids;
      occurrences.starts = found.starts;
      if (next.length < count) occurrences.next = next = new Int32Array(Math.max(count, next.length * 2));
      // Occurrences chained per keyword (newest first), so a group reads only its own keywords' positions.
      // head[id] is 1 + the keyword's latest occurrence, valid where headOf[id] === mine (else: none).
      const selected = new Set<Matcher>(always);
      for (let h = 0; h < count; h++) {
        const id = ids[h]!;
        let previous = -1;
        if (headOf[id] === mine) previous = head[id]! - 1;
        else {
          headOf[id] = mine;
          for (const m of matcherLists[id]!) selected.add(m);
        }
        next[h] = previous;
        head[id] = h + 1;
      }
      return {
        matchers: [...selected],
        startRanges: (group: readonly Matcher[], textLength: number) => startRanges(group, textLength, mine),
      };
    },
    select(text: string): Matcher[] {
      if (keywords.length === 0) return always.slice();
      occurrences.generation++; // the automaton's hit arrays are about to be reused
      const selected = new Set<Matcher>(always);
      for (const id of automaton.find(text)) {
        for (const m of lists[id]!) selected.add(m);
        if (selected.size === total) break;
      }
      return [...selected];
    },
  };
  savedTables.set(prefilter, automaton.tables);
  return prefilter;
}
