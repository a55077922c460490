/**
 * `keyscan history`: every secret anywhere in a repository's past, on every branch and tag (`--all-refs` adds
 * remote-tracking refs and stashes). Each unique blob is scanned once, however many commits and paths share it:
 * one walk (`rev-list --topo-order | diff-tree --stdin -m --root`, streamed) lists, for every commit, the files
 * whose content is new relative to all of its parents, which is exactly "the commit that wrote this version here",
 * merges included; a blob seen for the first time is read through one long-lived `cat-file --batch` and scanned
 * while the walk goes on. The walk keeps a compact record of every (blob, path, commit) introduction (three
 * integers each; paths and blob ids interned), so after the scan each finding is attributed to the oldest commit
 * that introduced a version containing it, with every other path and commit where it occurs, the commits that
 * removed it, and whether HEAD still holds it. Memory grows with the number of file versions, never with their content or with patch text.
 */
import { CatFileBatch, readObjects } from "./git-cat-file.js";
import { OidTable } from "./oid-table.js";
import { walkCommits } from "./git-diff.js";
import { commitInfos, git, gitRaw, isShallow, nulTokens, repoLocation, resolveCommit, spawnGit, type GitContext } from "./git.js";
import { addExposure } from "./exposure.js";
import { repoPathFilter, type PathFilter } from "./repo-ignore.js";
import { blobInShard, type ShardSpec } from "./shard.js";
import type { Source, SourceItem } from "./types.js";
import type { Finding, FindingLocation, ScanResult } from "../report/types.js";
import { compareFindings } from "../report/order.js";
import { isRedacted } from "../report/redact.js";
import { KeyscanError } from "../errors.js";
import { prefetch } from "../util/prefetch.js";

export interface HistoryOptions extends GitContext {
  /** Add remote-tracking refs and stash entries to branches and tags. */
  allRefs?: boolean;
  maxFileSize: number;
  exclude?: readonly string[];
  /** Scan only this shard's slice of the unique blobs (the whole commit graph is still walked, for attribution). */
  shard?: ShardSpec;
  /** Blob ids scanned by an earlier run (`--state`): walked and attributed, not read or scanned again. */
  skipBlobs?: ReadonlySet<string>;
  /**
   * `--log-opts` (issue 20): rev-list arguments that select commits, checked by src/cli/log-opts.ts. With
   * `selectsRevisions` they replace the default revisions; otherwise they narrow them (dates, counts, authors).
   */
  logOpts?: { args: readonly string[]; selectsRevisions: boolean };
  /** git's delta-base cache while reading the blobs (git-cat-file.ts defaultDeltaCacheBytes; default: git's own). */
  deltaCacheBytes?: number;
}

/**
 * Blob content parsed from `git cat-file` ahead of the matcher (issue 21), and git's output read ahead of that parse.
 * Small, because the main thread that reads them only feeds the workers (ScanOptions.feeder) and so takes each blob
 * as it comes: on the 1.5 GB bench history, 2 MB and 1 MB held node's peak RSS at 224-228 MB in the same time as
 * 8 MB and 4 MB, which gave 220-262 MB (3 alternated rounds). With one thread they barely help anyway: its event
 * loop, which fills them, is stopped while it matches.
 */
const READ_AHEAD_BYTES = 2 << 20;
const STREAM_AHEAD_BYTES = 1 << 20;

/** A growable array of 32-bit integers (an introduction costs 12 bytes, not a JS object). */
class IntVec {
  private data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  get(i: number): number {
    return this.data[i]!;
  }
}

