/**
 * When a scan moves to the worker pool (issue 21): decided on what is known at each item — how long this thread has
 * been matching, how much it has matched, how many threads may match — so that no input is slower with the default
 * than with `--threads 1`. A source streams its items (the tree walk and the history walk run ahead of matching
 * by little), so what is left is not known; the estimate is that a scan that has run for T will run about as long
 * again. A worker is worth starting only when that remainder repays what the worker costs.
 *
 * What a worker costs, measured (issue 21, typescript + three, 50 MB, 2 cores): ~0.45 s of CPU beyond the
 * single-thread run (user 1.5 s with --threads 1 against 1.95 s with one worker: a V8 isolate, its JIT warming the
 * matcher's hot code again, its own copies of the matchers it meets) and ~150 ms before it takes input. Issue 7
 * started the pool after 512 KB or 32 files, and the 50 MB tree then took longer with the default than with
 * `--threads 1`. After POOL_AFTER_MS of matching the remainder is expected to be that long again: a worker started
 * then has ~POOL_AFTER_MS of matching to halve, which repays its ~0.45 s of CPU on a second core that is free.
 */

/** How long this thread matches alone before a pool starts (see the header). */
export const POOL_AFTER_MS = 500;
/** ...and at least this much input: a few slow files (deep decoding) are no sign of a large scan. */
export const POOL_AFTER_BYTES = 8 << 20;

export interface PoolSignals {
  /** Threads that may match (this one and the workers a pool would start). */
  threads: number;
  /**
   * Cores free for workers, when the thread count is keyscan's to choose (no --threads): the cores less the
   * machine's load (1-minute average) less this thread. A worker on a busy core only takes time from this one
   * (issue 21, 2 shared cores at load 4-5: the 50 MB tree took 3.2 s with a worker against 2.7 s without).
   */
  idleCores?: () => number;
  /** Input matched so far, and its item count. */
  bytes: number;
  items: number;
  /** Milliseconds since the first item. */
  elapsedMs: number;
}

/** A fixed threshold instead (tests force the pool with zeros; ScanOptions.poolAfter). */
export interface PoolAfter {
  bytes?: number;
  items?: number;
}

/** Workers to start now: 0 (not yet, or never), else at most `threads - 1`, no more than there are idle cores. */
export function poolWorkers(s: PoolSignals, fixed?: PoolAfter): number {
  if (s.threads <= 1) return 0;
  if (fixed) return s.bytes > (fixed.bytes ?? POOL_AFTER_BYTES) || s.items > (fixed.items ?? Infinity) ? s.threads - 1 : 0;
  if (s.elapsedMs < POOL_AFTER_MS || s.bytes < POOL_AFTER_BYTES) return 0;
  if (s.idleCores === undefined) return s.threads - 1;
  return Math.max(0, Math.min(s.threads - 1, Math.floor(s.idleCores() + 0.5)));
}

/** Whether to start the pool now. */
export function shouldStartPool(s: PoolSignals, fixed?: PoolAfter): boolean {
  return poolWorkers(s, fixed) > 0;
}

/** PoolSignals.idleCores for this machine now. */
export function idleCores(cores: number, load1: number): number {
  return cores - load1 - 1;
}
