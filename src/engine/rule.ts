/**
 * The compiled form of a rule file: what the scanner actually runs. A provider file's rules and usages are
 * expanded once, at load, into flat `Matcher`s (one regex each, with a `secret` group and the keywords that gate it)
 * so the hot path never interprets YAML structure. `RuleSet` bundles the matchers with their prefilter and a
 * content hash (`version`) that reports, caches and shard merges use to tell rule sets apart.
 */
import type { Severity, VerifySpec, ExampleSpec, ProviderFile } from "./rule-schema.js";
import type { Prefilter } from "./prefilter.js";

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
  verify?: VerifySpec;
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
}

export interface RuleSet {
  rules: readonly Rule[];
  matchers: readonly Matcher[];
  providers: readonly Provider[];
  prefilter: Prefilter;
  /** Hash of every loaded rule file's content: identifies the rule set in reports, caches and state files. */
  version: string;
  /** The validated specs it was compiled from (plain data), so worker threads can rebuild it (src/engine/pool.ts). */
  source?: { specs: readonly LoadedSpec[]; disable: readonly string[] };
}

/** One validated rule file, as loaded (plain JSON-safe data). */
export interface LoadedSpec {
  spec: ProviderFile;
  /** The file as shown in messages. */
  file: string;
  fromRepoConfig: boolean;
}
