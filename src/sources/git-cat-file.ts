/**
 * Reading blobs: one long-lived `git cat-file --batch` per scan, fed requests as they are made and read with
 * backpressure (StreamReader), so git reads ahead while the matcher works and memory stays bounded. `--batch`
 * returns stored bytes: no filter or textconv configured by the scanned repository runs.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { KeyscanError, describeCause } from "../errors.js";
import { PAGE_BUFFER_MIN_BYTES, pageBuffer } from "../util/page-buffer.js";
import { allLines, gitMissing, spawnGit, type GitContext } from "./git.js";

/**
 * git's own bound on the delta bases one `cat-file` keeps inflated (core.deltaBaseCacheLimit, 96 MiB). Reading every
 * blob of a history, git rebuilds each version of a large file from a chain of deltas; a base pushed out of the cache
 * is inflated and rebuilt again for the next version. On the 1.5 GB bench history (37 typescript releases, 7-10 MB
 * files) git spent 11-12 s of CPU at 96 MiB, 9.0 at 256 MiB, 6.7 at 384 MiB and 5.3-5.6 at 512 MiB (the floor,
 * `cat-file --batch-all-objects --batch`), and `keyscan history` took 21.8 s, 18.5 s, 11.5 s and 10.4 s; 1 GiB
 * gained nothing more. The price is git's memory: its peak RSS 255, 440, 509 and 629 MB (node's unchanged).
 */
export const GIT_DELTA_CACHE_BYTES = 96 << 20;
const DEFAULT_DELTA_CACHE_MAX = 512 << 20;

/** History's delta-base cache for git (issue 21): 1/16 of the memory given, at least git's own, at most 512 MiB. */
export function defaultDeltaCacheBytes(totalMemory: number): number {
  return Math.min(DEFAULT_DELTA_CACHE_MAX, Math.max(GIT_DELTA_CACHE_BYTES, Math.floor(totalMemory / 16)));
}

/** What `CatFileBatch.read` returns for one object. */
export type ObjectRead =
  /** `paged`: `content` is a page buffer (src/util/page-buffer.ts; CatFileBatch `pageBuffers`), to be released once matched. */
  | { oid: string; kind: "ok"; type: string; size: number; content: Buffer; paged?: true }
  | { oid: string; kind: "too-large"; type: string; size: number }
  /** Missing from the repository, or corrupt (the message says which). */
  | { oid: string; kind: "unreadable"; message: string };

/**
 * Reads a child's stdout ahead into memory, up to `highWater` bytes, and hands out lines and byte runs. Reading
 * ahead lets git keep producing while the scanner is busy on the previous blob (two cores: git on one, the matcher
 * on the other); pausing the stream beyond `highWater` is the backpressure that stops git when the scanner falls
 * behind, so memory stays bounded whatever the size of the history.
 */
