/**
 * Runs one scan: pulls items from a source, runs the matcher core on each text, applies the filters that need
 * provenance (added-lines-only for diffs, fingerprint ignores), and collects a sorted ScanResult. Per-input problems
 * are recorded and the scan continues. This is the library entry point used by the CLI and by tests.
 */
import { fingerprint as fingerprintOf } from "./engine/fingerprint.js";
import { companionsFor, defaultThreads, ScanPool, type PlainFinding, type PoolOutcome } from "./engine/pool.js";
import type { Rule, RuleSet } from "./engine/rule.js";
import { scanBytes } from "./engine/scan-bytes.js";
import { scanText, type TextFinding } from "./engine/scan-text.js";
import type { Finding, RuleDetails, ScanProblem, ScanResult } from "./report/types.js";
import { readFileBounded } from "./sources/read-file.js";
import type { BytesItem, FileRefItem, Source, TextItem } from "./sources/types.js";
import { setCompanions } from "./verify/companions.js";
import { TOOL_NAME, VERSION } from "./version.js";

export interface ScanOptions {
  /** Honour inline allow comments (default true). */
  inlineAllow?: boolean;
  /** Fingerprints to drop (from .keyscanignore `fingerprint:` lines). */
  ignoreFingerprints?: ReadonlySet<string>;
  /**
   * Threads that match (issue 7): this one and `threads - 1` workers. 0 or 1: this thread only. Default: every
   * core, but workers start only once the input has proved large (POOL_AFTER_*), so a pre-commit run of a few files
   * never pays worker start-up.
   */
  threads?: number;
  /**
   * When to move to the pool (default POOL_AFTER_*); tests set 0 to force it. When given, the scan waits for a
   * worker to be ready rather than matching on this thread meanwhile (this thread still takes inputs while the
   * workers' queues are full).
   */
  poolAfter?: { bytes?: number; items?: number };
  /** Fingerprints of known secrets to drop (from `--baseline`). */
  baseline?: ReadonlySet<string>;
  /** Watchdog bound on one input's matching in a worker (default INPUT_TIMEOUT_MS, 60 s; src/engine/pool.ts). */
  inputTimeoutMs?: number;
  /**
   * Match every input in a worker, under the pool's watchdog, never on this thread (issue 19): for rule sets that
   * hold rules keyscan did not ship (a scanned repository's config, --rules, a gitleaks import), whose patterns
   * could backtrack in a way the load-time analysis misses. Costs a worker's start-up (~0.2 s) on small scans.
   */
  isolate?: boolean;
  /** Told about every finding dropped by a fingerprint, so callers can list ignore entries that matched nothing. */
  onSuppressed?: (fingerprint: string, by: "ignore" | "baseline") => void;
}

const MAX_LISTED_SKIPS = 1000;
/**
 * A scan moves to the worker pool after this much input (what came before is already matched here). Low on purpose
 * (issue 7): until the workers are up only this thread works, and a worker takes ~150 ms to start; at 3 MB / 300
 * files the second core sat idle for the first ~0.35 s of a tree scan. A pre-commit run of ten files stays under it.
 */
const POOL_AFTER_BYTES = 512 * 1024;
const POOL_AFTER_ITEMS = 32;
/** Inputs handed to the pool and not yet answered, per thread (file references are tiny; the pool batches them). */
const IN_FLIGHT_PER_THREAD = 256;
/** While helping the workers, this thread yields to the event loop (to take in their answers) this often. */
const HELP_SLICE_MS = 4;
/**
 * Content bytes handed to the pool and not yet answered (bytes items hold their content until a worker has it); past
 * it this thread matches the next inputs itself, so memory stays bounded without ever waiting.
 */
const IN_FLIGHT_BYTES = 64 * 1024 * 1024;

type ContentItem = TextItem | BytesItem | FileRefItem;

