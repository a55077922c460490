/**
 * The compiled form of a rule file: what the scanner actually runs. A provider file's rules and usages are
 * expanded once, at load, into flat `Matcher`s (one regex each, with a `secret` group and the keywords that gate it)
 * so the hot path never interprets YAML structure. `RuleSet` bundles the matchers with their prefilter and a
 * content hash (`version`) that reports, caches and shard merges use to tell rule sets apart.
 */
import type { Severity, VerifySpec, ExampleSpec, ProviderFile, AccessSpec, RevokeSpec } from "./rule-schema.js";
import type { ParserName } from "./filters/parse.js";
import type { MatcherWindows } from "./plans.js";

export interface Provider {
  id: string;
  name: string;
  hosts: readonly string[];
  docs?: string;
  revoke?: string;
  /** File the provider was loaded from (for messages). */
  file: string;
  /** True when the file came from the scanned repository's own config rather than keyscan or the command line. */
  fromRepoConfig: boolean;
}

export interface Rule {
  id: string;
  name: string;
  description: string;
  severity: Severity;
  generic: boolean;
  provider: Provider;
  minEntropy?: number;
  checksum?: "github-crc32";
  allow: readonly RegExp[];
  /** Allow regexes tested against the whole match. */
  allowMatch?: readonly RegExp[];
  /** Allow regexes tested against the line the match starts on (gitleaks `regexTarget = "line"`). */
  allowLine?: readonly RegExp[];
  /** Lowercase words; a secret containing any of them is not reported (gitleaks `stopwords`). */
  stopwords?: readonly string[];
  /** Findings in paths matching any of these are dropped (gitleaks allowlist `paths`); applied by scan.ts. */
  pathAllow?: readonly RegExp[];
  /**
   * When set, the rule runs only on items whose path matches it: a rule's `paths` globs (path-scope.ts) or a
   * gitleaks rule's `path`. Applied by the matcher core before matching (scan-text.ts `path`), so a rule for
   * `.netrc` costs nothing elsewhere and never takes a finding from another rule outside its files.
   */
  pathOnly?: RegExp;
  /** The value is a password in a password-only place: placeholders and defaults are dropped, nothing else. */
  password?: boolean;
  /** The value must pass the randomness test. */
  random?: boolean;
  /** Offline structure check (and details) for the secret. */
  parse?: ParserName;
  verify?: VerifySpec;
  /** What a live key can reach (issue 22): read by src/verify/access.ts after a key verified live. */
  access?: AccessSpec;
  /** The provider's documented revocation of the credential (issue 22): sent only by `keyscan revoke --yes`. */
  revokeRequest?: RevokeSpec;
  examples: readonly ExampleSpec[];
  negatives: readonly ExampleSpec[];
  /** The secret format's source, for tooling (`rules list`, the example generator). */
  formatSource: string;
}

export interface Matcher {
  rule: Rule;
  /** How this matcher finds a secret, e.g. `format`, `header:api-key`, `env:GETIMG_API_KEY`, `sdk:GetimgAI`. */
  usage: string;
  /** Global, sticky-free regex with a named `secret` group. */
  regex: RegExp;
  /** Lowercase literals; the matcher runs only when one of them occurs in the text. Empty = always runs. */
  keywords: readonly string[];
  /** `keywords` as the pattern spells them, when every match holds one exactly so (compile.ts exactSpellings). */
  exact?: readonly string[];
  /** Lowercase context words that must appear within `nearLines` lines. */
  near?: readonly string[];
  /** Words of which every match holds one (`secret.requires`, proved at load): a gate, like near words. */
  requires?: readonly string[];
  nearLines: number;
  /** Minimum entropy for this matcher's values (the rule's, or a default for `value: any`). */
  minEntropy?: number;
  /** Higher wins when two matches cover the same secret. */
  specificity: number;
  /** Upper bound on the length of one match (unbounded quantifiers counted at a fixed cap): the slice overlap. */
  maxMatchLength?: number;
  /**
   * Set when every match provably starts near an occurrence of one of `keywords` (compile.ts `anchorFor`): the
   * matcher then runs only in windows around those occurrences (regex/windows.ts), with `maxMatchLength` a true bound
   * on what one match reads. What the windows are made of stays that module's business.
   */
  windows?: MatcherWindows;
  /**
   * Set on a reference matcher (issue 17, usage-refs.ts): the regex finds the usage with an identifier where the
   * value goes; the literal assigned to that identifier (references.ts) is reported when it matches this whole.
   */
  refValue?: RegExp;
  /** Set on an extractor matcher (issue 17, sql-columns.ts): the regex finds a statement head; the cells are the values. */
  extract?: { statement: "insert" | "insert-table" | "copy"; columns: ReadonlySet<string>; value: RegExp };
}


