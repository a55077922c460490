/**
 * Issue 21: bounded memory. A scan's live heap is small (~50 MB on the 415 MB tree: the rule set, the walk, one
 * file's text) but it allocates its input's size in short-lived strings, and V8's defaults then let each isolate's
 * heap grow far past what is live: the young generation to 16 MB semi-spaces, the old one (where every decoded file
 * over ~128 KB lands, as a large object) to up to 4× the live size before the next full collection. The CLI caps both
 * (src/cli/bin.ts); the library leaves the embedding process's V8 alone.
 *
 * The flags are process-wide and read whenever V8 resizes a heap, but V8 resets one of them whenever it configures a
 * new isolate: every heap set-up raises `--semi-space-growth-factor` back to at least 2. Each worker thread is a new
 * isolate, so from the pool's start every heap's young generation doubled again, the main thread's too (415 MB
 * tree, default threads: both to 32 MB). A worker therefore sets the flags again once its isolate exists
 * (pool-worker.ts), when the thread that started it had set them (`heapSlackCapped`, passed in its WorkerInit).
 */
import { setFlagsFromString } from "node:v8";

/**
 * `--semi-space-growth-factor=1`: semi-spaces stay at their initial size (V8 clamps it to ≥ 2 when given on the
 * command line; set at run time, 1 holds). `--heap-growing-percent=50`: the old generation grows by 1.5× per full GC.
 * Measured (415 MB tree, 2 cores): peak RSS 340-356 MB → 223-224 MB with CPU time within the noise, before the
 * worker reset above was found; `--max-semi-space-size` cannot be changed once the process runs, these can.
 */
const FLAGS = ["--semi-space-growth-factor=1", "--heap-growing-percent=50"];

let capped = false;

/** Set the flags for every isolate of this process (again: a new isolate resets the growth factor, see above). */
export function capHeapSlack(): void {
  for (const flag of FLAGS) setFlagsFromString(flag);
  capped = true;
}

/** Whether this thread set the flags: then the workers it starts set them again (pool.ts, pool-worker.ts). */
export function heapSlackCapped(): boolean {
  return capped;
}