/** Match an item on this thread: read (file refs) and decode (bytes, only when a keyword occurs) here. */
function matchHere(
  item: ContentItem,
  ruleset: RuleSet,
  inlineAllow: boolean,
): { ok: true; findings: TextFinding[]; companions: Array<Record<string, string> | undefined>; bytes: number } | { ok: false; code: string; message: string; skipped: boolean } {
  const path = item.provenance.path; // path-scoped rules (credential files, issue 17) run only on their files
  if (item.type === "text") {
    const found = scanText(item.text, ruleset, { inlineAllow, path });
    const companions = companionsFor(found, item.text);
    if (!item.chunk) return { ok: true, findings: found, companions, bytes: item.bytes };
    const kept = inChunk(found, item.chunk);
    return { ok: true, findings: kept.map(([t]) => t), companions: kept.map(([, i]) => companions[i]), bytes: item.bytes };
  }
  let data: Uint8Array;
  if (item.type === "file") {
    const read = readFileBounded(item.path, item.maxFileSize, { reuseBuffer: true }); // matched before the next read
    if (!read.ok) return read;
    data = read.data;
  } else data = item.data;
  const outcome = scanBytes(data, ruleset, { inlineAllow, path });
  if (!outcome.ok) return outcome;
  return { ok: true, findings: outcome.findings, companions: companionsFor(outcome.findings, outcome.text ?? ""), bytes: data.length };
}

/** Whether the item starts a file (every item but a large file's later chunks): a file counts as scanned once. */
function firstPartOf(item: ContentItem): boolean {
  return item.type !== "text" || !item.chunk || item.chunk.index === 0;
}

/** One chunk of a large file: what starts in its own region, numbered as lines and columns of the whole file. */
function inChunk<T extends Pick<TextFinding, "start" | "line" | "endLine" | "column" | "endColumn">>(found: readonly T[], chunk: NonNullable<TextItem["chunk"]>): Array<readonly [T, number]> {
  const column = (line: number, c: number) => (line === 1 ? c + chunk.columnOffset : c);
  return found
    .map((t, i) => [t, i] as const)
    .filter(([t]) => t.start >= chunk.keepFrom && t.start < chunk.keepTo)
    .map(([t, i]) => [{ ...t, line: t.line + chunk.lineOffset, endLine: t.endLine + chunk.lineOffset, column: column(t.line, t.column), endColumn: column(t.endLine, t.endColumn) }, i] as const);
}

export function toFinding(t: TextFinding, item: Pick<ContentItem, "provenance">): Finding {
  const p = item.provenance;
  return {
    ruleId: t.rule.id,
    ruleName: t.rule.name,
    provider: t.rule.provider.id,
    providerName: t.rule.provider.name,
    severity: t.rule.severity,
    confidence: t.confidence,
    usage: t.usage,
    path: p.path,
    line: t.line,
    column: t.column,
    endLine: t.endLine,
    endColumn: t.endColumn,
    source: p.kind,
    ...(p.kind === "commit" ? { commit: p.commit } : {}),
    secret: t.secret,
    fingerprint: fingerprintOf(t.rule.id, t.secret),
    entropy: t.entropy,
    ...(t.rule.provider.revoke ? { revoke: t.rule.provider.revoke } : {}),
    ...(t.details ? { details: t.details } : {}),
    ...(t.decoded ? { decoded: t.decoded } : {}),
    ...((p.kind === "commit" || p.kind === "staged") && p.blob ? { blob: p.blob } : {}),
  };
}

function fromPlain(p: PlainFinding, rule: Rule): TextFinding {
  const { ruleId: _ruleId, companions: _companions, ...rest } = p;
  return { ...rest, rule };
}

/** Rule path scoping: `pathOnly` must match (already applied while matching, scan-text.ts), no `pathAllow` may. */
function pathAllowed(rule: Rule, path: string): boolean {
  if (rule.pathOnly && !rule.pathOnly.test(path)) return false;
  if (rule.pathAllow && rule.pathAllow.some((p) => p.test(path))) return false;
  return true;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.commit?.commit ?? "").localeCompare(b.commit?.commit ?? "")
  );
}

