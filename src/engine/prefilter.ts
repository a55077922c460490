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
import type { Matcher } from "./rule.js";

export interface Prefilter {
  /** Matchers worth running on `text`. */
  select(text: string): Matcher[];
  /** Every keyword, lowercase (for `rules list` and the ripgrep floor in bench/). */
  keywords: readonly string[];
  /**
   * Whether any matcher could run on the UTF-8 text these bytes decode to, decided on the bytes themselves, so that
   * a file without a keyword is never decoded. Exact when every keyword is ASCII (invalid UTF-8 decodes to U+FFFD,
   * never to ASCII); with a non-ASCII keyword it answers true (decode and select as usual).
   */
  mayMatchBytes(data: Uint8Array): boolean;
}

/** The compiled automaton. Exported for tests and the benchmark; `select` is the interface the engine uses. */
export interface KeywordAutomaton {
  /** Keyword ids seen in `text`, each once, in order of first occurrence. Stops early once `limit` distinct ids. */
  find(text: string, limit?: number): number[];
  /** Whether any keyword occurs in these bytes, read as Latin-1 (right for ASCII keywords in UTF-8). */
  occursInBytes(data: Uint8Array): boolean;
  states: number;
}

/**
 * Build the automaton for lowercase keywords. Letters match in either case (ASCII and any other character whose
 * toUpperCase is one character), every other character literally; characters that occur in no keyword share class 0.
 */
export function buildKeywordAutomaton(keywords: readonly string[]): KeywordAutomaton {
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
  const delta = table.subarray(0, n * width);
  const hasOutput = new Uint8Array(n * width);
  for (let s = 0; s < n; s++) if (output[s]! >= 0 || dict[s]! >= 0) hasOutput[s * width] = 1;
  const out = output;
  const wide = classOfWide.size > 0;
  const seen = new Uint32Array(keywords.length);
  let stamp = 0;

  return {
    states: n,
    occursInBytes(data: Uint8Array): boolean {
      if (keywords.length === 0) return false;
      let s = 0;
      for (let i = 0, len = data.length; i < len; i++) {
        s = delta[s + classOf[data[i]!]!]!;
        if (hasOutput[s] === 1) return true;
      }
      return false;
    },
    find(text: string, limit = keywords.length): number[] {
      const found: number[] = [];
      if (keywords.length === 0) return found;
      // A per-call stamp instead of a fresh zeroed array per text (thousands of keywords, tens of thousands of files).
      if (++stamp === 0xffffffff) {
        seen.fill(0);
        stamp = 1;
      }
      let s = 0;
      for (let i = 0, len = text.length; i < len; i++) {
        const code = text.charCodeAt(i);
        // Surrogate pairs only matter when a keyword holds a character outside the BMP (never in practice).
        const c = wide && code >= 0xd800 && code <= 0xdbff ? classFor(text.codePointAt(i)!) : classOf[code]!;
        s = delta[s + c]!;
        if (hasOutput[s] === 1) {
          let x = s / width;
          if (out[x]! < 0) x = dict[x]!;
          while (x >= 0) {
            const id = out[x]!;
            if (seen[id] !== stamp) {
              seen[id] = stamp;
              found.push(id);
              if (found.length >= limit) return found;
            }
            x = dict[x]!;
          }
        }
      }
      return found;
    },
  };
}

export function buildPrefilter(matchers: readonly Matcher[]): Prefilter {
  const always: Matcher[] = [];
  const byKeyword = new Map<string, Matcher[]>();
  for (const m of matchers) {
    if (m.keywords.length === 0) {
      always.push(m);
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
  const automaton = buildKeywordAutomaton(keywords);
  const total = matchers.length;
  const asciiOnly = keywords.every((k) => /^[\x00-\x7f]*$/.test(k));

  return {
    keywords,
    mayMatchBytes(data: Uint8Array): boolean {
      if (always.length > 0 || !asciiOnly) return true;
      return automaton.occursInBytes(data);
    },
    select(text: string): Matcher[] {
      if (keywords.length === 0) return always.slice();
      const selected = new Set<Matcher>(always);
      for (const id of automaton.find(text)) {
        for (const m of lists[id]!) selected.add(m);
        if (selected.size === total) break;
      }
      return [...selected];
    },
  };
}
