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

/**
 * How long this thread matches alone before a pool starts (see the header). 1,000 ms, not 500 (6 Dec 2026, 2 cores,
 * interleaved): the 45 MB tree (typescript + three) took 0.89-1.21 s against 1.08-1.43 s with 500 and 1.00-1.20 s
 * with --threads 1 — a worker started at 0.5 s had ~0.4 s left to halve; the 415 MB tree took 4.61-5.25 s against
 * 4.62-5.01 s, the same within the noise.
 */
export const POOL_AFTER_MS = 1000;
/** ...and at least this much input: a few slow files (deep decoding) are no sign of a large scan. */
export const POOL_AFTER_BYTES = 8 << 20;

/**
 * A tree is seen to be large sooner by its walk: with this many folders still to list once the scan has matched for
 * EARLY_POOL_MS (and EARLY_POOL_BYTES), the pool starts then instead of at POOL_AFTER_MS. Measured at 250 ms (issue
 * 16's A/B, 6 Dec 2026): the 415 MB bench tree had 416 folders to list, the 45 MB one (typescript + three) 12-13,
 * this repository's src and test 5. Starting at 250 ms took the 415 MB tree from 12.6 % slower than a7c89e7 (which
 * started its pool after 512 KB) to 4.9 % slower, wall, median of 8 interleaved rounds; on the 45 MB tree the same
 * early start was 12 % slower than --threads 1, so it waits for the walk's word.
 */
export const LARGE_BACKLOG = 128;
export const EARLY_POOL_MS = 250;
export const EARLY_POOL_BYTES = 2 << 20;

export interface PoolSignals {
  /** Threads that may match (this one and the workers a pool would start). */
  threads: number;
  /** Input matched so far, and its item count. */
  bytes: number;
  items: number;
  /** Milliseconds since the first item. */
  elapsedMs: number;
  /** What the source knows lies ahead, unread (Source.backlog: the tree walk's folders still to list); 0 if unknown. */
  backlog?: number;
}

/** A fixed threshold instead (tests force the pool with zeros; ScanOptions.poolAfter). */
export interface PoolAfter {
  bytes?: number;
  items?: number;
}

/**
 * Workers to start now: 0 (not yet, or never), else `threads - 1`. The machine's load average is not consulted: an
 * earlier rule that gave workers only to "idle" cores (cores − 1-minute load − this thread) counted keyscan's own
 * previous run as load, so back-to-back scans ran single-threaded (415 MB tree, 2 cores, load 1.3 left by the run
 * before: 7.3–7.5 s by default against 5.5–5.6 s with --threads 2; issue 21 review, 6 Dec 2026).
 */
export function poolWorkers(s: PoolSignals, fixed?: PoolAfter): number {
  if (s.threads <= 1) return 0;
  if (fixed) return s.bytes > (fixed.bytes ?? POOL_AFTER_BYTES) || s.items > (fixed.items ?? Infinity) ? s.threads - 1 : 0;
  if (s.elapsedMs >= EARLY_POOL_MS && s.bytes >= EARLY_POOL_BYTES && (s.backlog ?? 0) >= LARGE_BACKLOG) return s.threads - 1;
  if (s.elapsedMs < POOL_AFTER_MS || s.bytes < POOL_AFTER_BYTES) return 0;
  return s.threads - 1;
}

/** Whether to start the pool now. */
export function shouldStartPool(s: PoolSignals, fixed?: PoolAfter): boolean {
  return poolWorkers(s, fixed) > 0;
}
