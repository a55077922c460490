/**
 * The plain-data forms that compiling a rule set produces and the rule-set cache stores (rule-cache.ts, issue 7): a
 * matcher's plan (its expanded regex and what the analysis found), its keyword anchor, the characters a match can
 * start with, and the prefilter automaton's tables. Types only, importing nothing, so the cache, the compiler, the
 * regex analysis and the prefilter can all use them without importing one another.
 */

/** Where a matcher's matches can start relative to its keywords' occurrences (compile.ts `anchorFor`). */
export interface MatcherAnchor {
  /** Lowercase keywords (a subset of the matcher's) whose occurrences bound the windows. */
  keywords: readonly string[];
  /** The most characters a match can start before an occurrence of any of `keywords`. */
  before: number;
  /** When the keywords differ: `leads[i]` (≤ `before`) is that bound for `keywords[i]` alone. */
  leads?: readonly number[];
  after: number;
}

/** What windowed matching (regex/windows.ts) keeps on a matcher: its anchor and the characters a match can start with. */
export interface MatcherWindows {
  anchor: MatcherAnchor;
  /**
   * `startChars[c]` is 1 for an ASCII code `c` that can begin a match, and `startChars[128]` is 1 when any non-ASCII
   * character can. Absent when a match may be empty. Narrow windows skip start positions the table rules out
   * instead of calling the regex there (issue 7).
   */
  startChars?: Uint8Array;
}

/**
 * The characters a match can begin with: ASCII ones as 128 bits (four 32-bit words), and whether any non-ASCII
 * character can. Issue 7: the matcher tries a regex at each possible start of a narrow window (scan-text.ts), and
 * most tries fail on the first character (`EAA…` tried at every lowercase `eaa`): one table lookup rules them out.
 */
export interface StartSet {
  bits: [number, number, number, number];
  nonAscii: boolean;
}

/**
 * A matcher as plain data: everything compile works out for it (the expanded regex, its keywords, the analysis
 * results) except the RegExp object and the Rule, which it names by index in the provider's `rules`. The rule-set
 * cache (rule-cache.ts) stores these, so a warm start does one `new RegExp` per matcher and no analysis (issue 7).
 */
export interface MatcherPlan {
  /** Index of the matcher's rule in the provider file's `rules`. */
  rule: number;
  usage: string;
  source: string;
  flags: string;
  keywords: string[];
  /**
   * The keywords as the pattern spells them, when every match holds one of them exactly so (compile.ts
   * exactSpellings): the prefilter may ignore occurrences in another case.
   */
  exact?: string[];
  near?: string[];
  /** Words of which every match holds one (`secret.requires`): a gate, like near words. */
  requires?: string[];
  nearLines: number;
  minEntropy?: number;
  specificity: number;
  maxMatchLength: number;
  anchor?: MatcherAnchor;
  /** What a match can start with (StartSet); absent when a match may be empty. */
  startSet?: StartSet;
  /**
   * A reference matcher's value pattern (issue 17, usage-refs.ts): its match is an identifier, and the literal
   * assigned to that identifier must match this whole (its `secret` group is the secret).
   */
  refValue?: string;
  /** An extractor matcher (issue 17, `extract: sql-column`): the statement form, the wanted columns, the cells' format. */
  extract?: MatcherExtract;
}

/** What an extractor matcher reads (sql-columns.ts): the statement its regex finds the head of, and which cells count. */
export interface MatcherExtract {
  statement: "insert" | "insert-table" | "copy";
  columns: string[];
  /** The format a cell must match whole, with its `secret` group (or the whole cell). */
  value: string;
}

/**
 * The keyword automaton as the rule-set image stores it (rule-set-image.ts, issue 21): the trie with its failure and
 * dictionary links (~1.5 MB for ~8,600 keywords), from which small inputs are answered directly and the dense
 * transition table (shallow states x classes, 5.8 MB with the shipped catalogue) is made once an input is large
 * (keyword-automaton.ts). Plain typed arrays; `keywords` is the count they were built for.
 */
export interface AutomatonTables {
  keywords: number;
  width: number;
  /** (UTF-16 unit, class) pairs for every character with a class, by code. */
  classes: Int32Array;
  /** Keyword id ending at each state, or -1. */
  output: Int32Array;
  /** Nearest proper suffix state that ends a keyword, or -1. */
  dict: Int32Array;
  /** Failure state of each state (root: 0). */
  fail: Int32Array;
  /** State s's children: `edgeClass`/`edgeTarget` from `edgeStart[s]` up to `edgeStart[s + 1]`. */
  edgeStart: Int32Array;
  edgeClass: Int32Array;
  edgeTarget: Int32Array;
  /** Non-root states, breadth first (a state's failure and dictionary links come before it). */
  order: Int32Array;
  /**
   * The dense table once made (rows for the states up to keyword-automaton.ts SHALLOW_DEPTH; entries are row offsets,
   * complemented into keyword-ending states), in shared memory (a WebAssembly memory where there is one) so that
   * worker threads use the main thread's copy. Never stored.
   */
  transitions?: Int32Array;
  /** The shared WebAssembly memory that holds `transitions`, when it is in one (dense-table-memory.ts). Never stored. */
  transitionsMemory?: { readonly buffer: ArrayBuffer | SharedArrayBuffer };
}

/**
 * Which matchers each keyword selects, by matcher index (issue 21): the prefilter works on indices, so a rule set
 * restored from its image materialises a matcher only when one of its keywords occurs (lazy-rule-set.ts).
 */
export interface PrefilterLayout {
  /**
   * Lowercase keywords, longest first (keyword ids are indices here). A rule set restored from its image makes this
   * list only when it is read (rule-set-image.ts): scanning needs `keywordLengths` and `keywordsAscii`, not the words.
   */
  readonly keywords: readonly string[];
  /** Each keyword's length (UTF-16 units). */
  keywordLengths: Int32Array;
  /** Whether every keyword is ASCII (the bytes prefilter, Prefilter.mayMatchBytes, is then exact). */
  keywordsAscii: boolean;
  /** Keyword `id` alone (what `keywords[id]` is, without making the list). */
  keywordAt(id: number): string;
  /** Keyword `k` selects `items[starts[k]]` up to `items[starts[k + 1]]`, in matcher order. */
  starts: Int32Array;
  items: Int32Array;
  /** Matchers without keywords that always run, and those gated by their rule's path instead (issue 17). */
  always: Int32Array;
  pathGated: Int32Array;
  /**
   * Gates (near words): matcher `m` runs only if one of the keywords `gateItems[gateStarts[m]]` up to
   * `gateItems[gateStarts[m + 1]]` also occurs in the text; none listed, no gate (prefilter.ts).
   */
  gateStarts: Int32Array;
  gateItems: Int32Array;
  /** Per keyword, the spelling an occurrence must have to count ("" = any case): see prefilterLayout. */
  exact: readonly string[];
  /** Keyword ids whose occurrences count only as words of their own (letters-only near words; prefilterLayout). */
  wordOnly: readonly number[];
  /** Matchers in the set. */
  total: number;
}
