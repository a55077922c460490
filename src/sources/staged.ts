/**
 * `keyscan --staged`, the pre-commit source: what is about to be committed. It reads the index, never the working
 * tree, so a key that was staged and then deleted from the file on disk is still caught, and a key only on disk is
 * not. It honours `GIT_INDEX_FILE`, which git sets for `git commit -a` and `git commit <path>` (the hook then sees a
 * temporary index), by passing the environment through to git. Files are compared with HEAD (or the empty tree in a
 * repository with no commits yet) and, while a merge is being concluded, with every MERGE_HEAD too, so only what the
 * commit itself adds counts; renames are followed, and only lines that are new relative to those versions are
 * reported. Deletions, submodules (gitlinks) and symlinks have no content to scan and are passed over; binary and
 * oversized blobs become skipped items.
 */
import { decodeBytes } from "../engine/decode-bytes.js";
import { LazyAddedLines } from "./added-lines.js";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { CatFileBatch, readObjects, type ObjectRead } from "./git-cat-file.js";
import { commitChanges, parseRawDiff, type Introduction, type ParentDiff } from "./git-diff.js";
import { emptyTree, git as runGit, gitRaw, firstLine, repoRoot, resolveCommit, SAFE_DIFF_FLAGS, type GitContext, type GitOutput } from "./git.js";
import { KeyscanError } from "../errors.js";
import { readIndexFiles } from "./index-files.js";
import { KEYSCAN_IGNORE_FILE, parseIgnoreFile } from "./ignore-rules.js";
import { repoPathFilter } from "./repo-ignore.js";
import type { Source, SourceItem } from "./types.js";

export interface StagedOptions extends GitContext {
  maxFileSize: number;
  /** Config `exclude` patterns (repository-relative). */
  exclude?: readonly string[];
  /** The opening git questions, already asked (askStaged) with this `cwd` and `env`. */
  asked?: StagedQuestions;
  /** keyscan's own files as staged (askStaged's `files`): the top `.keyscanignore`'s patterns are taken from it. */
  files?: ReadonlyMap<string, string>;
}

