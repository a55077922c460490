/**
 * One scan, as stages with data between them: a Source yields items with provenance → the Executor matches each,
 * here or in worker threads (src/executor) → the finding filters (added lines, rule path scope, the ignore list and
 * the baseline: src/finding-filters; inline allow comments are applied by the matcher, which has the text) → the
 * collected ScanResult (collect.ts) → the source's finalizer (history attribution and exposure, a range's commit
 * count). Per-input problems are recorded and the scan continues. `scan()` is the library entry point and does the
 * right thing for every source; the CLI and `keyscan ci` compose the same stages, with verification and a reporter
 * after them.
 */
import { ResultCollector, toFinding } from "./collect.js";
import type { RuleSet } from "./engine/rule.js";
import type { TextFinding } from "./engine/scan-text.js";
import { createExecutor, type ContentItem } from "./executor/index.js";
import { firstPartOf } from "./executor/local.js";
import { onAddedLine } from "./finding-filters/added-lines.js";
import { suppressedBy, type SuppressedBy } from "./finding-filters/fingerprints.js";
import { dropAttributed, gitleaksIgnoreMatcher, type GitleaksIgnoreEntry } from "./finding-filters/gitleaks-ignore.js";
import { inRulePathScope } from "./finding-filters/path-scope.js";
import type { Finding, ScanResult } from "./report/types.js";
import type { Source } from "./sources/types.js";
import { ownData } from "./util/own-string.js";

export interface ScanOptions {
  /** Honour inline allow comments (default true). */
  inlineAllow?: boolean;
  /** Fingerprints to drop (from .keyscanignore `fingerprint:` lines). */
  ignoreFingerprints?: ReadonlySet<string>;
  /**
   * Threads that match (issue 7): this one and `threads - 1` workers. 0 or 1: this thread only. Default: every
   * core, but workers start only once the input has proved large (src/executor/policy.ts), so a pre-commit run
   * of a few files never pays worker start-up.
   */
  threads?: number;
  /**
   * When to move to the pool (default: src/executor/policy.ts); tests set 0 to force it. When given, the scan waits for a
   * worker to be ready rather than matching on this thread meanwhile (this thread still takes inputs while the
   * workers' queues are full).
   */
  poolAfter?: { bytes?: number; items?: number };
  /** gitleaks-style `[commit:]file:rule:line` entries to drop (`.gitleaksignore`, a gitleaks report as baseline). */
  gitleaksIgnore?: readonly GitleaksIgnoreEntry[];
  /** Secrets to drop whatever rule finds them (a gitleaks report given as `--baseline`). */
  baselineSecrets?: ReadonlySet<string>;
  /** Fingerprints of known secrets to drop (from `--baseline`). */
  baseline?: ReadonlySet<string>;
  /** Watchdog bound on one input's matching in a worker (default INPUT_TIMEOUT_MS, 60 s; src/executor/pool.ts). */
  inputTimeoutMs?: number;
  /**
   * Match every input in a worker, under the pool's watchdog, never on this thread (issue 19): for rule sets that
   * hold rules keyscan did not ship (a scanned repository's config, --rules, a gitleaks import), whose patterns
   * could backtrack in a way the load-time analysis misses. Costs a worker's start-up (~0.2 s) on small scans.
   */
  isolate?: boolean;
  /**
   * Once the pool is up, this thread mostly feeds it (issue 21): inputs go to the workers, and past the in-flight
   * bounds it waits for an answer, matching here only inputs of 64 KB or less (a few ms each). For sources that
   * read from a pipe (`keyscan history`: git cat-file), which git fills only while this thread's event loop drains
   * it. Until the pool is up this thread matches as usual.
   */
  feeder?: boolean;
  /** Told each finding as soon as it is collected (text output streamed on a terminal; src/cli/common.ts). */
  onFinding?: (finding: Finding) => void;
  /** Told the running counts as the scan goes (the CLI's progress line on a terminal, src/cli/progress.ts). */
  onProgress?: (counts: { scanned: number; bytes: number; findings: number; problems: number }) => void;
  /** Told about every finding dropped by a fingerprint, so callers can list ignore entries that matched nothing. */
  onSuppressed?: (fingerprint: string, by: SuppressedBy) => void;
}

/**
 * The stages before the source's finalizer: every item matched and filtered, collected into a ScanResult. For
 * callers that put something between collection and finalizing (history with `--state` adds the findings of
 * blobs an earlier run scanned); everyone else calls `scan`.
 */
export async function collect(source: Source, ruleset: RuleSet, options: ScanOptions = {}): Promise<ScanResult> {
  const out = new ResultCollector();
  let problems = 0; // inputs passed over (binary, too large, unreadable, a link): done too, for the progress line's ETA
  const progress = (): void => options.onProgress?.({ scanned: out.scanned, bytes: out.bytes, findings: out.findings.length, problems });
  const lists = { ignore: options.ignoreFingerprints, baseline: options.baseline };
  const gitleaksIgnored = options.gitleaksIgnore?.length ? gitleaksIgnoreMatcher(options.gitleaksIgnore) : undefined;
  const executor = createExecutor(ruleset, source.backlog ? { ...options, backlog: () => source.backlog!() } : options, {
    problem: (path, code, message, skipped) => {
      out.problem(path, code, message, skipped);
      problems++;
      progress();
    },
    matched(item: ContentItem, bytes: number): void {
      if (firstPartOf(item)) out.scanned++;
      out.bytes += bytes;
      progress();
    },
    found(t: TextFinding, item: ContentItem, companions: Record<string, string> | undefined): void {
      if (!onAddedLine(t.line, item.lines)) return;
      if (!inRulePathScope(t.rule, item.provenance.path)) return;
      // Covered by an inline allow comment (the matcher marks it): not shown, but counted (issue 20).
      if (t.allowedInline) {
        out.suppress("inline");
        return;
      }
      const f = toFinding(t, item);
      if (gitleaksIgnored?.({ ruleId: f.ruleId, path: f.path, line: f.line, ...(f.commit ? { commit: f.commit.commit } : {}) })) {
        out.suppress("gitleaks");
        return;
      }
      const by = suppressedBy(f.fingerprint, lists) ?? (options.baselineSecrets?.has(f.secret) ? "baseline" : undefined);
      if (by) {
        out.suppress(by);
        options.onSuppressed?.(f.fingerprint, by);
        return;
      }
      // Values a verify request needs (shop domain, account id), resolved where the text was; kept off the report.
      if (companions) f.companions = ownData({ ...companions });
      out.findings.push(f);
      options.onFinding?.(f);
    },
  });
  try {
    for await (const item of source.items()) {
      if (item.type === "problem") {
        out.problem(item.path, item.code, item.message, item.skipped);
        problems++;
        progress();
        continue;
      }
      const wait = executor.match(item);
      if (wait) await wait;
    }
    await executor.drain();
  } finally {
    await executor.close();
  }
  return out.result(ruleset, source.description);
}

/** Scan a source: collect, then the source's own finalizer. The library entry point (src/index.ts). */
export async function scan(source: Source, ruleset: RuleSet, options: ScanOptions = {}): Promise<ScanResult> {
  const collected = await collect(source, ruleset, options);
  return dropAttributed(source.finalize ? await source.finalize(collected) : collected, options.gitleaksIgnore);
}