export class StreamReader {
  private readonly chunks: Buffer[] = [];
  private head = 0;
  private buffered = 0;
  private ended = false;
  private paused = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly stream: NodeJS.ReadableStream & { pause(): unknown; resume(): unknown },
    private readonly highWater = 4 << 20,
  ) {
    stream.on("data", (c: Buffer) => {
      this.chunks.push(c);
      this.buffered += c.length;
      if (this.buffered > this.highWater && !this.paused) {
        this.paused = true;
        this.stream.pause();
      }
      this.notify();
    });
    stream.on("end", () => {
      this.ended = true;
      this.notify();
    });
    stream.on("error", (e: Error) => {
      this.failure = e;
      this.notify();
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async ensure(): Promise<Buffer> {
    while (this.chunks.length === 0) {
      if (this.failure) throw this.failure;
      if (this.ended) throw new KeyscanError("E_GIT", "git cat-file stopped before answering every request (a corrupt object or a killed process)");
      await new Promise<void>((r) => (this.wake = r));
    }
    return this.chunks[0]!;
  }

  private advance(n: number): void {
    this.head += n;
    this.buffered -= n;
    if (this.head >= this.chunks[0]!.length) {
      this.chunks.shift();
      this.head = 0;
    }
    if (this.paused && this.buffered < this.highWater / 2) {
      this.paused = false;
      this.stream.resume();
    }
  }

  async line(): Promise<string> {
    const parts: Buffer[] = [];
    for (;;) {
      const c = await this.ensure();
      const nl = c.indexOf(0x0a, this.head);
      if (nl !== -1) {
        parts.push(c.subarray(this.head, nl));
        this.advance(nl + 1 - this.head);
        return (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString("latin1");
      }
      parts.push(c.subarray(this.head));
      this.advance(c.length - this.head);
    }
  }

  /** The next `n` bytes: copied into `into` when given (a page buffer), else a view of git's output or a copy. */
  async bytes(n: number, into?: Buffer): Promise<Buffer> {
    const parts: Buffer[] = [];
    let at = 0;
    while (at < n) {
      const c = await this.ensure();
      const take = Math.min(n - at, c.length - this.head);
      if (into) c.copy(into, at, this.head, this.head + take);
      else parts.push(c.subarray(this.head, this.head + take));
      this.advance(take);
      at += take;
    }
    return into ?? (parts.length === 1 ? parts[0]! : Buffer.concat(parts, n));
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const c = await this.ensure();
      const take = Math.min(left, c.length - this.head);
      this.advance(take);
      left -= take;
    }
  }
}

/**
 * One long-lived `git cat-file --batch`: requests are written as they are made, answers are parsed in order as
 * they are awaited. Objects larger than `maxSize` are drained without being kept. `--batch` returns the stored
 * bytes (no filters, no textconv), so nothing in the repository's config runs. cat-file exits on a corrupt object;
 * the object it died on is answered as unreadable and a fresh process takes the remaining requests, so one broken
 * object costs one problem item, not the scan.
 */
export class CatFileBatch {
  private proc!: ChildProcessWithoutNullStreams;
  private reader!: StreamReader;
  private exited!: Promise<void>;
  private readonly queue: Array<{ oid: string; maxSize: number; resolve: (r: ObjectRead) => void; reject: (e: Error) => void }> = [];
  private running = false;
  private failed: Error | undefined;
  private stderr = "";
  private restarts = 0;
  /** Content bytes answered and not yet claimed by the consumer (readObjects); see `readAheadBytes`. */
  private unclaimed = 0;
  private wakeLoop: (() => void) | undefined;
  private readonly readAheadBytes: number;
  private readonly streamAheadBytes: number | undefined;
  private readonly deltaCacheBytes: number | undefined;
  private readonly pageBuffers: boolean;

  /**
   * `readAheadBytes` (issue 21): with it, answers are parsed ahead of the consumer only while fewer content bytes
   * than this wait unclaimed (the consumer calls `claim`), so a window of large blobs is not held in memory at once;
   * git waits on the pipe meanwhile. Without it answers are parsed as fast as git writes them.
   */
  constructor(
    private readonly ctx: GitContext,
    options: {
      readAheadBytes?: number;
      /** StreamReader's highWater for git's output (default 4 MB). */
      streamAheadBytes?: number;
      /** git's core.deltaBaseCacheLimit for this process, in bytes (default: git's, GIT_DELTA_CACHE_BYTES). */
      deltaCacheBytes?: number;
      /** Content of PAGE_BUFFER_MIN_BYTES or more in page buffers, which the consumer releases once matched. */
      pageBuffers?: boolean;
    } = {},
  ) {
    this.readAheadBytes = options.readAheadBytes ?? Number.POSITIVE_INFINITY;
    this.streamAheadBytes = options.streamAheadBytes;
    this.deltaCacheBytes = options.deltaCacheBytes;
    this.pageBuffers = options.pageBuffers === true;
    this.start();
  }

  /** Content bytes parsed and not yet claimed (what the read-ahead holds now). */
  get unclaimedBytes(): number {
    return this.unclaimed;
  }

  /** The consumer has taken `bytes` of content: answers may be parsed ahead again. */
  claim(bytes: number): void {
    this.unclaimed -= bytes;
    if (this.unclaimed <= this.readAheadBytes) {
      const w = this.wakeLoop;
      this.wakeLoop = undefined;
      w?.();
    }
  }

  private start(): void {
    const cache = this.deltaCacheBytes === undefined ? [] : ["-c", `core.deltaBaseCacheLimit=${Math.floor(this.deltaCacheBytes)}`];
    const proc = spawnGit(this.ctx, [...cache, "cat-file", "--batch"]);
    this.proc = proc;
    this.stderr = "";
    this.reader = new StreamReader(proc.stdout, this.streamAheadBytes);
    this.exited = new Promise<void>((r) => proc.on("close", () => r()));
    proc.stderr.on("data", (b: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += b.toString("utf8");
    });
    proc.on("error", (e) => this.fail(gitMissing(e)));
    proc.stdin.on("error", () => undefined);
  }

  read(oid: string, maxSize: number): Promise<ObjectRead> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ oid, maxSize, resolve, reject });
      this.proc.stdin.write(`${oid}\n`);
      if (!this.running) void this.loop();
    });
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const q of this.queue.splice(0)) q.reject(this.failed);
  }

  private async answer(req: { oid: string; maxSize: number }): Promise<ObjectRead> {
    const header = await this.reader.line();
    const parts = header.split(" ");
    if (parts.length === 3 && /^\d+$/.test(parts[2]!)) {
      const size = Number(parts[2]);
      if (size > req.maxSize) {
        await this.reader.skip(size + 1);
        return { oid: parts[0]!, kind: "too-large", type: parts[1]!, size };
      }
      const paged = this.pageBuffers && size >= PAGE_BUFFER_MIN_BYTES;
      const content = await this.reader.bytes(size, paged ? pageBuffer(size) : undefined);
      await this.reader.skip(1);
      return { oid: parts[0]!, kind: "ok", type: parts[1]!, size, content, ...(paged ? { paged: true as const } : {}) };
    }
    // "<oid> missing": absent, or a loose object git could not inflate (git says which only on stderr).
    return { oid: req.oid, kind: "unreadable", message: "missing or corrupt" };
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.failed) {
        while (this.unclaimed > this.readAheadBytes) await new Promise<void>((r) => (this.wakeLoop = r));
        const req = this.queue[0]!;
        let result: ObjectRead;
        try {
          result = await this.answer(req);
        } catch (err) {
          // cat-file died on this object (corrupt or unreadable): answer it, and restart for the rest.
          await this.exited;
          const why = allLines(this.stderr) || describeCause(err);
          if (++this.restarts > 100) throw new KeyscanError("E_GIT", `git cat-file keeps failing (${why})`, { cause: err });
          result = { oid: req.oid, kind: "unreadable", message: why };
          this.queue.shift();
          req.resolve(result);
          this.start();
          for (const q of this.queue) this.proc.stdin.write(`${q.oid}\n`);
          continue;
        }
        this.queue.shift();
        if (result.kind === "ok") this.unclaimed += result.size;
        req.resolve(result);
      }
    } catch (err) {
      this.fail(err instanceof KeyscanError ? err : new KeyscanError("E_GIT", describeCause(err), { cause: err }));
    } finally {
      this.running = false;
    }
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.stdin.end();
    if (this.queue.length > 0 || this.failed) this.proc.kill();
    await this.exited;
  }
}

/** Hand one answer to the consumer: its content is claimed (CatFileBatch `readAheadBytes`). */
function taken<T>(cat: CatFileBatch, req: T, read: ObjectRead): { req: T; read: ObjectRead } {
  if (read.kind === "ok") cat.claim(read.size);
  return { req, read };
}

/**
 * Read many objects through one cat-file process, keeping at most `window` requests in flight (in input order).
 * With a `readAheadBytes` CatFileBatch, at most that many content bytes are parsed ahead of what is yielded.
 */
export async function* readObjects<T extends { oid: string }>(cat: CatFileBatch, input: AsyncIterable<T> | Iterable<T>, maxSize: number, window = 32): AsyncGenerator<{ req: T; read: ObjectRead }> {
  const inflight: Array<{ req: T; p: Promise<ObjectRead> }> = [];
  for await (const req of input as AsyncIterable<T>) {
    const p = cat.read(req.oid, maxSize);
    p.catch(() => undefined);
    inflight.push({ req, p });
    if (inflight.length >= window) {
      const head = inflight.shift()!;
      yield taken(cat, head.req, await head.p);
    }
  }
  while (inflight.length > 0) {
    const head = inflight.shift()!;
    yield taken(cat, head.req, await head.p);
  }
}