/** A growable set of small non-negative integers, one byte each (blob indices already handed to the scanner). */
class IndexFlags {
  private data = new Uint8Array(1024);
  has(i: number): boolean {
    return i < this.data.length && this.data[i] === 1;
  }
  add(i: number): void {
    if (i >= this.data.length) {
      const next = new Uint8Array(Math.max(i + 1, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = 1;
  }
}

class Interner {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Id of `v`, and whether it was new. */
  intern(v: string): [number, boolean] {
    const id = this.ids.get(v);
    if (id !== undefined) return [id, false];
    this.ids.set(v, this.values.length);
    this.values.push(v);
    return [this.values.length - 1, true];
  }
  id(v: string): number | undefined {
    return this.ids.get(v);
  }
}

/** Everything the walk learned that attribution needs. */
export class HistoryIndex {
  /**
   * Commits in walk order: newest first, so a larger index is an older (or unrelated, earlier-listed) commit. Commit
   * and blob ids are kept as raw bytes (oid-table.ts): a rails-sized history holds ~120,000 commits and ~300,000
   * blob versions, ~45 MB as strings in arrays and Maps against ~15 MB this way.
   */
  readonly commits = new OidTable(false);
  readonly paths = new Interner();
  readonly blobs = new OidTable();
  readonly introBlob = new IntVec();
  readonly introPath = new IntVec();
  readonly introCommit = new IntVec();
  /** The blob the introduced one replaced at that path (first parent's), or -1 for a new file. */
  readonly introPrev = new IntVec();
  /** Deletions (a file removed from a path, relative to every parent): path, commit, and the removed blob. */
  readonly delPath = new IntVec();
  readonly delCommit = new IntVec();
  readonly delPrev = new IntVec();
  /** Blob ids already handed to the scanner (previous versions are interned before their own commit is seen). */
  readonly scheduled = new IndexFlags();
  refs: string[] = [];
  shallow = false;
  /** With `--shard`: the slice this run scans (blobs outside it are walked, not read). */
  shard: ShardSpec | undefined;
  /** Blobs (indices into `blobs`) read and scanned by this run (for `--state`). */
  readonly scanned = new IntVec();
  /** Unique blobs left to other shards, and blobs skipped because the state already holds them. */
  outOfShard = 0;
  skippedFromState = 0;
  /** Where git runs: the work tree's top, or a bare repository's directory. */
  root = "";
  /** The work tree's top (absent for a bare repository). */
  workTree: string | undefined;

  /** Ids of the blobs read and scanned by this run. */
  scannedBlobIds(): string[] {
    const out: string[] = new Array<string>(this.scanned.length);
    for (let i = 0; i < this.scanned.length; i++) out[i] = this.blobs.hex(this.scanned.get(i));
    return out;
  }
}

export interface HistorySource extends Source {
  readonly index: HistoryIndex;
  finalize(result: ScanResult): Promise<ScanResult>;
}

/** The revisions to walk: branches, tags and HEAD; with allRefs every ref plus each stash entry. */
async function revisionArgs(ctx: GitContext, allRefs: boolean, logOpts?: HistoryOptions["logOpts"]): Promise<{ args: string[]; refs: string[]; head?: string }> {
  const patterns = allRefs ? [] : ["refs/heads", "refs/tags"];
  const refs = (await git(ctx, ["for-each-ref", "--format=%(refname)", ...patterns], "listing refs")).split("\n").filter((l) => l.length > 0);
  const args = allRefs ? ["--all"] : ["--branches", "--tags"];
  const head = await resolveCommit(ctx, "HEAD");
  if (head) args.push(head);
  if (allRefs) {
    // refs/stash names only the newest stash; older entries live in its reflog.
    const r = await gitRaw(ctx, ["reflog", "show", "--format=%H", "refs/stash", "--"]);
    if (r.code === 0) {
      const stashes = r.stdout.toString("utf8").split("\n").filter((l) => /^[0-9a-f]{40,64}$/.test(l));
      args.push(...stashes);
      refs.push(...stashes.map((_, i) => `stash@{${i}}`));
    }
  }
  // Checked words only (no revision starts with `-`), so nothing here can become another option.
  if (logOpts) return { args: logOpts.selectsRevisions ? [...logOpts.args] : [...args, ...logOpts.args], refs, ...(head ? { head } : {}) };
  return { args, refs, ...(head ? { head } : {}) };
}

export function historySource(options: HistoryOptions): HistorySource {
  const index = new HistoryIndex();
  index.shard = options.shard;
  /** Blobs the walk has found to read and the scan has not taken yet (Source.backlog). */
  let ahead = 0;
  const source: HistorySource = {
    index,
    backlog: () => ahead,
    /** History's finalizer: each secret attributed to the commit that introduced it, then its exposure. */
    async finalize(result: ScanResult): Promise<ScanResult> {
      const attributed = await attributeHistory(result, source, options);
      return index.root ? addExposure(attributed, { cwd: index.root, env: options.env }, { refs: index.refs, commits: index.commits.length, blobs: index.blobs.length }) : attributed;
    },
    get description() {
      return `history: ${index.refs.length} ref${index.refs.length === 1 ? "" : "s"}${options.allRefs ? " (all refs and stashes)" : " (branches and tags)"}`;
    },
    async *items(): AsyncGenerator<SourceItem> {
      const where = await repoLocation({ cwd: options.cwd, env: options.env });
      const ctx: GitContext = { cwd: where.cwd, env: options.env };
      index.root = where.cwd;
      index.workTree = where.workTree;
      index.shallow = await isShallow(ctx);
      const { args, refs, head } = await revisionArgs(ctx, options.allRefs === true, options.logOpts);
      index.refs = refs;
      if (refs.length === 0 && !head) return; // a repository with no commits yet

      async function* newBlobs(): AsyncGenerator<{ oid: string; path: string; blobIdx: number }> {
        for await (const change of walkCommits(ctx, args, { renames: false })) {
          const commitIdx = index.commits.push(change.commit);
          for (const intro of change.introduced) {
            const [blobIdx] = index.blobs.intern(intro.blob);
            const [pathIdx] = index.paths.intern(intro.path);
            index.introBlob.push(blobIdx);
            index.introPath.push(pathIdx);
            index.introCommit.push(commitIdx);
            index.introPrev.push(intro.previous.length > 0 ? index.blobs.intern(intro.previous[0]!)[0] : -1);
            if (!index.scheduled.has(blobIdx)) {
              index.scheduled.add(blobIdx);
              if (options.shard && !blobInShard(intro.blob, options.shard)) index.outOfShard++;
              else if (options.skipBlobs?.has(intro.blob)) index.skippedFromState++;
              else {
                ahead++;
                yield { oid: intro.blob, path: intro.path, blobIdx };
              }
            }
          }
          for (const del of change.deleted) {
            index.delPath.push(index.paths.intern(del.path)[0]);
            index.delCommit.push(commitIdx);
            index.delPrev.push(index.blobs.intern(del.previous[0]!)[0]);
          }
        }
      }

      const reads = { readAheadBytes: READ_AHEAD_BYTES, streamAheadBytes: STREAM_AHEAD_BYTES, pageBuffers: true };
      const cat = new CatFileBatch(ctx, { ...reads, deltaCacheBytes: options.deltaCacheBytes });
      try {
        for await (const { req, read } of readObjects(cat, prefetch(newBlobs(), 4096), options.maxFileSize, 64)) {
          ahead--;
          if (read.kind !== "unreadable") index.scanned.push(req.blobIdx);
          if (read.kind === "unreadable") {
            yield { type: "problem", path: req.path, code: "E_GIT", message: `blob ${req.oid} cannot be read (${read.message})`, skipped: false };
            continue;
          }
          if (read.kind === "too-large") {
            yield { type: "problem", path: req.path, code: "E_TOO_LARGE", message: `blob ${req.oid.slice(0, 12)}: ${read.size} bytes is over --max-file-size (${options.maxFileSize}); skipped`, skipped: true };
            continue;
          }
          // Bytes, not text (issue 7): the scan decodes them where it matches them — in a worker thread once the
          // history is large (src/scan.ts), so both cores match while this thread walks the commits and reads blobs.
          // Binary and undecodable blobs are reported by the matcher core exactly as decodeBytes reports them.
          yield {
            type: "bytes",
            // The commit is filled in by attributeHistory once the whole walk is known.
            provenance: { kind: "commit", path: req.path, blob: req.oid, commit: { commit: "", author: "", date: "" } },
            data: read.content,
            bytes: read.size,
            ...(read.paged ? { release: true as const } : {}),
          };
        }
      } finally {
        await cat.close();
      }
    },
  };
  return source;
}

/** Blob ids of every regular file in HEAD's tree that is among `wanted`, streamed from `ls-tree -r -z`. */
async function blobsAtHead(ctx: GitContext, wanted: ReadonlySet<string>): Promise<Set<string>> {
  const found = new Set<string>();
  if (wanted.size === 0 || !(await resolveCommit(ctx, "HEAD"))) return found;
  const child = spawnGit(ctx, ["ls-tree", "-r", "-z", "--full-tree", "HEAD"]);
  child.stdin.end();
  const exit = new Promise<number>((r) => child.on("close", (c) => r(c ?? 128)));
  child.stderr.resume();
  for await (const token of nulTokens(child.stdout)) {
    // "<mode> SP <type> SP <oid> TAB <path>"
    const tab = token.indexOf(0x09);
    const meta = token.subarray(0, tab === -1 ? token.length : tab).toString("latin1").split(" ");
    if (meta[1] === "blob" && wanted.has(meta[2]!)) found.add(meta[2]!);
  }
  if ((await exit) !== 0) throw new KeyscanError("E_GIT", "listing HEAD's files failed");
  return found;
}

/**
 * Turn per-blob findings into one finding per secret: gather, for every blob with findings, each path and commit
 * that introduced it (skipping ignored paths), group by fingerprint, and attribute each secret to its oldest
 * introduction. Fills in commit authors and dates and whether HEAD still contains the secret.
 */
export async function attributeHistory(result: ScanResult, source: HistorySource, options: Pick<HistoryOptions, "env" | "exclude">): Promise<ScanResult> {
  const index = source.index;
  const warnings = [...(result.warnings ?? [])];
  if (index.shallow) {
    warnings.push(
      "this clone is shallow: history before its oldest commits is missing, so a secret attributed to one of those commits may be older, and secrets only in the missing history are not found; fetch everything (`git fetch --unshallow`) for a full audit",
    );
  }
  if (!index.root) return { ...result, ...(warnings.length > 0 ? { warnings } : {}) };
  const ctx: GitContext = { cwd: index.root, env: options.env };
  const ignored: PathFilter = repoPathFilter(index.workTree, options.exclude);

  // Blob index -> locations (path index, commit index), for blobs with findings only.
  const dirty = new Map<number, Array<[number, number]>>();
  for (const f of result.findings) {
    const id = f.blob === undefined ? undefined : index.blobs.id(f.blob);
    if (id !== undefined) dirty.set(id, []);
  }
  for (let i = 0; i < index.introBlob.length; i++) {
    const list = dirty.get(index.introBlob.get(i));
    if (list) list.push([index.introPath.get(i), index.introCommit.get(i)]);
  }

  interface Group {
    /** A representative finding per blob (first occurrence of the secret in that blob). */
    perBlob: Map<string, Finding>;
    locations: Array<{ path: string; commitIdx: number; line: number; column: number; blob: string }>;
  }
  const groups = new Map<string, Group>();
  for (const f of result.findings) {
    const blobIdx = f.blob === undefined ? undefined : index.blobs.id(f.blob);
    if (blobIdx === undefined) continue;
    let g = groups.get(f.fingerprint);
    if (!g) groups.set(f.fingerprint, (g = { perBlob: new Map(), locations: [] }));
    if (g.perBlob.has(f.blob!)) continue;
    g.perBlob.set(f.blob!, f);
    for (const [pathIdx, commitIdx] of dirty.get(blobIdx) ?? []) {
      const path = index.paths.values[pathIdx]!;
      if (ignored(path)) continue;
      g.locations.push({ path, commitIdx, line: f.line, column: f.column, blob: f.blob! });
    }
  }

  // Removals: a commit that replaced a version containing a secret with one that lacks it, or deleted it.
  const fingerprintsOf = new Map<number, Set<string>>();
  for (const f of result.findings) {
    const id = f.blob === undefined ? undefined : index.blobs.id(f.blob);
    if (id === undefined) continue;
    let set = fingerprintsOf.get(id);
    if (!set) fingerprintsOf.set(id, (set = new Set()));
    set.add(f.fingerprint);
  }
  // With --shard, a replacing version outside this shard was not scanned: whether it still holds the secret is
  // decided by the merge (it does exactly when it is one of the secret's locations), so the entry names it.
  const removals = new Map<string, Array<{ path: string; commitIdx: number; pending?: string }>>();
  const noteRemoval = (prev: number, next: number, pathIdx: number, commitIdx: number): void => {
    const before = fingerprintsOf.get(prev);
    if (!before) return;
    const after = next >= 0 ? fingerprintsOf.get(next) : undefined;
    const path = index.paths.values[pathIdx]!;
    if (ignored(path)) return;
    const nextBlob = next >= 0 ? index.blobs.hex(next) : undefined;
    const pending = nextBlob !== undefined && index.shard && !blobInShard(nextBlob, index.shard) ? nextBlob : undefined;
    for (const fp of before) {
      if (after?.has(fp)) continue;
      let list = removals.get(fp);
      if (!list) removals.set(fp, (list = []));
      list.push({ path, commitIdx, ...(pending ? { pending } : {}) });
    }
  };
  for (let i = 0; i < index.introPrev.length; i++) {
    const prev = index.introPrev.get(i);
    if (prev >= 0) noteRemoval(prev, index.introBlob.get(i), index.introPath.get(i), index.introCommit.get(i));
  }
  for (let i = 0; i < index.delPrev.length; i++) noteRemoval(index.delPrev.get(i), -1, index.delPath.get(i), index.delCommit.get(i));

  const referenced = new Set<string>();
  for (const g of groups.values()) for (const l of g.locations) referenced.add(index.commits.hex(l.commitIdx));
  for (const list of removals.values()) for (const r of list) referenced.add(index.commits.hex(r.commitIdx));
  const infos = await commitInfos(ctx, referenced);
  const atHead = await blobsAtHead(ctx, new Set([...groups.values()].flatMap((g) => [...g.perBlob.keys()])));

  const findings: Finding[] = [];
  for (const g of groups.values()) {
    if (g.locations.length === 0) continue;
    // Oldest first: the walk lists newest first, so a larger commit index is older.
    g.locations.sort((a, b) => b.commitIdx - a.commitIdx || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const first = g.locations[0]!;
    const base = g.perBlob.get(first.blob)!;
    const info = (idx: number) => {
      const id = index.commits.hex(idx);
      return infos.get(id) ?? { commit: id, author: "", date: "" };
    };
    // A shard's result also carries each commit's place in the walk, so a merge can order locations as this does.
    const order = (idx: number) => (index.shard ? { order: idx } : {});
    const locations: FindingLocation[] = g.locations.map((l) => ({ path: l.path, commit: info(l.commitIdx), line: l.line, column: l.column, blob: l.blob, ...order(l.commitIdx) }));
    const removedIn = (removals.get(base.fingerprint) ?? [])
      .sort((a, b) => b.commitIdx - a.commitIdx || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((r) => ({ path: r.path, commit: info(r.commitIdx), ...order(r.commitIdx), ...(r.pending ? { pending: r.pending } : {}) }));
    // Findings re-read from a --state file hold only the redacted secret; prefer a version scanned this run.
    const raw = isRedacted(base.secret) ? [...g.perBlob.values()].find((f) => !isRedacted(f.secret)) : undefined;
    findings.push({
      ...base,
      ...(raw ? { secret: raw.secret } : {}),
      path: first.path,
      commit: info(first.commitIdx),
      locations,
      atHead: [...g.perBlob.keys()].some((b) => atHead.has(b)),
      removedIn,
    });
  }
  findings.sort(compareFindings);
  return { ...result, findings, ...(warnings.length > 0 ? { warnings } : {}) };
}
