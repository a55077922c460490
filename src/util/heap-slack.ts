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
 * Between the worker's set-up and its first line the flag is V8's again: a collection of another thread in that window
 * (the pool's `ready` sets the flags every 2 ms while the main thread matches; an idle-time one while it waits) may
 * double that thread's young generation once (2 × 8 MB), not further.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Each isolate's young generation settles at YOUNG_SEMI_MB semi-spaces, and the old generation grows by 1.5× per full
 * GC (`--heap-growing-percent=50`). Not V8's defaults (semi-spaces doubling up to 16 MB, the old generation growing
 * by up to 4×), which took the 415 MB tree's peak to 340-356 MB; and not the smallest young generation either (1 MB,
 * `--semi-space-growth-factor=1` from the start, the first cap): a text being matched then outlived most scavenges
 * and was copied, and promoted, with what matching it made (415 MB tree, one thread: 331 scavenges and 17 full GCs
 * against 100 and 14 with 8 MB). Issue 16's A/B (6 Dec 2026, 415 MB tree, default threads, 3 interleaved rounds,
 * with the faster decoding of decode-bytes.ts): 1 MB 4.00-6.56 s and 207-246 MB peak RSS, 4 MB 3.78-3.98 s and
 * 219-228 MB, 8 MB 3.67-3.98 s and 227-253 MB.
 *
 * How, since V8 reads the semi-space bounds only when it sets up an isolate: a worker (set up after capHeapSlack)
 * gets `--min/--max-semi-space-size`; this thread's isolate already exists with 1 MB semi-spaces, so once it matches
 * it is let grow (growth factor 2, V8's default, doubling at a scavenge that saw many survivors) until it reaches
 * YOUNG_SEMI_MB, and then frozen (`--semi-space-growth-factor=1`, which V8 accepts at run time; it clamps it to ≥ 2
 * on the command line). afterText looks at its size after each text until it has settled (a look costs ~0.4 µs;
 * it settles within the first few MB): a large text (one look after it) may still let it double past YOUNG_SEMI_MB,
 * at most to V8's 16 MB.
 */
const YOUNG_SEMI_MB = 4;
const FLAGS = ["--heap-growing-percent=50", `--min-semi-space-size=${YOUNG_SEMI_MB}`, `--max-semi-space-size=${YOUNG_SEMI_MB}`];
/** V8's new space holds two semi-spaces (getHeapSpaceStatistics' new_space size is twice one of them). */
const YOUNG_SETTLED_BYTES = 2 * YOUNG_SEMI_MB * 2 ** 20;

let capped = false;
/** Whether this thread's young generation has reached its size (the growth factor is then 1). */
let settled = false;
/**
 * Whether this thread has started matching (afterText was called): only then may its young generation grow. Before,
 * the rule set's compile (a run without the rule cache) made it grow to V8's 16 MB at once, with no look between
 * (415 MB tree, `KEYSCAN_CACHE_DIR=off`: peak RSS 274-277 MB against 226-241 MB with the young generation frozen).
 */
let matching = false;
/** The growth factor this thread last set (0: none yet). */
let factorSet = 0;

function youngBytes(): number {
  for (const space of getHeapSpaceStatistics()) if (space.space_name === "new_space") return space.space_size;
  return 0;
}

/**
 * Let this thread's young generation grow while it matches, until it reaches YOUNG_SETTLED_BYTES; else hold it (see
 * FLAGS).
 */
function settleYoung(force = false): void {
  settled ||= youngBytes() >= YOUNG_SETTLED_BYTES;
  const factor = matching && !settled ? 2 : 1;
  // Set only when it changes (setFlagsFromString re-hashes V8's flags: ~1.4 µs a call, 44 ms of a tree scan's
  // profile when it ran after every text), or when a worker's set-up may have reset it (capHeapSlack).
  if (factor !== factorSet || force) setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  factorSet = factor;
}

/**
 * Set the flags for every isolate of this process, and this thread's growth factor. Called again after a worker's
 * isolate is set up: that set-up raises the process-wide growth factor back to ≥ 2 (see the header). `inWorker`: a
 * worker's young generation is bounded by the semi-space flags it was set up with, so it has settled from the start
 * (V8 may start it at half the bound and grow it to the bound); it freezes the thread that started it, which grows
 * again, if it must, at its next look.
 */
export function capHeapSlack(inWorker = false): void {
  for (const flag of FLAGS) setFlagsFromString(flag);
  settled ||= inWorker;
  settleYoung(true);
  capped = true;
}

/** Whether this thread set the flags: then the workers it starts set them again (pool.ts, pool-worker.ts). */
export function heapSlackCapped(): boolean {
  return capped;
}

/** A text this long (characters) is a large object that may outlive its scan (see afterText). */
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
 * Called once a text of `chars` characters (0: bytes with no keyword, never decoded) is matched and no longer
 * referenced. Until this thread's young generation has settled, it looks at its size (see FLAGS).
 * And it collects dead large texts: a text over ~128 KB is a V8 large object;
 * matching it allocates more than the young generation holds, so it outlives a scavenge and is promoted to the old
 * generation, where it stays, dead, until the next full collection — and V8 lets the old generation grow by at least
 * 8 MB past its live size before it collects. On a tree of generated bundles each matching thread kept one to three
 * dead texts of 9-20 MB (a file with one character past U+00FF is a two-byte string, twice its size). Once the old
 * large-object space holds LARGE_GARBAGE_BYTES more than the last collection left, this thread collects: a full GC of
 * a ~20-30 MB heap, 10-20 ms of CPU, 4 times in a scan of the 415 MB tree. Only where the heap slack is capped (the
 * CLI): the library leaves the embedding process's V8 alone.
 */
export function afterText(chars: number): void {
  if (!capped) return;
  if (!settled) {
    matching = true;
    settleYoung();
  }
  if (chars < LARGE_TEXT_CHARS) return;
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
