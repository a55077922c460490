/**
 * The scan result: the one data structure every reporter renders, every saved JSON holds, and `keyscan report
 * --from` reads back. It carries the raw secret (reporters redact it unless asked not to), so only reporters decide
 * what a person sees. `version` is the schema version of this structure (documented in docs/json-format.md); bump
 * it on any incompatible change.
 */
import type { Confidence } from "../engine/scan-text.js";
import type { Severity } from "../engine/rule-schema.js";
import type { ShardInfo } from "../sources/shard.js";
import type { ErrorCode } from "../errors.js";

/** A commit as reports show it (filled in from `git log` by the git sources). */
export interface CommitInfo {
  commit: string;
  author: string;
  email?: string;
  date: string;
  message?: string;
}

/** Where a scanned text came from, in words a report can show. */
export type Provenance =
  | { kind: "file"; path: string }
  | { kind: "stdin"; path: string }
  | { kind: "staged"; path: string; blob?: string }
  | { kind: "commit"; path: string; blob?: string; commit: CommitInfo };

export type VerificationStatus = "verified" | "invalid" | "unknown";

export interface Verification {
  status: VerificationStatus;
  checkedAt: string;
  /** Why the result is `unknown` (never contains the secret). */
  reason?: string;
  /** Fields copied from the provider's answer (e.g. account email, credits). */
  fields?: Record<string, unknown>;
  /** The HTTP status of the provider's last answer, when there was one. */
  httpStatus?: number;
  /** The endpoint called, as the rule declares it (`GET https://api.example.com/v1/me`; templates unexpanded). */
  endpoint?: string;
}

/**
 * What a key verified live can reach (issue 22), read through the rule's `access` block: who it acts as, its scopes,
 * notable resources and spend, and the blast radius score the audit orders by. Never holds the secret.
 */
export interface AccessMap {
  /** `mapped`: every access request answered; `partial`: some did not (see `reason`). */
  status: "mapped" | "partial";
  checkedAt: string;
  /** Who the key acts as: account, user, organisation, project. */
  identity?: Record<string, unknown>;
  /** Scopes or permissions (as the provider reports them, plus what the rule says every such key grants). */
  scopes?: string[];
  /** Notable resources: counts and names. */
  resources?: Record<string, unknown>;
  /** Balance, credits, plan. */
  spend?: Record<string, unknown>;
  /** The finding's severity once the map is known (raised when the key holds an admin or write scope). */
  severity: Severity;
  /** 0–100: how much an attacker could do with the key (src/verify/access.ts `blastRadius`). */
  blastRadius: number;
  /** Set when what the key reaches raised the finding's severity: the rule's severity before. */
  raisedFrom?: Severity;
  /** What raised it: `scope repo`, `identity.role = admin`. */
  raisedBy?: string;
  /** One line for people: `user octocat; scopes repo, admin:org; 12 private_repos`. */
  summary: string;
  /** Why the map is partial. */
  reason?: string;
  /** The requests read (as the rule declares them; templates unexpanded). */
  endpoints: string[];
}

export type RevocationStatus = "revoked" | "already-invalid" | "refused" | "failed" | "dry-run" | "unsupported" | "skipped";

/** What `keyscan revoke` did for a finding (issue 22). */
export interface Revocation {
  status: RevocationStatus;
  at: string;
  /** The revoke request as the rule declares it (`DELETE https://…/tokens/self`). */
  endpoint?: string;
  reason?: string;
  httpStatus?: number;
}

export interface Finding {
  /**
   * Values the verify request needs beside the secret (a shop domain, the other half of a key pair), resolved at
   * scan time while the text was at hand (src/verify/companions.ts). Plain data so that every stage that copies a
   * finding (history attribution, merges) keeps them (issue 18); never printed: redactResult strips them for every
   * reporter, redacted or not.
   */
  companions?: Record<string, string>;
  ruleId: string;
  ruleName: string;
  provider: string;
  providerName: string;
  severity: Severity;
  confidence: Confidence;
  /** How the secret was recognised: `format`, `header:api-key`, `env:GETIMG_API_KEY`, `sdk:GetimgAI`, … */
  usage: string;
  /** Where: repo-relative path (forward slashes) and 1-based positions; `endColumn` is exclusive. */
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  source: Provenance["kind"];
  commit?: CommitInfo;
  /** The secret, in full. Reporters redact it unless --no-redact. */
  secret: string;
  /** Hash of rule id + secret: stable across moves, changes when the secret does. */
  fingerprint: string;
  entropy: number;
  revoke?: string;
  verification?: Verification;
  /** Issue 22: what the key can reach, when it verified live and its rule maps access (--verify). */
  access?: AccessMap;
  /** Issue 22: the outcome of `keyscan revoke` for this secret (in a scan written by `keyscan revoke --write-scan`). */
  revocation?: Revocation;
  /** Facts parsed offline from the secret, e.g. a JWT's `iss`, `exp`, `expired`; a Basic-auth `username`. Never the secret. */
  details?: Record<string, unknown>;
  /** Present when the secret was found inside encoded text (reported at the encoded text): encodings, outermost first. */
  decoded?: string[];
  /** Git sources: id of the blob the secret was found in. */
  blob?: string;
  /**
   * `keyscan history` only: every path and commit where a version of a file containing this secret was written,
   * oldest first (one finding per secret; `path`, `line` and `commit` above are the first of these).
   */
  locations?: FindingLocation[];
  /** `keyscan history` only: whether a file at HEAD still contains the secret (false: it is only in the past). */
  atHead?: boolean;
  /** `keyscan history` only: branches and tags that still reach a commit holding the secret. */
  refs?: string[];
  /**
   * `keyscan history` only: commits that replaced a version of a file containing the secret with one without it,
   * or deleted the file, oldest first (on any branch; the secret stays in the history before them).
   */
  removedIn?: Array<{ path: string; commit: CommitInfo; order?: number; pending?: string }>;
  /** `--repos` scans: the repository the secret was found in (its canonical id, as the repository list names it). */
  repo?: string;
}

