/**
 * A pool of worker threads that run the matcher core, so a large scan uses every core instead of one. Each worker
 * rebuilds the same rule set from the plain validated specs (RuleSet.source; RegExps and closures cannot cross a
 * thread boundary, so every worker compiles its own) and receives texts as bytes whose buffer is transferred, not
 * copied; it decodes them (binary sniffing included, src/engine/decode-bytes.ts) and returns TextFinding-like plain
 * objects carrying the rule id. Anything that goes wrong with one input — a throw in a filter, a worker that dies —
 * becomes that input's problem and the scan goes on; a dead worker is replaced. Small scans never start a pool:
 * the executor (index.ts) decides by the size of the input seen so far (worker start-up costs ~30-50 ms each).
 *
 * Plain node:worker_threads rather than piscina: the protocol is one message each way, the pool must turn a
 * worker's death into per-input problems rather than a rejected batch, and `close()` must leave nothing keeping
 * the event loop alive; that is ~150 lines here against a dependency (and its version pins) for the same.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { claimRegion, releaseRegion } from "../engine/dense-table-memory.js";
import { prefilterParts } from "../engine/prefilter.js";
import type { WasmMemory } from "../engine/wasm-emit.js";
import type { HandedDenseTable } from "../engine/lazy-rule-set.js";
import type { RuleSet } from "../engine/rule.js";
import type { TextFinding } from "../engine/scan-text.js";
import type { ProblemCode } from "../errors.js";
import { capHeapSlack, heapSlackCapped } from "../util/heap-slack.js";

// Issue 20: node:worker_threads is loaded when a pool starts, not by every run (a pre-commit scan never starts one).
const lazyRequire = createRequire(import.meta.url);
let workerClass: typeof Worker | undefined;
const WorkerThread = (): typeof Worker => (workerClass ??= (lazyRequire("node:worker_threads") as typeof import("node:worker_threads")).Worker);

/** A finding as it crosses the thread boundary: TextFinding with the rule named by id, plus its verify companions. */
export type PlainFinding = Omit<TextFinding, "rule"> & { ruleId: string; companions?: Record<string, string> };

export type PoolOutcome =
  | { ok: true; findings: PlainFinding[]; /** Bytes read, for file inputs. */ bytes?: number }
  | { ok: false; code: ProblemCode; message: string; skipped: boolean };

export interface PoolOptions {
  /** Worker threads (default: available cores, at most 8). */
  threads?: number;
  /** Honour inline allow comments (default true). */
  inlineAllow?: boolean;
  /** Watchdog: an input a worker has matched for longer than this is given up (E_TIMEOUT). Default 60 s. */
  inputTimeoutMs?: number;
}

/** Default bound on one input's matching in a worker (issue 19's watchdog). */
export const INPUT_TIMEOUT_MS = 60_000;

/** What a worker is started with (see pool-worker.ts). */
export interface WorkerInit {
  /** The specs to compile, for a rule set without an image (a gitleaks import). */
  specs?: NonNullable<RuleSet["source"]>["specs"];
  disable: readonly string[];
  version: string;
  inlineAllow: boolean;
  /** One Int32 that each worker increments once its rule set is compiled (read with Atomics, no event loop needed). */
  ready: SharedArrayBuffer;
  /** The rule set's image, when it has one: restored instead of compiled (lazy-rule-set.ts), the bytes shared. */
  compiled?: NonNullable<RuleSet["source"]>["compiled"];
  /**
   * The keyword automaton's dense table, made once by this thread and shared (issue 21: one copy, not one per worker),
   * with the WebAssembly memory that holds it when it is in one (dense-table-memory.ts) and this worker's walker
   * region there, claimed for it by the pool and released once it has exited.
   */
  dense?: HandedDenseTable;
  /**
   * Two Int32s this worker writes for the watchdog: the id + 1 of the input it is matching (0 when idle) and when it
   * started on it (milliseconds since `epoch`, the pool's start).
   */
  progress?: SharedArrayBuffer;
  epoch?: number;
  /** Cap V8's heap slack again once the worker's isolate exists (src/util/heap-slack.ts): this thread had capped it. */
  capHeapSlack?: boolean;
}