export async function scan(source: Source, ruleset: RuleSet, options: ScanOptions = {}): Promise<ScanResult> {
  const started = Date.now();
  const findings: Finding[] = [];
  const errors: ScanProblem[] = [];
  const skipped: ScanProblem[] = [];
  const skippedCounts: Record<string, number> = {};
  let scanned = 0;
  let bytes = 0;
  const ignore = options.ignoreFingerprints;
  const inlineAllow = options.inlineAllow ?? true;
  const threads = options.threads ?? defaultThreads();
  const baseline = options.baseline;
  const suppressed: Record<string, number> = {};

  const problem = (p: ScanProblem & { skipped: boolean }): void => {
    const entry = { path: p.path, code: p.code, message: p.message };
    if (p.skipped) {
      skippedCounts[p.code] = (skippedCounts[p.code] ?? 0) + 1;
      if (skipped.length < MAX_LISTED_SKIPS) skipped.push(entry);
    } else errors.push(entry);
  };
  const accept = (t: TextFinding, item: ContentItem, companions: Record<string, string> | undefined): void => {
    if (item.lines && !item.lines.has(t.line)) return;
    if (!pathAllowed(t.rule, item.provenance.path)) return;
    const f = toFinding(t, item);
    const by = ignore?.has(f.fingerprint) ? "ignore" : baseline?.has(f.fingerprint) ? "baseline" : undefined;
    if (by) {
      suppressed[by] = (suppressed[by] ?? 0) + 1;
      options.onSuppressed?.(f.fingerprint, by);
      return;
    }
    // Values a verify request needs (shop domain, account id), resolved where the text was; kept off the report.
    if (companions) setCompanions(f, companions);
    findings.push(f);
  };
  // Matching runs here, or in the pool (src/engine/pool.ts) once the input is large.
  let rulesById: Map<string, Rule> | undefined;
  const settle = (outcome: PoolOutcome, item: ContentItem): void => {
    if (!outcome.ok) {
      problem({ path: item.provenance.path, code: outcome.code, message: outcome.message, skipped: outcome.skipped });
      return;
    }
    if (firstPartOf(item)) scanned++;
    bytes += outcome.bytes ?? (item.type === "file" ? 0 : item.bytes);
    rulesById ??= new Map(ruleset.rules.map((r) => [r.id, r]));
    const plain = item.type === "text" && item.chunk ? inChunk(outcome.findings, item.chunk).map(([p]) => p) : outcome.findings;
    for (const p of plain) {
      const rule = rulesById.get(p.ruleId);
      if (rule) accept(fromPlain(p, rule), item, p.companions);
    }
  };
  let pool: ScanPool | undefined;
  const inFlight = new Set<Promise<void>>();
  let inFlightBytes = 0;
  let poolReady = false;
  /** Hand one input to the pool; its answer is settled when it comes. */
  const send = (to: ScanPool, item: ContentItem): void => {
    const shown = item.provenance.path;
    const sent = item.type === "file" ? to.scanFile(item.path, item.maxFileSize, shown) : to.scan(item.type === "text" ? item.text : item.data, shown);
    const held = item.type === "file" ? 0 : item.bytes;
    inFlightBytes += held;
    const pending: Promise<void> = sent.then((outcome) => {
      inFlight.delete(pending);
      inFlightBytes -= held;
      settle(outcome, item);
    });
    inFlight.add(pending);
  };
  /** Wait for a worker to have compiled its rules; bounded: a pool that cannot start answers with problems instead. */
  const untilReady = async (of: ScanPool): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!(poolReady = of.ready) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
    poolReady = true;
  };
  let seen = 0;
  let lastYield = 0;
  const isolate = options.isolate === true && ruleset.source !== undefined;

  try {
    for await (const item of source.items()) {
      if (item.type === "problem") {
        problem(item);
        continue;
      }
      seen++;
      if (!pool && (isolate || (item.type !== "text" && threads > 1 && ruleset.source && (bytes > (options.poolAfter?.bytes ?? POOL_AFTER_BYTES) || seen > (options.poolAfter?.items ?? POOL_AFTER_ITEMS))))) {
        // This thread matches too (see below): `threads` matching threads are this one and threads - 1 workers;
        // isolated, every input goes to the workers (at least one).
        pool = new ScanPool(ruleset, { threads: isolate ? Math.max(1, threads - 1) : threads - 1, inlineAllow, ...(options.inputTimeoutMs ? { inputTimeoutMs: options.inputTimeoutMs } : {}) });
      }
      if (isolate && pool) {
        if (!poolReady) await untilReady(pool);
        send(pool, item);
        // Bounded memory: wait for answers while too much is in flight.
        while (inFlightBytes > IN_FLIGHT_BYTES || inFlight.size >= pool.threads * IN_FLIGHT_PER_THREAD * 4) await Promise.race(inFlight);
        continue;
      }
      // Already-decoded texts stay on this thread: copying a string to a worker costs about as much as matching it,
      // which is why sources hand over undecoded bytes where they can (history does since issue 7); file references
      // and raw bytes go to the pool, where the read and the decode happen too.
      // Until a worker has compiled its rules, this thread keeps matching (issue 7: the first few hundred ms of a
      // large scan used to queue work for workers that could not take it yet).
      if (pool && !poolReady && options.poolAfter) await untilReady(pool);
      // Issue 7: while the workers hold a full queue, this thread matches the next input itself instead of waiting:
      // it is otherwise idle (the walk costs little), and one worker fewer is one isolate fewer to start and to warm
      // up (each compiles the matcher's hot code again). It yields to the event loop every few milliseconds so the
      // workers' answers are taken in and their queues refilled.
      const helping = pool !== undefined && poolReady && (inFlight.size >= pool.threads * IN_FLIGHT_PER_THREAD || inFlightBytes > IN_FLIGHT_BYTES);
      if (pool && item.type !== "text" && !helping && (poolReady ||= pool.ready)) {
        send(pool, item);
        // Refills come in bursts by themselves: answers are taken in only when this thread yields (below), a batch
        // of them at a time, and the inputs sent until the next yield go out as full batches (pool.ts BATCH_MAX).
        continue;
      }
      if (helping && performance.now() - lastYield > HELP_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      const here = matchHere(item, ruleset, inlineAllow);
      if (!here.ok) {
        problem({ path: item.provenance.path, ...here });
        continue;
      }
      if (firstPartOf(item)) scanned++;
      bytes += here.bytes;
      here.findings.forEach((t, i) => accept(t, item, here.companions[i]));
    }
    await Promise.all(inFlight);
  } finally {
    await pool?.close();
  }
  findings.sort(compareFindings);
  // Reads finish in any order; sort problems by path so reports are the same from run to run.
  const byPath = (a: ScanProblem, b: ScanProblem) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  errors.sort(byPath);
  skipped.sort(byPath);
  const ruleDetails: Record<string, RuleDetails> = {};
  const usedRules = new Set(findings.map((f) => f.ruleId));
  for (const r of ruleset.rules) {
    if (!usedRules.has(r.id)) continue;
    ruleDetails[r.id] = {
      name: r.name,
      description: r.description,
      severity: r.severity,
      provider: r.provider.id,
      providerName: r.provider.name,
      generic: r.generic,
      ...(r.provider.docs ? { docs: r.provider.docs } : {}),
      ...(r.provider.revoke ? { revoke: r.provider.revoke } : {}),
    };
  }
  return {
    format: "keyscan-scan",
    version: 1,
    tool: { name: TOOL_NAME, version: VERSION },
    rules: { version: ruleset.version, count: ruleset.rules.length },
    target: source.description,
    startedAt: new Date(started).toISOString(),
    stats: { scanned, bytes, skipped: skippedCounts, durationMs: Date.now() - started, ...(Object.keys(suppressed).length ? { suppressed } : {}) },
    findings,
    errors,
    skipped,
    ruleDetails,
  };
}
