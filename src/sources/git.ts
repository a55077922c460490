/**
 * Git plumbing for the git sources (staged, commit range, history). Git is run with plain `child_process.spawn`
 * and the caller's environment passed through untouched, because a pre-commit hook depends on `GIT_INDEX_FILE`
 * (git points it at a temporary index for `git commit -a` and `git commit <path>`) and wrappers such as simple-git
 * strip it. Every command is a plumbing command with `-z` output, and runs with settings that keep a scan of an
 * untrusted clone from executing anything the clone configures: no fsmonitor hook, no hooks directory, no external
 * diff or textconv driver, no signature verification; filters are never involved because blobs are read with
 * `cat-file --batch`, which returns stored bytes. Outputs are parsed as streams (NUL-separated tokens, one
 * long-lived `cat-file --batch` with backpressure), so history of any length is never held in memory. This module
 * runs git and asks it small questions; git-diff.ts parses what commits changed, git-cat-file.ts reads blobs.
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

export function gitMissing(e: unknown): KeyscanError {
  return new KeyscanError("E_GIT", `cannot run git (${describeCause(e)}); install git or put it on PATH.`, { cause: e });
}

/** First line of git's complaint, for messages. */
export function firstLine(stderr: string): string {
  return stderr.split("\n").map((l) => l.trim()).find((l) => l.length > 0)?.replace(/^(fatal|error): /, "") ?? "no message";
}

/** All of git's complaint on one line (for cat-file, whose last line names the corrupt object). */
export function allLines(stderr: string): string {
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
