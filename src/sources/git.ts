/**
 * Git plumbing for the git sources (staged, commit range, history). Git is run with plain `child_process.spawn`
 * and the caller's environment passed through untouched, because a pre-commit hook depends on `GIT_INDEX_FILE`
 * (git points it at a temporary index for `git commit -a` and `git commit <path>`) and wrappers such as simple-git
 * strip it. Every command is a plumbing command with `-z` output, and runs with settings that keep a scan of an
 * untrusted clone from executing anything the clone configures: no fsmonitor hook, no hooks directory, no external
 * diff or textconv driver, no signature verification; filters are never involved because blobs are read with
 * `cat-file --batch`, which returns stored bytes. Outputs are parsed as streams (NUL-separated tokens, one
 * long-lived `cat-file --batch` with backpressure), so history of any length is never held in memory.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { KeyscanError, describeCause } from "../errors.js";
import type { CommitInfo } from "../report/types.js";

export interface GitContext {
  /** Directory git runs in (any directory inside the work tree). */
  cwd: string;
  /** Environment passed through as is (keeps GIT_INDEX_FILE, GIT_DIR, … that a hook was given). */
  env: NodeJS.ProcessEnv;
}

/**
 * `-c` settings that neutralise everything a repository's own config could make git execute or rewrite during a
 * read-only scan. Filters (clean/smudge/process) only run when content passes between work tree and index, which
 * none of the commands used here does; external diff and textconv are also refused on every diff command line.
 */
export const SAFE_GIT_CONFIG: readonly string[] = [
  "core.fsmonitor=false",
  "core.hooksPath=/dev/null",
  "core.untrackedCache=false",
  "core.quotePath=false",
  "core.pager=cat",
  "diff.external=",
  "log.showSignature=false",
  "color.ui=never",
].flatMap((kv) => ["-c", kv]);

/** The flags every diff-producing command gets. */
export const SAFE_DIFF_FLAGS: readonly string[] = ["--no-ext-diff", "--no-textconv", "--no-color"];

export const ZERO_OID = /^0+$/;