/**
 * `path`: the input's path as reported, for path-scoped rules (scan-text.ts `path`). `release`: `data` is a page buffer
 * (src/util/page-buffer.ts) whose memory the worker returns once it has matched it.
 */
export type WorkerRequest =
  | { id: number; data: Uint8Array | string; path?: string; release?: true }
  | { id: number; file: { path: string | Uint8Array; maxFileSize: number }; path?: string };
export type WorkerReply = { id: number } & PoolOutcome;
/** Messages carry batches: the pool posts WorkerRequest[] and the worker answers with WorkerReply[]. */
export type WorkerBatch = WorkerRequest[];

interface Pending {
  resolve: (o: PoolOutcome) => void;
  bytes: number;
}

interface Slot {
  worker: Worker;
  progress: Int32Array;
  pending: Map<number, Pending>;
  load: number;
  /** Requests not yet posted: small inputs go in batches, one message per batch (a message costs ~10 µs a side). */
  batch: WorkerRequest[];
  transfer: ArrayBuffer[];
  flushScheduled: boolean;
}

const MAX_RESPAWNS = 4;
const BATCH_MAX = 64;
/** An input this large is posted at once rather than batched. */
const BATCH_BYTES = 256 * 1024;

function workerUrl(): URL {
  // From the TypeScript sources (vitest) the worker runs the built copy: a worker thread cannot load .ts files. The
  // release bundle's worker is pool-worker.mjs beside the CLI's cli.cjs and the library's index.mjs (scripts/bundle.mjs).
  if (import.meta.url.endsWith(".ts")) return new URL("../../dist/executor/pool-worker.js", import.meta.url);
  return new URL(/\.[cm]js$/.test(import.meta.url) ? "./pool-worker.mjs" : "./pool-worker.js", import.meta.url);
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

export class ScanPool {
  private readonly slots: Slot[] = [];
  private readonly init: WorkerInit;
  private readonly readyCount: Int32Array;
  private nextId = 0;
  private respawns = 0;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly epoch = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  /** When `ready` last set the heap flags again (Date.now()). */
  private recappedAt = 0;
  /** The shared memory of the dense table, where each worker gets a walker region (dense-table-memory.ts). */
  private readonly tableMemory: WasmMemory | undefined;

  /** Start a pool for `ruleset`; it must come from loadRules (which records the specs workers rebuild it from). */
  constructor(ruleset: RuleSet, options: PoolOptions = {}) {
    if (!ruleset.source) throw new Error("ScanPool needs a rule set from loadRules (RuleSet.source is missing)");
    this.readyCount = new Int32Array(new SharedArrayBuffer(4));
    const compiled = ruleset.source.compiled;
    const parts = compiled ? prefilterParts(ruleset.prefilter) : undefined;
    const transitions = parts?.dense();
    this.tableMemory = parts?.tables.transitionsMemory;
    this.init = {
      ...(compiled ? { compiled } : { specs: ruleset.source.specs }),
      ...(transitions ? { dense: { transitions, ...(this.tableMemory ? { memory: this.tableMemory } : {}) } } : {}),
      disable: ruleset.source.disable,
      version: ruleset.version,
      inlineAllow: options.inlineAllow ?? true,
      ready: this.readyCount.buffer as SharedArrayBuffer,
      ...(heapSlackCapped() ? { capHeapSlack: true } : {}),
    };
    const n = Math.max(1, options.threads ?? defaultThreads());
    for (let i = 0; i < n; i++) this.slots.push(this.spawn());
    // Issue 19: no single input may hold a worker past the bound (a pattern that backtracks in a way the load-time
    // analysis missed). The worker is stopped, the input reported as E_TIMEOUT, and a fresh worker takes over.
    this.timeoutMs = options.inputTimeoutMs ?? INPUT_TIMEOUT_MS;
    this.watchdog = setInterval(() => this.checkTimeouts(), Math.min(1000, Math.max(50, this.timeoutMs / 4)));
    this.watchdog.unref();
  }

  private checkTimeouts(): void {
    const now = Date.now() - this.epoch;
    for (const slot of [...this.slots]) {
      const current = Atomics.load(slot.progress, 0);
      if (current === 0 || now - Atomics.load(slot.progress, 1) <= this.timeoutMs) continue;
      const stuck = current - 1;
      const index = this.slots.indexOf(slot);
      if (index < 0) continue;
      this.answer(slot, { id: stuck, ok: false, code: "E_TIMEOUT", message: `matching took longer than ${Math.round(this.timeoutMs / 1000)} s; given up (a rule pattern that backtracks on this input?)`, skipped: true });
      this.failAll(slot, "not scanned: its worker was stopped because another input ran past the time bound");
      this.slots[index] = this.spawn(); // before terminate, so the exit handler sees a replaced slot
      void slot.worker.terminate().catch(() => 0);
    }
  }

  get threads(): number {
    return this.slots.length;
  }

  /**
   * Whether a worker has compiled its rules and can take input. A worker needs a few hundred milliseconds for that;
   * callers keep matching on their own thread until then (index.ts) instead of queueing work for idle workers.
   * Read through a shared counter, so it is current even while the caller never yields to the event loop.
   */
  get ready(): boolean {
    if (Atomics.load(this.readyCount, 0) > 0) return true;
    // Until then a worker's isolate may just have been set up, resetting a heap flag for the whole process, this
    // thread's heap included, before the worker sets it again (src/util/heap-slack.ts): set it here too meanwhile,
    // every few milliseconds (this is asked at every input until then: setting the flags each time was ~40 ms of a
    // tree scan's profile).
    const now = Date.now();
    if (heapSlackCapped() && now - this.recappedAt >= 2) {
      capHeapSlack();
      this.recappedAt = now;
    }
    return false;
  }

  /** Inputs handed out and not yet answered. */
  get inFlight(): number {
    let n = 0;
    for (const s of this.slots) n += s.pending.size;
    return n;
  }

  /**
   * Scan one input in a worker. Bytes are decoded there (a Buffer's whole ArrayBuffer is transferred when the Buffer
   * owns it; a view into a larger buffer is copied to its own first). Never rejects: failures come back as `{ok: false}`.
   */
  scan(input: Uint8Array | string, path?: string, release = false): Promise<PoolOutcome> {
    let data = input;
    const bytes = typeof data === "string" ? data.length : Number(data?.byteLength) || 0;
    if (typeof data !== "string" && data instanceof Uint8Array) {
      const owned = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
      // A view into a larger buffer (a git pipe chunk, Node's small-Buffer pool) would be cloned whole; copy just its
      // bytes into a buffer of their own and transfer that.
      if (!owned) data = new Uint8Array(data);
      const own = data as Uint8Array;
      // A page buffer (src/util/page-buffer.ts) is released by the worker once matched: only one it holds whole.
      const pages = release && owned;
      return this.send((id) => ({ id, data: own, ...(pages ? { release: true as const } : {}), ...(path !== undefined ? { path } : {}) }), bytes, [own.buffer as ArrayBuffer]);
    }
    return this.send((id) => ({ id, data, ...(path !== undefined ? { path } : {}) }), bytes, []);
  }

  /**
   * Read (src/sources/read-file.ts), decode and scan one file in a worker: the per-file system calls then run on
   * every core too, which is most of the cost of a tree of many small files. The outcome carries the bytes read.
   */
  scanFile(path: string | Uint8Array, maxFileSize: number, shownAs?: string): Promise<PoolOutcome> {
    return this.send((id) => ({ id, file: { path, maxFileSize }, ...(shownAs !== undefined ? { path: shownAs } : {}) }), 16 * 1024, []);
  }

  private send(make: (id: number) => WorkerRequest, weight: number, transfer: ArrayBuffer[]): Promise<PoolOutcome> {
    if (this.closed || this.slots.length === 0) return Promise.resolve({ ok: false, code: "E_WORKER", message: "scan pool is closed", skipped: false });
    const slot = this.slots.reduce((a, b) => (b.load < a.load ? b : a));
    const id = this.nextId++;
    return new Promise<PoolOutcome>((resolve) => {
      slot.pending.set(id, { resolve, bytes: weight });
      slot.load += weight + 4096;
      slot.batch.push(make(id));
      slot.transfer.push(...transfer);
      if (slot.batch.length >= BATCH_MAX || weight >= BATCH_BYTES) this.flush(slot);
      else if (!slot.flushScheduled) {
        slot.flushScheduled = true;
        setImmediate(() => this.flush(slot));
      }
    });
  }

  private flush(slot: Slot): void {
    slot.flushScheduled = false;
    if (slot.batch.length === 0) return;
    const batch = slot.batch;
    const transfer = slot.transfer;
    slot.batch = [];
    slot.transfer = [];
    try {
      slot.worker.postMessage(batch satisfies WorkerBatch, transfer);
    } catch (err) {
      for (const req of batch) this.answer(slot, { id: req.id, ok: false, code: "E_WORKER", message: `could not hand the input to a worker (${(err as Error).message})`, skipped: false });
    }
  }

  private answer(slot: Slot, reply: WorkerReply): void {
    const p = slot.pending.get(reply.id);
    if (!p) return;
    slot.pending.delete(reply.id);
    slot.load -= p.bytes + 4096;
    const { id: _id, ...outcome } = reply;
    p.resolve(outcome as PoolOutcome);
  }

  /** Stop every worker; pending inputs are answered with a problem. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    const slots = this.slots.splice(0);
    for (const s of slots) this.failAll(s, "scan pool closed before this input was scanned");
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => 0)));
  }

  private spawn(): Slot {
    const progress = new SharedArrayBuffer(8);
    const memory = this.tableMemory;
    const walkerSlot = memory ? claimRegion(memory) : undefined;
    // Without a region of its own a worker gets the table alone and copies it: it must not claim one that nobody frees.
    const given = this.init.dense;
    const dense = given ? { dense: walkerSlot !== undefined ? { ...given, slot: walkerSlot } : { transitions: given.transitions } } : {};
    const worker = new (WorkerThread())(workerUrl(), { workerData: { ...this.init, progress, epoch: this.epoch, ...dense } satisfies WorkerInit });
    // Its region is free again only once the thread is gone (a terminated worker's walker stops with it).
    if (memory && walkerSlot !== undefined) worker.once("exit", () => releaseRegion(memory, walkerSlot));
    const slot: Slot = { worker, progress: new Int32Array(progress), pending: new Map(), load: 0, batch: [], transfer: [], flushScheduled: false };
    worker.on("message", (replies: WorkerReply[]) => {
      for (const reply of replies) this.answer(slot, reply);
    });
    const died = (why: string): void => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return; // already replaced or closed
      this.failAll(slot, `worker thread failed while scanning this input (${why})`);
      if (this.closed) return;
      if (this.respawns < MAX_RESPAWNS) {
        this.respawns++;
        this.slots[index] = this.spawn();
      } else if (this.slots.length > 1) this.slots.splice(index, 1);
      else {
        // Out of workers: answer everything from now on with a problem rather than hang.
        this.closed = true;
        this.slots.splice(index, 1);
      }
    };
    worker.on("error", (err) => died(err.message));
    worker.on("exit", (code) => died(`exited with code ${code}`));
    return slot;
  }

  private failAll(slot: Slot, message: string): void {
    for (const p of slot.pending.values()) p.resolve({ ok: false, code: "E_WORKER", message, skipped: false });
    slot.pending.clear();
    slot.load = 0;
    slot.batch = [];
    slot.transfer = [];
  }
}
