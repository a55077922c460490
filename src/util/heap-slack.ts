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
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

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

/** A text this long (characters) is a large object that may outlive its scan (see releaseLargeText). */
const LARGE_TEXT_CHARS = 1 << 20;
/**
 * Bytes of V8's old large-object space beyond what the last collection left, at which this thread collects. 8 MB,
 * not 16 (415 MB tree, default threads, 4 interleaved rounds, load 4.4-6): peak RSS 189-203 MB against 186-265 MB;
 * 4 collections in the scan against 2 (planted tree: 6 against 5).
 */
const LARGE_GARBAGE_BYTES = 8 << 20;

let collect: (() => void) | undefined;
/** The old large-object space's size after this thread's last collection (or the least seen since). */
let largeBase = Infinity;

function oldLargeObjects(): number {
  for (const space of getHeapSpaceStatistics()) if (space.space_name === "large_object_space") return space.space_used_size;
  return 0;
}

/**
 * Called once a text of `chars` characters is no longer referenced. A text over ~128 KB is a V8 large object;
 * matching it allocates more than the young generation holds, so it outlives a scavenge and is promoted to the old
 * generation, where it stays, dead, until the next full collection — and V8 lets the old generation grow by at least
 * 8 MB past its live size before it collects. On a tree of generated bundles each matching thread kept one to three
 * dead texts of 9-20 MB (a file with one character past U+00FF is a two-byte string, twice its size). Once the old
 * large-object space holds LARGE_GARBAGE_BYTES more than the last collection left, this thread collects: a full GC of
 * a ~20-30 MB heap, 10-20 ms of CPU, 4 times in a scan of the 415 MB tree. Only where the heap slack is capped (the
 * CLI): the library leaves the embedding process's V8 alone.
 */
export function releaseLargeText(chars: number): void {
  if (!capped || chars < LARGE_TEXT_CHARS) return;
  const large = oldLargeObjects();
  if (large < largeBase) largeBase = large; // V8 collected by itself
  if (large - largeBase < LARGE_GARBAGE_BYTES) return;
  if (!collect) {
    // V8's gc() on demand: the flag is read when a context is made, so a fresh context has the function.
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
  largeBase = oldLargeObjects();
}
