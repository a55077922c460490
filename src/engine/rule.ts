/**
 * The compiled form of a rule file: what the scanner actually runs. A provider file's rules and usages are
 * expanded once, at load, into flat `Matcher`s (one regex each, with a `secret` group and the keywords that gate it)
 * so the hot path never interprets YAML structure. `RuleSet` bundles the matchers with their prefilter and a
 * content hash (`version`) that reports, caches and shard merges use to tell rule sets apart.
 */
import type { Severity, VerifySpec, ExampleSpec, ProviderFile, AccessSpec, RevokeSpec } from "./rule-schema.js";
import type { Prefilter } from "./prefilter.js";
import type { ParserName } from "./filters/parse.js";
import type { CompiledRuleSet } from "./rule-cache.js";

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
  /** Lowercase context words that must appear within `nearLines` lines. */
  near?: readonly string[];
  nearLines: number;
  /** Minimum entropy for this matcher's values (the rule's, or a default for `value: any`). */
  minEntropy?: number;
  /** Higher wins when two matches cover the same secret. */
  specificity: number;
  /** Upper bound on the length of one match (unbounded quantifiers counted at a fixed cap): the slice overlap. */
  maxMatchLength?: number;
  /**
   * Set when every match provably starts near an occurrence of one of `keywords` (compile.ts): within `before`
   * characters before it or `after` characters after it. The matcher then runs only in windows around those
   * occurrences (scan-text.ts), with `maxMatchLength` a true bound on what one match reads.
   */
  anchor?: MatcherAnchor;
  /**
   * The characters a match can start with: `startChars[c]` is 1 for an ASCII code `c` that can begin one, and
   * `startChars[128]` is 1 when any non-ASCII character can. Absent when a match may be empty. The windowed matcher
   * skips start positions the table rules out instead of calling the regex there (issue 7).
   */
  startChars?: Uint8Array;
}

export interface MatcherAnchor {
  /** Lowercase keywords (a subset of the matcher's) whose occurrences bound the windows. */
  keywords: readonly string[];
  /** The most characters a match can start before an occurrence of any of `keywords`. */
  before: number;
  /** When the keywords differ: `leads[i]` (≤ `before`) is that bound for `keywords[i]` alone. */
  leads?: readonly number[];
  after: number;
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
     * The compiled form (matcher plans, prefilter tables), when the set has one: workers restore from it instead of
     * compiling again (issue 7: a worker's compile cost ~360 ms of a large scan's start).
     */
    compiled?: CompiledRuleSet;
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
