/**
 * `keyscan diff <base>..<head>` (and `--since <rev>`), the CI source: the secrets that the commits in a range
 * introduce. Every commit in the range is compared with ALL of its parents, merges included, and a line counts as
 * introduced only when it is new relative to every parent: so content that first appears in a merge (a conflict
 * resolution, an "evil merge") is caught, which `git log -p`-based scanners miss because git gives merges no patch,
 * while what a merge merely brings in from a side branch is left to the side branch's own commits. Renames are
 * followed. A base that is missing because the clone is shallow, or a range that runs into the shallow boundary, is
 * an error that says to fetch more history: a truncated range must never look clean.
 */
import { KeyscanError } from "../errors.js";
import { decodeBytes } from "../engine/decode-bytes.js";
import { addedLines } from "./added-lines.js";
import { CatFileBatch } from "./git-cat-file.js";
import { walkCommits } from "./git-diff.js";
import { commitInfos, firstLine, git, gitRaw, isShallow, repoLocation, resolveCommit, shallowCommits, type GitContext } from "./git.js";
import { repoPathFilter } from "./repo-ignore.js";
import type { CommitInfo, ScanResult } from "../report/types.js";
import type { Source, SourceItem } from "./types.js";

export interface CommitRangeOptions extends GitContext {
  /** `base..head`, `base...head` (from their merge base) or `base` (meaning `base..HEAD`). */
  range: string;
  maxFileSize: number;
  exclude?: readonly string[];
}

export interface ResolvedRange {
  base: string;
  head: string;
  /** Commits in the range, newest first. */
  commits: string[];
}

const SHALLOW_ADVICE =
  "this clone is shallow and lacks that history; fetch more (actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow`) and run again";

async function mustResolve(ctx: GitContext, rev: string, shallow: boolean, role: string): Promise<string> {
  const id = await resolveCommit(ctx, rev);
  if (id) return id;
  if (shallow) throw new KeyscanError("E_GIT", `${role} ${rev} is not in this repository: ${SHALLOW_ADVICE}.`);
  throw new KeyscanError("E_GIT", `${role} ${rev} does not name a commit in this repository; check the range.`);
}

/** Resolve a range and check that the clone holds all of it. */
export async function resolveRange(ctx: GitContext, range: string): Promise<ResolvedRange> {
  const shallow = await isShallow(ctx);
  let baseRev: string;
  let headRev: string;
  let symmetric = false;
  const three = range.indexOf("...");
  const two = range.indexOf("..");
  if (three !== -1) {
    baseRev = range.slice(0, three) || "HEAD";
    headRev = range.slice(three + 3) || "HEAD";
    symmetric = true;
  } else if (two !== -1) {
    baseRev = range.slice(0, two) || "HEAD";
    headRev = range.slice(two + 2) || "HEAD";
  } else {
    baseRev = range;
    headRev = "HEAD";
  }
  const head = await mustResolve(ctx, headRev, shallow, "head");
  let base = await mustResolve(ctx, baseRev, shallow, "base");
  if (symmetric) {
    const mb = await gitRaw(ctx, ["merge-base", base, head]);
    if (mb.code !== 0) {
      throw new KeyscanError("E_GIT", `${baseRev} and ${headRev} have no merge base${shallow ? `: ${SHALLOW_ADVICE}` : ` (${firstLine(mb.stderr) || "unrelated histories"})`}.`);
    }
    base = mb.stdout.toString("utf8").trim();
  }
  const commits = (await git(ctx, ["rev-list", "--topo-order", head, `^${base}`], `listing ${range}`)).split("\n").filter((l) => l.length > 0);
  if (shallow && commits.length > 0) {
    const boundary = await shallowCommits(ctx);
    const hit = commits.find((c) => boundary.has(c));
    if (hit) {
      throw new KeyscanError("E_GIT", `the range ${range} reaches commit ${hit.slice(0, 12)}, whose parents are missing: ${SHALLOW_ADVICE}.`);
    }
  }
  return { base, head, commits };
}

export function commitRangeSource(options: CommitRangeOptions): Source {
  let resolved: ResolvedRange | undefined;
  return {
    description: `commits: ${options.range}`,
    /** A range's finalizer: the target names how many commits the range held. */
    async finalize(result: ScanResult): Promise<ScanResult> {
      const commits = resolved?.commits.length ?? 0;
      return { ...result, target: `${result.target} (${commits} commit${commits === 1 ? "" : "s"})` };
    },
    async *items(): AsyncGenerator<SourceItem> {
      const where = await repoLocation({ cwd: options.cwd, env: options.env });
      const ctx: GitContext = { cwd: where.cwd, env: options.env };
      resolved = await resolveRange(ctx, options.range);
      if (resolved.commits.length === 0) return;
      const infos = await commitInfos(ctx, resolved.commits);
      const ignored = repoPathFilter(where.workTree, options.exclude);
      const cat = new CatFileBatch(ctx);
      try {
        for await (const change of walkCommits(ctx, [resolved.head, `^${resolved.base}`], { renames: true })) {
          const commit: CommitInfo = infos.get(change.commit) ?? { commit: change.commit, author: "", date: "" };
          for (const intro of change.introduced) {
            if (ignored(intro.path)) continue;
            const read = await cat.read(intro.blob, options.maxFileSize);
            if (read.kind === "unreadable") {
              yield { type: "problem", path: intro.path, code: "E_GIT", message: `blob ${intro.blob} of commit ${change.commit.slice(0, 12)} cannot be read (${read.message})`, skipped: false };
              continue;
            }
            if (read.kind === "too-large") {
              yield { type: "problem", path: intro.path, code: "E_TOO_LARGE", message: `${read.size} bytes in commit ${change.commit.slice(0, 12)} is over --max-file-size (${options.maxFileSize}); skipped`, skipped: true };
              continue;
            }
            const decoded = decodeBytes(read.content);
            if (!decoded.ok) {
              yield { type: "problem", path: intro.path, code: decoded.code, message: `${decoded.message} (commit ${change.commit.slice(0, 12)})`, skipped: true };
              continue;
            }
            const previous: string[] = [];
            for (const p of intro.previous) {
              const old = await cat.read(p, options.maxFileSize);
              if (old.kind !== "ok") continue;
              const d = decodeBytes(old.content);
              if (d.ok) previous.push(d.text);
            }
            const lines = addedLines(decoded.text, previous);
            if (lines.size === 0) continue;
            yield { type: "text", provenance: { kind: "commit", path: intro.path, blob: intro.blob, commit }, text: decoded.text, bytes: read.size, lines };
          }
        }
      } finally {
        await cat.close();
      }
    },
  };
}
