/**
 * The working-tree source: files under the paths a person names. It walks directories itself (so that ignored
 * directories such as `node_modules/` or `dist/` are pruned rather than listed and then filtered), honours nested
 * `.gitignore` and `.keyscanignore` files, never follows symbolic links (so it can neither leave the tree nor loop),
 * skips what is not a regular file, and reads files with a few reads in flight. Glob arguments that are not existing
 * paths are expanded with fast-glob. Every file that cannot be scanned becomes a problem item with a reason; the walk
 * itself never stops for one bad entry.
 */
import { constants, readdirSync, type Dirent } from "node:fs";
import { lstat, open, realpath, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { describeCause, KeyscanError, type ProblemCode } from "../errors.js";
import { keyInShard, type ShardSpec } from "./shard.js";
import { mapConcurrent } from "../util/concurrent.js";
import { CHUNK_BYTES, CHUNK_THRESHOLD, readChunks } from "./read-chunks.js";
import { decodeBytes } from "../engine/decode-bytes.js";
import { KEYSCAN_IGNORE_FILE, makeIgnore, readIgnoreFile, isIgnored, type ScopedIgnore } from "./ignore-rules.js";
import type { ProblemItem, Source, SourceItem } from "./types.js";

export interface WorkingTreeOptions {
  paths: readonly string[];
  cwd: string;
  /** Files larger than this many bytes are skipped (and reported as skipped). */
  maxFileSize: number;
  /** Honour .gitignore files (default true). .keyscanignore is always honoured. */
  gitignore?: boolean;
  /** Extra gitignore-style patterns (from config), relative to cwd. */
  exclude?: readonly string[];
  /** Reads in flight. */
  concurrency?: number;
  /**
   * Test hook: awaited just before each file is opened, so tests can change the tree mid-scan (delete a file,
   * swap it for a FIFO or a symlink) at a known moment. Not exposed on the command line.
   */
  beforeRead?: (shown: string) => Promise<void> | void;
  /** `--shard k/n`: only files whose shown path hashes into this slice. */
  shard?: ShardSpec;
  /** Yield unread `file` items; the scanner reads and decodes them where it matches (issue 7). Default false. */
  deferRead?: boolean;
  /** Test hooks: chunk size and overlap for files too large for one string (src/sources/read-chunks.ts). */
  chunkBytes?: number;
  chunkOverlap?: number;
}

/** A path as the file system knows it: a string, or raw bytes when a name is not valid UTF-8. */
type FsPath = string | Buffer;

type Entry = { kind: "file"; abs: FsPath; shown: string } | { kind: "problem"; item: ProblemItem };

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/**
 * A directory entry's name as text. Linux names are bytes; one that is not valid UTF-8 (a Latin-1 name from an old
 * archive, or a hostile repository hiding a file) is shown with its odd bytes as `\xNN` so a person can find it,
 * while the file itself is still opened by its real bytes.
 */
function nameText(name: Buffer): { text: string; exact: boolean } {
  try {
    return { text: utf8Strict.decode(name), exact: true };
  } catch {
    let text = "";
    for (const b of name) text += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
    return { text, exact: false };
  }
}

function childPath(dir: FsPath, name: Buffer | undefined, exact: boolean, text: string): FsPath {
  // Directories in the walk are already normalised (the root is resolved, the rest are built here), so a plain
  // concatenation is the join (issue 7: path.join's normalisation showed in tree-scan profiles).
  if (exact && typeof dir === "string") return sep === "/" ? (dir.endsWith("/") ? dir + text : `${dir}/${text}`) : join(dir, text);
  const dirBytes = typeof dir === "string" ? Buffer.from(dir, "utf8") : dir;
  return Buffer.concat([dirBytes, Buffer.from(sep), name ?? Buffer.from(text, "utf8")]);
}

type Listed = { name: string; raw?: Buffer; exact: boolean; type: "file" | "dir" | "link" | "other" };

const typeOf = (d: Dirent<string> | Dirent<Buffer>): Listed["type"] => (d.isFile() ? "file" : d.isDirectory() ? "dir" : d.isSymbolicLink() ? "link" : "other");

/**
 * One directory's entries. Names are read as strings (issue 7: a Buffer per name was most of the walk's cost); a
 * directory where one decodes to U+FFFD — a name that is not valid UTF-8, or (rarely) one that holds U+FFFD — is read
 * again as bytes (issue 8), so such a file is still opened by its real bytes and shown with `\xNN` escapes.
 */
function listDirectory(dir: FsPath): Listed[] {
  if (typeof dir === "string") {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (!entries.some((d) => d.name.includes("\uFFFD"))) return entries.map((d) => ({ name: d.name, exact: true, type: typeOf(d) }));
  }
  return readdirSync(dir, { withFileTypes: true, encoding: "buffer" }).map((d) => {
    const raw = d.name as unknown as Buffer;
    const { text, exact } = nameText(raw);
    return { name: text, raw, exact, type: typeOf(d) };
  });
}

/** Open flags for a file read: never follow a symlink swapped in after the walk, never block on a FIFO. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const GLOB_CHARS = /[*?[\]{}]/;

function toShown(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  const shown = rel === "" ? "." : rel.startsWith("..") ? abs : rel;
  return shown.split(sep).join("/");
}

export function workingTreeSource(options: WorkingTreeOptions): Source {
  const { cwd, maxFileSize } = options;
  const useGitignore = options.gitignore !== false;
  const extra = options.exclude && options.exclude.length > 0 ? makeIgnore(options.exclude) : undefined;

  /** Folders pushed and not yet listed by the scan's walk (Source.backlog); the estimate's walk keeps its own count. */
  type Ahead = { folders: number };
  const scanAhead: Ahead = { folders: 0 };

  async function* walk(rootAbs: string, ahead: Ahead): AsyncGenerator<Entry> {
    // Stack of directories to visit, each with the ignore scopes in force there.
    const stack: Array<{ abs: FsPath; rel: string; scopes: ScopedIgnore[] }> = [{ abs: rootAbs, rel: "", scopes: [] }];
    // A path is shown relative to the working directory: the root's shown form, then the walk's own relative path
    // (no path.relative per file: issue 7).
    const rootShown = toShown(cwd, rootAbs);
    const shownOf = (rel: string): string => (rel === "" ? rootShown : rootShown === "." ? rel : rootShown.endsWith("/") ? rootShown + rel : `${rootShown}/${rel}`);
    while (stack.length > 0) {
      const dir = stack.pop()!;
      ahead.folders = Math.max(0, ahead.folders - 1);
      // Issue 7: one synchronous readdir per directory. `opendir` + `for await` costs three thread-pool round trips
      // per directory, and the scan's workers sat idle waiting for the walk (a 31 000-file tree: 3.7 s → 0.3 s).
      // Names are read as bytes (issue 8): a name that is not valid UTF-8 is still opened by its real bytes.
      const subdirs: Array<{ abs: FsPath; rel: string; scopes: ScopedIgnore[] }> = [];
      let names: Listed[];
      try {
        names = listDirectory(dir.abs);
      } catch (err) {
        yield { kind: "problem", item: { type: "problem", path: shownOf(dir.rel), code: "E_READ", message: `directory cannot be read (${describeCause(err)})`, skipped: false } };
        continue;
      }
      // Ignore files are opened only where the listing shows one (issue 7: two failed opens per directory, each
      // throwing an ENOENT error, were a fifth of the walk).
      const scopes = dir.scopes.slice();
      for (const name of useGitignore ? [".gitignore", KEYSCAN_IGNORE_FILE] : [KEYSCAN_IGNORE_FILE]) {
        if (!names.some((n) => n.name === name)) continue;
        const content = readIgnoreFile(childPath(dir.abs, undefined, true, name));
        if (content && content.patterns.length > 0) scopes.push({ base: dir.rel === "" ? "" : `${dir.rel}/`, ig: makeIgnore(content.patterns) });
      }
      names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const { name, raw, exact, type } of names) {
        const abs = childPath(dir.abs, raw, exact, name);
        const rel = dir.rel === "" ? name : `${dir.rel}/${name}`;
        const shown = shownOf(rel);
        if (type === "dir" && name === ".git") continue;
        if (isIgnored(scopes, rel, type === "dir")) continue;
        if (extra && extra.ignores(shown + (type === "dir" ? "/" : ""))) continue;
        if (type === "dir") {
          subdirs.push({ abs, rel, scopes });
          ahead.folders++;
        }
        else if (type === "file") yield { kind: "file", abs, shown };
        else if (type === "link") yield { kind: "problem", item: { type: "problem", path: shown, code: "E_SYMLINK", message: "symbolic link; not followed", skipped: true } };
        else yield { kind: "problem", item: { type: "problem", path: shown, code: "E_NOT_REGULAR", message: "not a regular file (FIFO, socket or device); skipped", skipped: true } };
      }
      // Depth-first in name order: push in reverse so the first name is visited first.
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
    }
  }

  async function* entries(ahead: Ahead): AsyncGenerator<Entry> {
    for (const p of options.paths) {
      const abs = resolve(cwd, p);
      let st;
      try {
        st = await lstat(abs);
      } catch (err) {
        if (GLOB_CHARS.test(p)) {
          const { default: fg } = await import("fast-glob"); // only for glob arguments: ~30 ms of start-up (issue 7)
          const matches = await fg(p, { cwd, dot: true, onlyFiles: true, followSymbolicLinks: false, absolute: true, ignore: ["**/.git/**"] });
          if (matches.length === 0) throw new KeyscanError("E_NOT_FOUND", `no files match ${p}.`);
          for (const m of matches.sort()) yield { kind: "file", abs: m, shown: toShown(cwd, m) };
          continue;
        }
        throw new KeyscanError("E_NOT_FOUND", `path ${p} does not exist (${describeCause(err)}).`, { cause: err });
      }
      // A path the user names is followed when it is a symbolic link, as ripgrep does (issue 19); links met while
      // walking are not. A link to a folder is walked through its own name, a link to a file read at its target.
      const shown = toShown(cwd, abs);
      let target = abs;
      if (st.isSymbolicLink()) {
        try {
          target = await realpath(abs);
          st = await stat(target);
        } catch (err) {
          yield { kind: "problem", item: { type: "problem", path: shown, code: "E_SYMLINK", message: `symbolic link whose target cannot be read (${describeCause(err)})`, skipped: false } };
          continue;
        }
        if (st.isDirectory()) target = abs;
      }
      if (st.isDirectory()) yield* walk(target, ahead);
      else if (st.isFile()) yield { kind: "file", abs: target, shown };
      else yield { kind: "problem", item: { type: "problem", path: toShown(cwd, abs), code: "E_NOT_REGULAR", message: "not a regular file; skipped", skipped: true } };
    }
  }

  /** A file too large for one string is read in overlapping chunks (issue 19), streamed by `expand`. */
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const chunkAbove = options.chunkBytes ?? CHUNK_THRESHOLD;
  type Read = SourceItem | { type: "chunked"; entry: Extract<Entry, { kind: "file" }> };
  const chunksOf = (e: Extract<Entry, { kind: "file" }>) =>
    readChunks({ path: e.abs, shown: e.shown, openFlags: READ_FLAGS, chunkBytes, ...(options.chunkOverlap ? { overlap: options.chunkOverlap } : {}) });
  async function* expand(items: AsyncIterable<Read>): AsyncGenerator<SourceItem> {
    for await (const r of items) {
      if (r.type === "chunked") yield* chunksOf(r.entry);
      else yield r;
    }
  }

  async function read(e: Entry): Promise<Read> {
    if (e.kind === "problem") return e.item;
    const problem = (code: ProblemCode, message: string, skipped: boolean): SourceItem => ({ type: "problem", path: e.shown, code, message, skipped });
    if (options.beforeRead) await options.beforeRead(e.shown);
    let handle;
    try {
      // The walk saw a regular file, but the tree may have changed since: open without following a symlink and
      // without blocking on a FIFO, then check what was actually opened.
      handle = await open(e.abs, READ_FLAGS);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ELOOP") return problem("E_SYMLINK", "became a symbolic link during the scan; not followed", true);
      return problem("E_READ", `cannot be read (${describeCause(err)})`, false);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) return problem("E_NOT_REGULAR", "no longer a regular file; skipped", true);
      if (st.size > maxFileSize) return problem("E_TOO_LARGE", `${st.size} bytes is over --max-file-size (${maxFileSize}); skipped`, true);
      if (st.size > chunkAbove) return { type: "chunked", entry: e };
      // Read what fstat promised plus one byte, growing only if the file grew, and never past the limit.
      const chunks: Buffer[] = [];
      let got = 0;
      for (;;) {
        const want = Math.min(Math.max(st.size - got, 0) + 1, maxFileSize + 1 - got, 16 << 20);
        const chunk = Buffer.allocUnsafe(Math.max(want, 1));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        chunks.push(chunk.subarray(0, bytesRead));
        got += bytesRead;
        if (got > maxFileSize) return problem("E_TOO_LARGE", `grew over --max-file-size (${maxFileSize}) while being read; skipped`, true);
      }
      const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, got);
      const decoded = decodeBytes(buf);
      if (!decoded.ok) return problem(decoded.code, decoded.message, true);
      return { type: "text", provenance: { kind: "file", path: e.shown }, text: decoded.text, bytes: buf.length };
    } catch (err) {
      return problem("E_READ", `cannot be read (${describeCause(err)})`, false);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  // `keyscan . src` names src twice: with several paths, each file is read (and reported) once.
  async function* once(ahead: Ahead): AsyncGenerator<Entry> {
    const seen = new Set<string>();
    for await (const e of entries(ahead)) {
      const key = e.kind === "problem" ? `p:${e.item.code}:${e.item.path}` : typeof e.abs === "string" ? `s:${e.abs}` : `b:${e.abs.toString("hex")}`;
      if (seen.has(key)) continue;
      seen.add(key);
      yield e;
    }
  }

  async function* inShard(all: AsyncIterable<Entry>, shard: ShardSpec): AsyncGenerator<Entry> {
    for await (const e of all) if (keyInShard(e.kind === "file" ? e.shown : e.item.path, shard)) yield e;
  }

  /** The entries this run scans: each once, and with --shard only the slice whose paths hash into it. */
  const selected = (ahead: Ahead): AsyncIterable<Entry> => {
    const all = options.paths.length > 1 ? once(ahead) : entries(ahead);
    return options.shard ? inShard(all, options.shard) : all;
  };

  // With deferRead the scanner (or its worker pool) reads each file with the same hardening (src/sources/read-file.ts:
  // O_NOFOLLOW|O_NONBLOCK, fstat, bounded read); the test hook still runs first.
  async function* deferred(): AsyncGenerator<SourceItem> {
    for await (const e of selected(scanAhead)) {
      if (e.kind === "problem") {
        yield e.item;
        continue;
      }
      if (options.beforeRead) await options.beforeRead(e.shown);
      // Only when --max-file-size allows files over the chunk size does a file's size need a look here.
      if (maxFileSize > chunkAbove) {
        const size = await lstat(e.abs).then((st) => st.size, () => 0);
        if (size > chunkAbove) {
          yield* chunksOf(e);
          continue;
        }
      }
      yield { type: "file", provenance: { kind: "file", path: e.shown }, path: e.abs, maxFileSize };
    }
  }

  /**
   * The inputs a scan of these paths yields, by a second walk that reads no file (issue 20: the progress line's ETA).
   * Each file, large ones included, is one input, as it is one in the scan's counts (scanned or a problem). Its steps
   * interleave with the scan's as promise jobs (a scan on this thread may not let timers or setImmediate run until
   * it ends): one readdir per folder, like the scan's own walk (~0.3 s for 31,000 files, issue 7).
   */
  async function estimate(signal: AbortSignal): Promise<number | undefined> {
    let count = 0;
    for await (const _ of selected({ folders: 0 })) {
      if (signal.aborted) return undefined;
      count++;
    }
    return signal.aborted ? undefined : count;
  }

  return {
    description: `files: ${options.paths.join(" ")}`,
    estimate,
    backlog: () => scanAhead.folders,
    // With deferRead nothing is read here, so there is nothing to overlap: a plain pass avoids mapConcurrent's races.
    items: () => (options.deferRead ? deferred() : expand(mapConcurrent(selected(scanAhead), options.concurrency ?? 8, read))),
  };
}