/** A place in git history where a secret occurs: the commit that wrote that version of `path`. */
export interface FindingLocation {
  path: string;
  commit: CommitInfo;
  line: number;
  column: number;
  blob: string;
  /** `--shard` results only: the commit's place in the walk (newest first), so a merge orders locations the same way. */
  order?: number;
  /** `--repos` scans: the repository (as on the finding). */
  repo?: string;
}

export interface ScanProblem {
  path: string;
  /** Usually a ProblemCode; a `--repos` audit records a repository that failed under the code it failed with. */
  code: ErrorCode;
  message: string;
}

export interface ScanStats {
  /** Texts scanned (files, blobs, stdin). */
  scanned: number;
  bytes: number;
  /** Skipped inputs by reason code (E_BINARY, E_TOO_LARGE, E_SYMLINK, …). */
  skipped: Record<string, number>;
  durationMs: number;
  /**
   * Findings left out on purpose, by why: `ignore` (.keyscanignore fingerprint), `baseline` (--baseline), `inline`
   * (an inline allow comment such as `keyscan:allow`).
   */
  suppressed?: Record<string, number>;
}

/** What a report says about a rule (from its rule file), kept in the result so saved scans re-render fully. */
export interface RuleDetails {
  name: string;
  description: string;
  severity: Severity;
  provider: string;
  providerName: string;
  /** A generic rule (keyword + entropy, no provider format): lower precision. */
  generic: boolean;
  docs?: string;
  revoke?: string;
}

export interface ScanResult {
  format: "keyscan-scan";
  version: 1;
  tool: { name: string; version: string };
  rules: { version: string; count: number };
  /** What was scanned, in words. */
  target: string;
  startedAt: string;
  stats: ScanStats;
  findings: Finding[];
  /** Inputs that could not be read (the scan went on without them). */
  errors: ScanProblem[];
  /** Inputs skipped on purpose (binary, too large, symlinks): the first 1000. */
  skipped: ScanProblem[];
  /** Details of every rule that has a finding, by rule id (optional: older saved scans lack it). */
  ruleDetails?: Record<string, RuleDetails>;
  /** True when `secret` fields hold redacted forms (a saved redacted scan); reporters then never re-redact. */
  redacted?: boolean;
  /** Things a person should know about the result's completeness (e.g. a shallow clone's history is cut off). */
  warnings?: string[];
  /** `keyscan history` only: what was walked. */
  history?: { refs: string[]; commits: number; blobs: number };
  /** `--shard k/n` results: which slice this is (a merge checks the set is complete and of one target). */
  shard?: ShardInfo;
  /** `--state` runs: how many unique blobs were scanned now and how many the state already held. */
  incremental?: { scanned: number; skipped: number; note?: string };
  /** `keyscan report` with several `--from` files: what was merged. */
  merged?: { from: string[]; shards?: number };
}

/** How a reporter renders (report/index.ts holds the registry of reporters). */
export interface ReportOptions {
  redact: boolean;
  color: boolean;
  /**
   * SARIF `runAutomationDetails.id` category (e.g. `keyscan/diff/`); default derived from what was scanned, so tree
   * and diff scans of one repository stay separate in code scanning.
   */
  category?: string;
  /**
   * The token for `::stop-commands::` in the `github` format. Leave unset: a fresh random one is drawn per report
   * (tests pass a fixed one so the output is reproducible).
   */
  stopToken?: string;
}

export type Reporter = (result: ScanResult, options: ReportOptions) => string;
