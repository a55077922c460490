/**
 * What commits changed, parsed from git's `--raw -z` output as a stream: each commit's (or the index's) changes
 * against each parent, reduced to the regular files whose content is new relative to every parent (introductions)
 * and those it removed (deletions). `walkCommits` feeds `rev-list` into `diff-tree --stdin`, so neither the commit
 * list nor the diff is held in memory. Runs with the same safe settings as every git command (git.ts).
 */
import { KeyscanError } from "../errors.js";
import { firstLine, gitMissing, nulTokens, SAFE_DIFF_FLAGS, showPath, spawnGit, ZERO_OID, type GitContext } from "./git.js";

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