/**
 * Where each keyword occurs in the text a prefilter last selected for (`selectAt`): occurrence `h` starts at
 * `starts[h]`, and the occurrences of one keyword are chained newest first (`head[id] - 1` is its latest, `next[h]`
 * the one before, -1 ends it; `head[id]` is valid only where `headOf[id] === generation`). Scratch space the next
 * selection reuses (issue 7: fresh arrays per text were most of the young-generation garbage of a tree scan);
 * regex/windows.ts turns it into start ranges.
 */
export interface KeywordOccurrences {
  /** Which selection the arrays describe. */
  generation: number;
  starts: Int32Array;
  next: Int32Array;
  head: Int32Array;
  headOf: Int32Array;
}

/**
 * The prefilter's answer for one text: the matchers worth running and, for the matchers that declare an `anchor`
 * (Matcher.windows), where in the text their matches can start, so they run in small windows instead of over the
 * whole text (regex/windows.ts).
 */
export interface Selection {
  matchers: Matcher[];
  /**
   * For matchers sharing one regex: sorted, merged `[from, to]` pairs (flat) of the offsets at which a match can start,
   * or undefined when any of them must run over the whole text (no anchor, or its windows cover most of it).
   */
  startRanges(group: readonly Matcher[], textLength: number): number[] | undefined;
}

export interface Prefilter {
  /** Matchers worth running on `text`. */
  select(text: string): Matcher[];
  /** Matchers worth running on `text`, with the keyword positions that bound where anchored ones can match. */
  /** `skip`: a stretch of the text never to read (a source map's VLQ `mappings`, source-map.ts). */
  selectAt(text: string, skip?: readonly [number, number]): Selection;
  /** Every keyword, lowercase (for `rules list` and the ripgrep floor in bench/). */
  keywords: readonly string[];
  /**
   * Whether any matcher could run on the UTF-8 text these bytes decode to, decided on the bytes themselves, so that
   * a file without a keyword is never decoded. Exact when every keyword is ASCII (invalid UTF-8 decodes to U+FFFD,
   * never to ASCII); with a non-ASCII keyword it answers true (decode and select as usual).
   */
  mayMatchBytes(data: Uint8Array): boolean;
  /**
   * Keyword-less matchers of path-scoped rules (issue 17): never selected by the keywords, nor a reason to decode
   * every file; scan-text.ts adds those whose rule's path matches the text's.
   */
  pathGated: readonly Matcher[];
}

export interface RuleSet {
  /** Problems found at load that do not stop the run (e.g. a pattern that may backtrack catastrophically). */
  warnings?: readonly string[];
  rules: readonly Rule[];
  matchers: readonly Matcher[];
  providers: readonly Provider[];
  prefilter: Prefilter;
  /** Hash of every loaded rule file's content: identifies the rule set in reports, caches and state files. */
  version: string;
  /** The validated specs it was compiled from (plain data), so worker threads can rebuild it (src/executor/pool.ts). */
  source?: {
    specs: readonly LoadedSpec[];
    disable: readonly string[];
    /**
     * The compiled form, when the set has one: its image (rule-set-image.ts) on a SharedArrayBuffer, which workers
     * restore from instead of compiling again (issue 7: a worker's compile cost ~360 ms of a large scan's start) and
     * share with this thread (issue 21: one copy of the 10 MB transition table, whatever the thread count).
     */
    compiled?: Uint8Array;
  };
}

/** One validated rule file, as loaded (plain JSON-safe data). */
export interface LoadedSpec {
  spec: ProviderFile;
  /** The file as shown in messages. */
  file: string;
  fromRepoConfig: boolean;
  /**
   * Absolute path of the gitleaks TOML this spec was translated from (src/engine/gitleaks.ts). Its compile options
   * hold RegExps, which neither the spec cache nor a worker message can carry, so it is translated again from here.
   */
  gitleaks?: string;
}
