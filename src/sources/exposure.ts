/**
 * Exposure facts for a history audit, added to each finding after attribution: which branches and tags still reach
 * a commit that holds the secret (so a key "removed" on main but alive on an old release tag is not called gone),
 * and, for a secret no longer at HEAD, the commit that removed it (the first commit on the ancestry path from its
 * last occurrence to HEAD that changed that path). A few git queries per distinct secret, never per blob; bounded
 * so a repository with thousands of findings still finishes (beyond the bound the facts are left out, with a
 * warning). Kept out of src/report so reporters stay pure functions of the result.
 */
import { commitInfos, git, type GitContext } from "./git.js";
import type { CommitInfo } from "./types.js";
import type { Finding, ScanResult } from "../report/types.js";

const MAX_COMMITS_FOR_REFS = 500;
const MAX_REMOVAL_QUERIES = 500;

export interface HistoryStats {
  refs: string[];
  commits: number;
  blobs: number;
}

async function refsContaining(ctx: GitContext, commit: string): Promise<string[]> {
  const out = await git(ctx, ["for-each-ref", "--format=%(refname:short)", "--contains", commit, "refs/heads", "refs/tags"], "list refs containing a commit");
  return out.split("\n").filter((l) => l.length > 0);
}

async function removalCommit(ctx: GitContext, from: string, path: string): Promise<string | undefined> {
  const out = await git(ctx, ["rev-list", "--ancestry-path", "--reverse", `${from}..HEAD`, "--", path], "find the commit that removed a secret");
  return out.split("\n").find((l) => l.length > 0);
}

export async function addExposure(result: ScanResult, ctx: GitContext, stats: HistoryStats): Promise<ScanResult> {
  const warnings = [...(result.warnings ?? [])];
  const commits = new Set<string>();
  for (const f of result.findings) for (const l of f.locations ?? []) commits.add(l.commit.commit);
  const refCache = new Map<string, string[]>();
  if (commits.size <= MAX_COMMITS_FOR_REFS) {
    for (const c of commits) refCache.set(c, await refsContaining(ctx, c));
  } else {
    warnings.push(`${commits.size} commits hold findings; the refs that reach each secret were not computed (limit ${MAX_COMMITS_FOR_REFS}).`);
  }
  let hasHead = true;
  try {
    await git(ctx, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], "resolve HEAD");
  } catch {
    hasHead = false;
  }
  let queries = 0;
  const removals = new Map<Finding, string>();
  for (const f of result.findings) {
    if (f.atHead !== false || !hasHead || !f.locations?.length) continue;
    if (queries >= MAX_REMOVAL_QUERIES) {
      warnings.push(`removal commits were computed for the first ${MAX_REMOVAL_QUERIES} secrets only.`);
      break;
    }
    // The newest occurrence: the next change of its path towards HEAD removed the secret.
    const last = [...f.locations].sort((a, b) => a.commit.date.localeCompare(b.commit.date)).pop()!;
    queries++;
    const removed = await removalCommit(ctx, last.commit.commit, last.path);
    if (removed) removals.set(f, removed);
  }
  const infos: Map<string, CommitInfo> = removals.size > 0 ? await commitInfos(ctx, new Set(removals.values())) : new Map();
  const findings = result.findings.map((f) => {
    const refs = refCache.size > 0 ? [...new Set((f.locations ?? []).flatMap((l) => refCache.get(l.commit.commit) ?? []))].sort() : undefined;
    const removed = removals.has(f) ? infos.get(removals.get(f)!) : undefined;
    return { ...f, ...(refs ? { refs } : {}), ...(removed ? { removedIn: removed } : {}) };
  });
  return { ...result, findings, history: stats, ...(warnings.length > 0 ? { warnings } : {}) };
}
