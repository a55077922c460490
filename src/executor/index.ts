/**
 * The executor: where each item is matched, behind one `match(item)`. Small scans match on this thread
 * (local.ts); once the input has proved large (policy.ts), or when the rule set holds rules keyscan did not ship (`isolate`),
 * items go to a pool of worker threads (pool.ts) while this thread keeps matching whenever the workers are busy or
 * not started yet. The pooling policy lives here and nowhere else; src/scan.ts only feeds items in and takes
 * outcomes out through a sink, in whatever order they come.
 *
 * `match` returns a promise only when the caller must wait before the next item (a worker starting, or too much in
 * flight), so the common path costs no extra async hop per item.
 */
import type { Rule, RuleSet } from "../engine/rule.js";
import { ruleLookup, type RuleLookup } from "../engine/lazy-rule-set.js";
import type { TextFinding } from "../engine/scan-text.js";
import { inChunk, matchHere, type ContentItem } from "./local.js";
import { LARGE_BACKLOG, poolWorkers } from "./policy.js";
import { defaultThreads, ScanPool, type PlainFinding, type PoolOutcome } from "./pool.js";
import type { ProblemCode } from "../errors.js";
import { releasePages } from "../util/page-buffer.js";

/** Milliseconds on a monotonic clock. Not `performance.now()`: its global loads node:perf_hooks, ~1-3 ms a start (issue 20). */
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export type { ContentItem } from "./local.js";

/** Where the executor delivers outcomes, in the order they come. */
export interface MatchSink {
  /** The item was matched; `bytes` of it were read. */
  matched(item: ContentItem, bytes: number): void;
  /** One finding in the item, with the values its verify request needs beside the secret (plain data). */
  found(t: TextFinding, item: ContentItem, companions: Record<string, string> | undefined): void;
  /** The item could not be matched (unreadable, binary, too large, a worker that failed or timed out). */
  problem(path: string, code: ProblemCode, message: string, skipped: boolean): void;
}

export interface ExecutorOptions {
  /** Honour inline allow comments (default true). */
  inlineAllow?: boolean;
  /** Threads that match: this one and `threads - 1` workers (default: every core; ScanOptions.threads). */
  threads?: number;
  /** When to move to the pool (default: policy.ts); tests set 0 to force it (ScanOptions.poolAfter). */
  poolAfter?: { bytes?: number; items?: number };
  /** Watchdog bound on one input's matching in a worker (default INPUT_TIMEOUT_MS; pool.ts). */
  inputTimeoutMs?: number;
  /** Match every input in a worker, never on this thread (ScanOptions.isolate, issue 19). */
  isolate?: boolean;
  /** Once the pool is up, hand it every input but small ones while it has enough at hand (ScanOptions.feeder). */
  feeder?: boolean;
  /** What the source knows lies ahead (Source.backlog), for the pool's start (policy.ts). */
  backlog?: () => number;
}

export interface Executor {
  /** Match one item; its outcome reaches the sink now or later. A returned promise: wait for it before the next item. */
  match(item: ContentItem): Promise<void> | undefined;
  /** Wait until every item handed in has reached the sink. */
  drain(): Promise<void>;
  /** Stop the workers, if any were started. */
  close(): Promise<void>;
  /** Inputs matched on this thread and inputs handed to the pool so far (tests, benches). */
  counts(): { here: number; pooled: number };
}

/** Inputs handed to the pool and not yet answered, per thread (file references are tiny; the pool batches them). */
const IN_FLIGHT_PER_THREAD = 256;
/** While helping the workers, this thread yields to the event loop (to take in their answers) this often. */
const HELP_SLICE_MS = 4;
/**
 * Content bytes handed to the pool and not yet answered (bytes items hold their content until a worker has it); past
 * it this thread matches the next inputs itself, so memory stays bounded without ever waiting.
 */
const IN_FLIGHT_BYTES = 16 * 1024 * 1024;
/**
 * The same bound while feeding (ExecutorOptions.feeder): this thread refills the moment an answer comes, so the
 * workers need only their next input or two at hand. `keyscan history` over the 1.5 GB bench, 2 cores: node's peak
 * RSS 218-232 MB at 4 MB against 235-240 at 8 and 242-266 at 16, in the same time (13-15 s, alternated).
 */
