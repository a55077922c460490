/**
 * Exposure facts for a history audit, added to each finding after attribution: which branches and tags still reach
 * a commit that holds the secret (so a key "removed" on main but alive on an old release tag is not called gone),
 * and what was walked (refs, commits, unique blobs) for the audit's summary. One git query per commit that holds a
 * finding, never per blob; bounded so a repository with thousands of findings still finishes (beyond the bound the
 * refs are left out, with a warning). Kept out of src/report so reporters stay pure functions of the result.
 */
import { git, type GitContext } from "./git.js";
import type { ScanResult } from "../report/types.js";

const MAX_COMMITS_FOR_REFS = 500;

export interface HistoryStats {
  refs: string[];
  commits: number;
  blobs: number;
}

async function refsContaining(ctx: GitContext, commit: string): Promise<string[]> {
  const out = await git(ctx, ["for-each-ref", "--format=%(refname:short)", "--contains", commit, "refs/heads", "refs/tags"], "list refs containing a commit");
  return out.split("\n").filter((l) => l.length > 0);
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
  const findings = result.findings.map((f) => {
    const refs = refCache.size > 0 ? [...new Set((f.locations ?? []).flatMap((l) => refCache.get(l.commit.commit) ?? []))].sort() : undefined;
    return refs ? { ...f, refs } : f;
  });
  return { ...result, findings, history: stats, ...(warnings.length > 0 ? { warnings } : {}) };
}