type Settled<T> = { value: T } | { error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
function unwrap<T>(s: Settled<T>): T {
  if ("error" in s) throw s.error;
  return s.value;
}

/** The answers a staged scan starts from: the work tree's top, HEAD, and the heads of a merge being concluded. */
export interface StagedQuestions {
  /** The top, asked of git only when the scan needs it (no commit yet, a merge, a failure): see askStaged. */
  root(): Promise<Settled<string>>;
  head: Promise<Settled<string | undefined>>;
  merging: Promise<Settled<string[]>>;
  /**
   * keyscan's own files as staged (issue 20): `.keyscanignore` and the config names in `cwd`, and the top
   * `.keyscanignore` under `/.keyscanignore`. Whatever silences a finding in the commit must be in the commit.
   */
  files: Promise<Settled<Map<string, string>>>;
  /** The index against HEAD (diff-index's raw output), asked at once; HEAD need not exist (the scan checks). */
  headDiff: Promise<Settled<GitOutput>>;
  /** The cat-file process that read `files`, kept for the staged blobs; the scan closes it, or `close` does. */
  cat: CatFileBatch;
  /** Ends the cat-file process when no scan will (an error before the scan); harmless after it. */
  close(): Promise<void>;
}

/** Blob requests kept ahead of the scan, and content bytes parsed ahead of it (bounded memory, issue 21). */
const READ_WINDOW = 16;
const READ_AHEAD_BYTES = 16 << 20;

/** Names of keyscan's own files that a staged scan reads from the index (relative to the working directory). */
export const STAGED_OWN_FILES: readonly string[] = [KEYSCAN_IGNORE_FILE, ".keyscan.yaml", ".keyscan.yml", ".keyscan.json", ".gitleaks.toml", ".gitleaksignore"];

/** diff-index of the index against `parent`: plumbing, it reads the index (no refresh, no filters), never textconv. */
const diffIndexArgs = (parent: string): string[] => ["diff-index", "--cached", "-z", "--raw", "--no-abbrev", "-M", ...SAFE_DIFF_FLAGS, parent, "--"];

/**
 * Ask git the staged scan's opening questions now, all at once, from `cwd` (HEAD and MERGE_HEAD are the same from
 * any folder of the work tree). Issue 7: the pre-commit command asks before it loads the rules, so the git processes
 * run on another core while the rules load instead of one after another afterwards. Issue 20: two processes where
 * there were six. One `cat-file --batch` reads keyscan's own files, resolves `HEAD^{commit}` and `MERGE_HEAD`, and
 * then reads the staged blobs; the diff against HEAD starts at once beside it (git runs it from the top wherever it
 * starts, GIT_INDEX_FILE included, so its paths and index are the scan's). Each spawn cost Node ~2-3 ms of its main
 * thread and git a few more, and diff-index and cat-file used to wait for the answers before them. Only when those
 * answers do not settle it — no commit yet, a merge being concluded (MERGE_HEAD resolves: its file, which may list
 * several heads, is then read as before), anything failing — is `rev-parse` asked for the top, MERGE_HEAD's path and
 * HEAD, with exactly the answers and errors of before. (A MERGE_HEAD that names a missing object reads as no merge:
 * the commit is then checked against HEAD alone, which reports more lines, never fewer.) Failures are kept, not
 * thrown: the scan raises them where it would have asked (a missing repository is reported as such first).
 */
export function askStaged(ctx: GitContext): StagedQuestions {
  const cat = new CatFileBatch(ctx, { readAheadBytes: READ_AHEAD_BYTES });
  const files = settle(readIndexFiles(ctx, { cwd: STAGED_OWN_FILES, top: [KEYSCAN_IGNORE_FILE] }, cat));
  const headDiff = settle(gitRaw(ctx, diffIndexArgs("HEAD")));
  // HEAD when it is a commit and no merge is being concluded; else undefined, and rev-parse decides.
  const plain = Promise.all([cat.read("HEAD^{commit}", 1 << 20), cat.read("MERGE_HEAD", 0)]).then(
    ([head, merge]) => (head.kind !== "unreadable" && head.type === "commit" && /^[0-9a-f]{40,64}$/.test(head.oid) && merge.kind === "unreadable" ? head.oid : undefined),
    () => undefined,
  );
  let opening: Promise<{ root: string; head: string | undefined; mergeHeadPath: string }> | undefined;
  const asked = (): Promise<{ root: string; head: string | undefined; mergeHeadPath: string }> => (opening ??= openingQuestions(ctx));
  return {
    root: () => settle(asked().then((o) => o.root)),
    head: settle(plain.then((head) => head ?? asked().then((o) => o.head))),
    merging: settle(plain.then((head) => (head !== undefined ? [] : asked().then((o) => readMergeHeads(ctx, o.mergeHeadPath))))),
    files,
    headDiff,
    cat,
    close: () => cat.close(),
  };
}

/**
 * The top, MERGE_HEAD's path and HEAD in one `rev-parse` (exit 1 and no third line: no commit yet). Anything else —
 * another exit, an unexpected shape (a path with a newline) — asks the three questions one by one, as before, so
 * their answers and errors are exactly theirs.
 */
async function openingQuestions(ctx: GitContext): Promise<{ root: string; head: string | undefined; mergeHeadPath: string }> {
  const r = await gitRaw(ctx, ["rev-parse", "--show-toplevel", "--git-path", "MERGE_HEAD", "--verify", "--quiet", "HEAD^{commit}"]);
  const lines = r.stdout.toString("utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  if (r.code === 0 && lines.length === 3 && /^[0-9a-f]{40,64}$/.test(lines[2]!) && lines[0] !== "") return { root: lines[0]!, mergeHeadPath: lines[1]!, head: lines[2]! };
  if (r.code === 1 && lines.length === 2 && lines[0] !== "") return { root: lines[0]!, mergeHeadPath: lines[1]!, head: undefined };
  const [root, head, mergeHeadPath] = await Promise.all([settle(repoRoot(ctx)), settle(resolveCommit(ctx, "HEAD")), settle(mergeHeadFile(ctx))]);
  return { root: unwrap(root), head: unwrap(head), mergeHeadPath: unwrap(mergeHeadPath) };
}

async function mergeHeadFile(ctx: GitContext): Promise<string> {
  return (await runGit(ctx, ["rev-parse", "--git-path", "MERGE_HEAD"], "locating MERGE_HEAD")).trim();
}

/** The other parents of a merge being concluded (`.git/MERGE_HEAD`, one id per line; several for an octopus). */
async function mergeHeads(ctx: GitContext): Promise<string[]> {
  return readMergeHeads(ctx, await mergeHeadFile(ctx));
}

async function readMergeHeads(ctx: GitContext, file: string): Promise<string[]> {
  try {
    const text = await readFile(resolve(ctx.cwd, file), "utf8");
    return text.split("\n").map((l) => l.trim()).filter((l) => /^[0-9a-f]{40,64}$/.test(l));
  } catch {
    return [];
  }
}

export function stagedSource(options: StagedOptions): Source {
  const ctx: GitContext = { cwd: options.cwd, env: options.env };
  return {
    description: "staged changes",
    async *items(): AsyncGenerator<SourceItem> {
      const asked = options.asked;
      // The diff against HEAD askStaged started; when it worked, the repository and HEAD exist and the top is asked
      // only if the scan needs it (no commit yet, a merge), else first, so a missing repository is reported as such.
      const early = asked ? await asked.headDiff : undefined;
      const ready = early && "value" in early && early.value.code === 0 ? early.value : undefined;
      let top: Promise<string> | undefined;
      const root = (): Promise<string> => (top ??= asked ? asked.root().then(unwrap) : repoRoot(ctx));
      if (!ready) await root();
      const at = async (): Promise<GitContext> => ({ cwd: await root(), env: options.env });
      // The top .keyscanignore's path patterns as staged when the index was read (askStaged), never the disk's.
      const staged = options.files?.get(`/${KEYSCAN_IGNORE_FILE}`);
      const ignored = options.files ? repoPathFilter(undefined, options.exclude, staged === undefined ? [] : parseIgnoreFile(staged).patterns) : repoPathFilter(await root(), options.exclude);
      // Both at once (issue 7: each git spawn is several ms of a pre-commit run); MERGE_HEAD counts only with a HEAD.
      const merging = asked?.merging ?? settle(mergeHeads(await at()));
      const head = unwrap(await (asked?.head ?? settle(resolveCommit(await at(), "HEAD"))));
      const merged = await merging;
      const parents = [head ?? (await emptyTree(await at())), ...(head ? unwrap(merged) : [])];
      // One diff of the index against each parent of the commit being made (two or more while concluding a merge):
      // a file counts only if it differs from every parent, so a merge is blamed only for what its resolution adds.
      const diffs: ParentDiff[] = [];
      for (const [i, parent] of parents.entries()) {
        const r = (i === 0 && head !== undefined ? ready : undefined) ?? (await gitRaw(await at(), diffIndexArgs(parent)));
        if (r.code !== 0) throw new KeyscanError("E_GIT", `reading the staged changes failed: ${firstLine(r.stderr)}`);
        for await (const d of parseRawDiff([r.stdout], { commit: "index", parents })) diffs.push(d);
      }
      const entries: Introduction[] = [];
      for await (const change of commitChanges(diffs)) entries.push(...change.introduced);
      const cat = asked?.cat ?? new CatFileBatch(await at(), { readAheadBytes: READ_AHEAD_BYTES });
      try {
        // Issue 20: every blob asked for ahead (each file's, then its earlier versions), a window at a time, rather
        // than one round trip to git each: 20 of them were ~5 ms of a 10-file pre-commit run, most of it waiting.
        const wanted = entries.filter((e) => !ignored(e.path));
        const requests = wanted.flatMap((e) => [{ oid: e.blob, entry: e }, ...e.previous.map((oid) => ({ oid, entry: e }))]);
        const answers = readObjects(cat, requests, options.maxFileSize, READ_WINDOW)[Symbol.asyncIterator]();
        const next = async (): Promise<ObjectRead> => {
          const r = await answers.next();
          if (r.done) throw new KeyscanError("E_INTERNAL", "git cat-file answered fewer objects than were asked for");
          return r.value.read;
        };
        for (const e of wanted) {
          const read = await next();
          // Its earlier versions, read whatever this version turns out to be (they were asked for with it).
          const previous: string[] = [];
          for (let i = 0; i < e.previous.length; i++) {
            const old = await next();
            if (old.kind !== "ok") continue;
            const d = decodeBytes(old.content);
            if (d.ok) previous.push(d.text);
          }
          if (read.kind === "unreadable") {
            yield { type: "problem", path: e.path, code: "E_GIT", message: `staged blob ${e.blob} cannot be read (${read.message})`, skipped: false };
            continue;
          }
          if (read.kind === "too-large") {
            yield { type: "problem", path: e.path, code: "E_TOO_LARGE", message: `${read.size} bytes is over --max-file-size (${options.maxFileSize}); skipped`, skipped: true };
            continue;
          }
          const decoded = decodeBytes(read.content);
          if (!decoded.ok) {
            yield { type: "problem", path: e.path, code: decoded.code, message: decoded.message, skipped: true };
            continue;
          }
          yield {
            type: "text",
            provenance: { kind: "staged", path: e.path, blob: e.blob },
            text: decoded.text,
            bytes: read.size,
            lines: new LazyAddedLines(decoded.text, previous),
          };
        }
      } finally {
        await cat.close();
      }
    },
  };
}