const FEEDER_IN_FLIGHT_BYTES = 4 * 1024 * 1024;
/**
 * While feeding, an input this large starts the pool at once and waits for a worker instead of being matched here:
 * this thread would otherwise keep what matching it made (its matchers, its heap grown for the text) beside the
 * worker's for the rest of the scan. The same history, interleaved: node's peak RSS 216-230 MB with no matching here
 * against 233-246 MB, in the same time. Only where the source knows many inputs lie ahead (its backlog, policy.ts
 * LARGE_BACKLOG): a small history with one large file is matched here, as fast as with `--threads 1`; small inputs
 * alone wait for the pool's usual start.
 */
const FEEDER_POOL_INPUT_BYTES = 1024 * 1024;
/**
 * While feeding, with FEEDER_IN_FLIGHT_BYTES already in flight, an input this small is matched here instead of
 * waiting for an answer: a few milliseconds at most, so git's pipe is not left full for long, and it saves the worker
 * a message and the per-input work of ~6,300 of the bench history's 6,839 blobs (8 % of its bytes). Once git had a
 * delta-base cache large enough (src/sources/git-cat-file.ts) the worker, not git, set the pace: 5 alternated rounds
 * on 2 cores, median 14.1 s against 16.6 s (per-round ratios 0.85-1.05, median 0.94; node's peak RSS 226-241 MB
 * against 223-262). Matching every input here when over the bound instead: median 15.2 s.
 */
const FEEDER_HERE_BYTES = 64 * 1024;

function fromPlain(p: PlainFinding, rule: Rule): TextFinding {
  const { ruleId: _ruleId, companions: _companions, ...rest } = p;
  return { ...rest, rule };
}