export function spawnGit(ctx: GitContext, args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn("git", [...SAFE_GIT_CONFIG, ...args], {
    cwd: ctx.cwd,
    env: { ...ctx.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", GIT_PAGER: "cat" },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

export interface GitOutput {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run a git command with a small output and collect it. Never throws for a non-zero exit (see `git`). */
export function gitRaw(ctx: GitContext, args: readonly string[], input?: string): Promise<GitOutput> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnGit(ctx, args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => reject(gitMissing(e)));
    child.on("close", (code) => resolvePromise({ code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(input ?? "");
  });
}

function gitMissing(e: unknown): KeyscanError {
  return new KeyscanError("E_GIT", `cannot run git (${describeCause(e)}); install git or put it on PATH.`, { cause: e });
}

/** First line of git's complaint, for messages. */
export function firstLine(stderr: string): string {
  return stderr.split("\n").map((l) => l.trim()).find((l) => l.length > 0)?.replace(/^(fatal|error): /, "") ?? "no message";
}

/** All of git's complaint on one line (for cat-file, whose last line names the corrupt object). */
function allLines(stderr: string): string {
  return stderr.split("\n").map((l) => l.trim().replace(/^(fatal|error): /, "")).filter((l) => l.length > 0).join("; ").slice(0, 500);
}

/** Run git; a non-zero exit is a fatal E_GIT error saying what was attempted. Returns stdout as text. */
export async function git(ctx: GitContext, args: readonly string[], what: string, input?: string): Promise<string> {
  const r = await gitRaw(ctx, args, input);
  if (r.code !== 0) throw new KeyscanError("E_GIT", `${what}: git ${args[0]} failed: ${firstLine(r.stderr)}`);
  return r.stdout.toString("utf8");
}

/** The work tree's top directory; a clear E_GIT error outside a repository. */
export async function repoRoot(ctx: GitContext): Promise<string> {
  const r = await gitRaw(ctx, ["rev-parse", "--show-toplevel"]);
  if (r.code !== 0) {
    throw new KeyscanError("E_GIT", `${ctx.cwd} is not inside a git work tree (${firstLine(r.stderr)}); run keyscan from inside the repository.`);
  }
  return r.stdout.toString("utf8").replace(/\n$/, "");
}

/**
 * Where history-reading commands run: the work tree's top directory, or for a bare repository (a mirror on a
 * server) the repository itself, which has no work tree and so no .keyscanignore. A clear E_GIT error elsewhere.
 */
export async function repoLocation(ctx: GitContext): Promise<{ cwd: string; workTree?: string }> {
  const r = await gitRaw(ctx, ["rev-parse", "--is-bare-repository"]);
  if (r.code !== 0) {
    throw new KeyscanError("E_GIT", `${ctx.cwd} is not inside a git work tree (${firstLine(r.stderr)}); run keyscan from inside the repository.`);
  }
  if (r.stdout.toString("utf8").trim() === "true") return { cwd: ctx.cwd };
  const root = await repoRoot(ctx);
  return { cwd: root, workTree: root };
}

/** Resolve a revision to a commit id, or undefined when it does not name a commit. */
export async function resolveCommit(ctx: GitContext, rev: string): Promise<string | undefined> {
  if (rev.startsWith("-")) return undefined;
  const r = await gitRaw(ctx, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`]);
  return r.code === 0 ? r.stdout.toString("utf8").trim() : undefined;
}

/** The empty tree's id in this repository's hash (SHA-1 or SHA-256), without writing it. */
export async function emptyTree(ctx: GitContext): Promise<string> {
  return (await git(ctx, ["hash-object", "-t", "tree", "--stdin"], "computing the empty tree id", "")).trim();
}

export async function isShallow(ctx: GitContext): Promise<boolean> {
  return (await git(ctx, ["rev-parse", "--is-shallow-repository"], "checking for a shallow clone")).trim() === "true";
}

/** The shallow boundary commits (their parents are missing from this clone). */
export async function shallowCommits(ctx: GitContext): Promise<Set<string>> {
  const file = (await git(ctx, ["rev-parse", "--git-path", "shallow"], "locating the shallow file")).trim();
  try {
    const text = await readFile(resolve(ctx.cwd, file), "utf8");
    return new Set(text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0));
  } catch {
    return new Set();
  }
}

/** Author, e-mail, date and subject of the given commits, in one `rev-list --no-walk` call. */
export async function commitInfos(ctx: GitContext, commits: Iterable<string>): Promise<Map<string, CommitInfo>> {
  const ids = [...new Set(commits)];
  const out = new Map<string, CommitInfo>();
  if (ids.length === 0) return out;
  const text = await git(ctx, ["rev-list", "--no-walk=unsorted", "--stdin", "--format=%H%x00%an%x00%ae%x00%aI%x00%s"], "reading commit authors", `${ids.join("\n")}\n`);
  for (const line of text.split("\n")) {
    if (!line.includes("\0")) continue;
    const [commit, author, email, date, message] = line.split("\0");
    out.set(commit!, { commit: commit!, author: author ?? "", email: email ?? "", date: date ?? "", message: message ?? "" });
  }
  return out;
}

/**
 * Split a byte stream into NUL-terminated tokens without holding more than one partial token between chunks. A
 * token is returned as a Buffer because paths are bytes (a file name need not be UTF-8).
 */
export async function* nulTokens(stream: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    const buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    for (let nul = buf.indexOf(0, start); nul !== -1; nul = buf.indexOf(0, start)) {
      yield buf.subarray(start, nul);
      start = nul + 1;
    }
    pending = start < buf.length ? Buffer.from(buf.subarray(start)) : Buffer.alloc(0);
  }
  if (pending.length > 0) yield pending;
}

const pathDecoder = new TextDecoder("utf-8", { fatal: false });

/** A git path (bytes) as shown in reports: UTF-8, with invalid bytes as U+FFFD. */
export function showPath(bytes: Uint8Array): string {
  return pathDecoder.decode(bytes);
}

/** One entry of `--raw -z` output. */
export interface RawEntry {
  srcMode: string;
  dstMode: string;
  srcBlob: string;
  dstBlob: string;
  /** A, C, D, M, R, T, U, X (the similarity score of R/C is dropped). */
  status: string;
  /** Source path for renames and copies. */
  srcPath?: string;
  path: string;
}

/** A change between a commit (or the index) and one of its parents. */
export interface ParentDiff {
  commit: string;
  parents: string[];
  entries: RawEntry[];
}

/**
 * Parse `git diff-tree --stdin -r -m -z --raw --format='%H %P'` (or a headerless `diff-index -z --raw`) into one
 * ParentDiff per header. diff-tree prints a header per parent for merges with `-m`, but leaves out a parent whose
 * diff is empty, so callers group consecutive diffs of the same commit and compare against `parents.length`.
 */
export async function* parseRawDiff(stream: AsyncIterable<Buffer> | Iterable<Buffer>, headerless?: { commit: string; parents: string[] }): AsyncGenerator<ParentDiff> {
  let current: ParentDiff | undefined = headerless ? { ...headerless, entries: [] } : undefined;
  let meta: string | undefined;
  let srcPath: Buffer | undefined;
  for await (const raw of nulTokens(stream)) {
    const token = raw[0] === 0x0a ? raw.subarray(1) : raw;
    if (meta !== undefined) {
      const status = meta.split(" ")[4] ?? "";
      if ((status[0] === "R" || status[0] === "C") && srcPath === undefined) {
        srcPath = Buffer.from(token);
        continue;
      }
      const [srcMode, dstMode, srcBlob, dstBlob] = meta.slice(1).split(" ");
      current?.entries.push({
        srcMode: srcMode!,
        dstMode: dstMode!,
        srcBlob: srcBlob!,
        dstBlob: dstBlob!,
        status: status[0] ?? "?",
        ...(srcPath ? { srcPath: showPath(srcPath) } : {}),
        path: showPath(token),
      });
      meta = undefined;
      srcPath = undefined;
      continue;
    }
    if (token[0] === 0x3a /* ":" */) {
      meta = token.toString("latin1");
      continue;
    }
    if (token.length === 0) continue;
    if (headerless) throw new KeyscanError("E_GIT", `unexpected token in git's raw diff output (${token.length} bytes)`);
    if (current) yield current;
    const [commit, ...parents] = token.toString("latin1").trim().split(" ");
    current = { commit: commit!, parents: parents.filter((p) => p.length > 0), entries: [] };
  }
  if (current) yield current;
}

/** A regular file's content that appeared in a commit: new relative to every parent. */
export interface Introduction {
  path: string;
  blob: string;
  mode: string;
  /** The file's previous content in each parent (renames followed when the diff detected them); absent = new file. */
  previous: string[];
}

/** A regular file that a commit removed from a path (deleted, or replaced by a symlink or submodule), relative to every parent. */
export interface Deletion {
  path: string;
  /** The file's content in each parent. */
  previous: string[];
}

export interface CommitChanges {
  commit: string;
  parents: string[];
  introduced: Introduction[];
  deleted: Deletion[];
}

export function isRegularFile(mode: string): boolean {
  return mode === "100644" || mode === "100755";
}

/**
 * Group per-parent diffs into commits and keep what is new relative to ALL parents: a file whose content at this
 * commit differs from its content in every parent. For an ordinary commit that is every added or modified file; for
 * a merge it is exactly what the merge itself wrote (a conflict resolution, an evil merge), not what it brought in
 * from one side (that side's own commits introduced it). Gitlinks (submodules), symlinks and deletions are dropped.
 */
export async function* commitChanges(diffs: AsyncIterable<ParentDiff> | Iterable<ParentDiff>): AsyncGenerator<CommitChanges> {
  let group: ParentDiff[] = [];
  const flush = (): CommitChanges | undefined => {
    if (group.length === 0) return undefined;
    const { commit, parents } = group[0]!;
    const needed = Math.max(1, parents.length);
    const introduced: Introduction[] = [];
    const deleted: Deletion[] = [];
    if (group.length >= needed) {
      const byPath = new Map<string, { entry: RawEntry; previous: string[]; seen: number }>();
      const gone = new Map<string, { previous: string[]; seen: number }>();
      for (const d of group) {
        for (const e of d.entries) {
          const hadFile = !ZERO_OID.test(e.srcBlob) && isRegularFile(e.srcMode);
          if (!isRegularFile(e.dstMode) || ZERO_OID.test(e.dstBlob)) {
            // Deleted, or turned into a symlink or submodule: the file's content is gone from this path.
            if (!hadFile) continue;
            let slot = gone.get(e.path);
            if (!slot) gone.set(e.path, (slot = { previous: [], seen: 0 }));
            slot.seen++;
            slot.previous.push(e.srcBlob);
            continue;
          }
          let slot = byPath.get(e.path);
          if (!slot) byPath.set(e.path, (slot = { entry: e, previous: [], seen: 0 }));
          slot.seen++;
          if (hadFile) slot.previous.push(e.srcBlob);
        }
      }
      for (const [path, s] of byPath) {
        if (s.seen >= needed) introduced.push({ path, blob: s.entry.dstBlob, mode: s.entry.dstMode, previous: s.previous });
      }
      for (const [path, s] of gone) if (s.seen >= needed) deleted.push({ path, previous: s.previous });
    }
    group = [];
    return { commit, parents, introduced, deleted };
  };
  for await (const d of diffs) {
    if (group.length > 0 && group[0]!.commit !== d.commit) yield flush()!;
    group.push(d);
  }
  const last = flush();
  if (last) yield last;
}

/**
 * Walk the commits that `git rev-list --topo-order <revArgs>` lists (newest first, parents after children) and
 * stream what each one introduced. revArgs are resolved ids and pseudo-options such as `--branches`, never raw user
 * text that git could take for an option. rev-list feeds diff-tree through a pipe, so neither list is held in memory.
 */
export async function* walkCommits(ctx: GitContext, revArgs: readonly string[], options: { renames: boolean }): AsyncGenerator<CommitChanges> {
  const revList = spawnGit(ctx, ["rev-list", "--topo-order", ...revArgs]);
  const diffTree = spawnGit(ctx, [
    "diff-tree", "--stdin", "-r", "-m", "--root", "-z", "--raw", "--no-abbrev", "--always", "--format=%H %P",
    ...SAFE_DIFF_FLAGS,
    ...(options.renames ? ["-M"] : ["--no-renames"]),
  ]);
  const errs: string[] = [];
  let failure: Error | undefined;
  revList.stderr.on("data", (b: Buffer) => errs.push(b.toString("utf8")));
  diffTree.stderr.on("data", (b: Buffer) => errs.push(b.toString("utf8")));
  revList.on("error", (e) => (failure = gitMissing(e)));
  diffTree.on("error", (e) => (failure = gitMissing(e)));
  revList.stdin.on("error", () => undefined);
  diffTree.stdin.on("error", () => undefined);
  revList.stdin.end();
  revList.stdout.pipe(diffTree.stdin);
  const revListExit = new Promise<number>((r) => revList.on("close", (c) => r(c ?? 128)));
  const diffTreeExit = new Promise<number>((r) => diffTree.on("close", (c) => r(c ?? 128)));
  let finished = false;
  try {
    yield* commitChanges(parseRawDiff(diffTree.stdout));
    finished = true;
  } finally {
    if (!finished) {
      revList.kill();
      diffTree.kill();
    }
  }
  const [a, b] = await Promise.all([revListExit, diffTreeExit]);
  if (failure) throw failure;
  if (a !== 0 || b !== 0) throw new KeyscanError("E_GIT", `listing commits failed: ${firstLine(errs.join(""))}`);
}

/** What `CatFileBatch.read` returns for one object. */
export type ObjectRead =
  | { oid: string; kind: "ok"; type: string; size: number; content: Buffer }
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

  async bytes(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const c = await this.ensure();
      const take = Math.min(left, c.length - this.head);
      parts.push(c.subarray(this.head, this.head + take));
      this.advance(take);
      left -= take;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
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

  constructor(private readonly ctx: GitContext) {
    this.start();
  }

  private start(): void {
    const proc = spawnGit(this.ctx, ["cat-file", "--batch"]);
    this.proc = proc;
    this.stderr = "";
    this.reader = new StreamReader(proc.stdout);
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
      const content = await this.reader.bytes(size);
      await this.reader.skip(1);
      return { oid: parts[0]!, kind: "ok", type: parts[1]!, size, content };
    }
    // "<oid> missing": absent, or a loose object git could not inflate (git says which only on stderr).
    return { oid: req.oid, kind: "unreadable", message: "missing or corrupt" };
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.failed) {
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

/** Read many objects through one cat-file process, keeping at most `window` requests in flight (in input order). */
export async function* readObjects<T extends { oid: string }>(cat: CatFileBatch, input: AsyncIterable<T> | Iterable<T>, maxSize: number, window = 32): AsyncGenerator<{ req: T; read: ObjectRead }> {
  const inflight: Array<{ req: T; p: Promise<ObjectRead> }> = [];
  for await (const req of input as AsyncIterable<T>) {
    const p = cat.read(req.oid, maxSize);
    p.catch(() => undefined);
    inflight.push({ req, p });
    if (inflight.length >= window) {
      const head = inflight.shift()!;
      yield { req: head.req, read: await head.p };
    }
  }
  while (inflight.length > 0) {
    const head = inflight.shift()!;
    yield { req: head.req, read: await head.p };
  }
}