export function createExecutor(ruleset: RuleSet, options: ExecutorOptions, sink: MatchSink): Executor {
  const inlineAllow = options.inlineAllow ?? true;
  const threads = options.threads ?? defaultThreads();
  const isolate = options.isolate === true && ruleset.source !== undefined;
  let bytes = 0;
  let seen = 0;
  let started: number | undefined;
  let lastYield = 0;
  let pool: ScanPool | undefined;
  const inFlight = new Set<Promise<void>>();
  let inFlightBytes = 0;
  let poolReady = false;
  let rulesById: RuleLookup | undefined;
  let matchedHere = 0;
  let pooled = 0;

  const settle = (outcome: PoolOutcome, item: ContentItem): void => {
    if (!outcome.ok) {
      sink.problem(item.provenance.path, outcome.code, outcome.message, outcome.skipped);
      return;
    }
    const read = outcome.bytes ?? (item.type === "file" ? 0 : item.bytes);
    bytes += read;
    sink.matched(item, read);
    rulesById ??= ruleLookup(ruleset);
    const plain = item.type === "text" && item.chunk ? inChunk(outcome.findings, item.chunk).map(([p]) => p) : outcome.findings;
    for (const p of plain) {
      const rule = rulesById.get(p.ruleId);
      if (rule) sink.found(fromPlain(p, rule), item, p.companions);
    }
  };
  /** Hand one input to the pool; its answer is settled when it comes. */
  const send = (to: ScanPool, item: ContentItem): void => {
    const shown = item.provenance.path;
    const sent =
      item.type === "file" ? to.scanFile(item.path, item.maxFileSize, shown) : item.type === "text" ? to.scan(item.text, shown) : to.scan(item.data, shown, item.release === true);
    const held = item.type === "file" ? 0 : item.bytes;
    inFlightBytes += held;
    pooled++;
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
  const here = (item: ContentItem): void => {
    matchedHere++;
    const outcome = matchHere(item, ruleset, inlineAllow);
    if (item.type === "bytes" && item.release) releasePages(item.data); // matched: its pages go back now
    if (!outcome.ok) {
      sink.problem(item.provenance.path, outcome.code, outcome.message, outcome.skipped);
      return;
    }
    bytes += outcome.bytes;
    sink.matched(item, outcome.bytes);
    for (let i = 0; i < outcome.findings.length; i++) sink.found(outcome.findings[i]!, item, outcome.companions[i]);
  };
  const inFlightLimit = options.feeder ? FEEDER_IN_FLIGHT_BYTES : IN_FLIGHT_BYTES;
  const overBounds = (to: ScanPool): boolean => inFlightBytes > inFlightLimit || inFlight.size >= to.threads * IN_FLIGHT_PER_THREAD * 4;
  const underBounds = async (to: ScanPool): Promise<void> => {
    while (overBounds(to)) await Promise.race(inFlight);
  };
  /** Isolated: every input to the workers, waiting for answers while too much is in flight (bounded memory). */
  const isolated = async (to: ScanPool, item: ContentItem): Promise<void> => {
    if (!poolReady) await untilReady(to);
    send(to, item);
    await underBounds(to);
  };
  const helpAfterYield = async (item: ContentItem): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    lastYield = nowMs();
    here(item);
  };
  const dispatch = (item: ContentItem): Promise<void> | undefined => {
    // Feeding (issue 21, `keyscan history` on 2 cores: 15.3-15.6 s against 20.2 s matching here, and 15.8-16.1 s
    // helping the worker): a long match on this thread stops its event loop, so git's pipe fills and cat-file
    // waits; the two then take turns instead of working side by side.
    if (options.feeder && pool && item.type !== "text" && (poolReady ||= pool.ready)) {
      // The workers have enough at hand: a small input is matched here rather than waited on (FEEDER_HERE_BYTES).
      if (item.type === "bytes" && item.bytes <= FEEDER_HERE_BYTES && overBounds(pool)) {
        here(item);
        return undefined;
      }
      send(pool, item);
      return overBounds(pool) ? underBounds(pool) : undefined;
    }
    // Issue 7: while the workers hold a full queue, this thread matches the next input itself instead of waiting:
    // it is otherwise idle (the walk costs little), and one worker fewer is one isolate fewer to start and to warm
    // up (each compiles the matcher's hot code again). It yields to the event loop every few milliseconds so the
    // workers' answers are taken in and their queues refilled.
    const helping = pool !== undefined && poolReady && (inFlight.size >= pool.threads * IN_FLIGHT_PER_THREAD || inFlightBytes > IN_FLIGHT_BYTES);
    if (pool && item.type !== "text" && !helping && (poolReady ||= pool.ready)) {
      send(pool, item);
      // Refills come in bursts by themselves: answers are taken in only when this thread yields (below), a batch
      // of them at a time, and the inputs sent until the next yield go out as full batches (pool.ts BATCH_MAX).
      return undefined;
    }
    if (helping && nowMs() - lastYield > HELP_SLICE_MS) return helpAfterYield(item);
    here(item);
    return undefined;
  };

  return {
    match(item: ContentItem): Promise<void> | undefined {
      seen++;
      started ??= nowMs();
      // The clock is read only while the pool may still start (a BigInt each: ~13 ms over the 415 MB tree's files).
      // While feeding, the backlog only decides the large-input start below, not the policy's early start: a history
      // knows its blobs ahead, but one of ~100 MB (eslint's) took 1.36 s with a pool at 250 ms against 1.24 s without.
      const workers =
        pool || isolate || item.type === "text" || !ruleset.source
          ? 0
          : poolWorkers({ threads, bytes, items: seen, elapsedMs: nowMs() - started, backlog: options.feeder ? 0 : (options.backlog?.() ?? 0) }, options.poolAfter);
      const largeFed =
        options.feeder === true && !pool && item.type === "bytes" && item.bytes >= FEEDER_POOL_INPUT_BYTES && threads > 1 && ruleset.source !== undefined && (options.backlog?.() ?? 0) >= LARGE_BACKLOG;
      if (!pool && (isolate || workers > 0 || largeFed)) {
        // This thread matches too (see dispatch): `threads` matching threads are this one and the workers;
        // isolated, every input goes to the workers (at least one).
        pool = new ScanPool(ruleset, { threads: isolate || largeFed ? Math.max(1, threads - 1) : workers, inlineAllow, ...(options.inputTimeoutMs ? { inputTimeoutMs: options.inputTimeoutMs } : {}) });
      }
      if (largeFed && pool && !poolReady) return untilReady(pool).then(() => dispatch(item));
      if (isolate && pool) return isolated(pool, item);
      // Already-decoded texts stay on this thread: copying a string to a worker costs about as much as matching it,
      // which is why sources hand over undecoded bytes where they can (history does since issue 7); file references
      // and raw bytes go to the pool, where the read and the decode happen too.
      // Until a worker has compiled its rules, this thread keeps matching (issue 7: the first few hundred ms of a
      // large scan used to queue work for workers that could not take it yet).
      if (pool && !poolReady && options.poolAfter) return untilReady(pool).then(() => dispatch(item));
      return dispatch(item);
    },
    async drain(): Promise<void> {
      await Promise.all(inFlight);
    },
    async close(): Promise<void> {
      await pool?.close();
    },
    counts: () => ({ here: matchedHere, pooled }),
  };
}
