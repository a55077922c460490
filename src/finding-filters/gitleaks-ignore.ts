/**
 * gitleaks' ignore entries (issue 20), for teams coming from gitleaks: the lines of a `.gitleaksignore`, and the
 * `Fingerprint` of each finding in a gitleaks JSON report used as a baseline, are `commit:file:rule:line` (history)
 * or `file:rule:line` (files). A finding matches an entry at the same file and line (and commit, when the entry has
 * one). gitleaks' rule ids name keyscan's rules only for rules imported from a `.gitleaks.toml` (`gitleaks.<id>`),
 * so the rule part is compared for those; for keyscan's own rules, whose ids differ from gitleaks', file and line
 * decide. Pure data in, a predicate out.
 */

export interface GitleaksIgnoreEntry {
  commit?: string;
  file: string;
  rule: string;
  line: number;
}

/** Parse one fingerprint; undefined when it is not one (blank, comment or malformed). */
export function parseGitleaksFingerprint(text: string): GitleaksIgnoreEntry | undefined {
  const line = text.trim();
  if (line === "" || line.startsWith("#")) return undefined;
  const m = /^(?:([0-9a-f]{40}|[0-9a-f]{64}):)?(.+):([^:]+):(\d+)$/i.exec(line);
  if (!m) return undefined;
  return { ...(m[1] ? { commit: m[1].toLowerCase() } : {}), file: m[2]!, rule: m[3]!, line: Number(m[4]) };
}

/** The entries of a `.gitleaksignore` file, and how many lines were not fingerprints (for a warning). */
export function parseGitleaksIgnore(text: string): { entries: GitleaksIgnoreEntry[]; bad: number } {
  const entries: GitleaksIgnoreEntry[] = [];
  let bad = 0;
  for (const raw of text.split(/\r?\n/)) {
    const t = raw.trim();
    if (t === "" || t.startsWith("#")) continue;
    const e = parseGitleaksFingerprint(t);
    if (e) entries.push(e);
    else bad++;
  }
  return { entries, bad };
}

/** The id keyscan gives an imported gitleaks rule (src/engine/gitleaks.ts). */
function importedId(rule: string): string {
  return `gitleaks.${rule.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "")}`;
}

/** A predicate: is the finding (rule id, path, line, commit) covered by one of the entries? */
export function gitleaksIgnoreMatcher(entries: readonly GitleaksIgnoreEntry[]): (f: { ruleId: string; path: string; line: number; commit?: string }) => boolean {
  const byPlace = new Map<string, GitleaksIgnoreEntry[]>();
  for (const e of entries) {
    const key = `${e.line}\0${e.file}`;
    byPlace.set(key, [...(byPlace.get(key) ?? []), e]);
  }
  return (f) => {
    const candidates = byPlace.get(`${f.line}\0${f.path}`);
    if (!candidates) return false;
    return candidates.some((e) => (e.commit === undefined || (f.commit !== undefined && f.commit.toLowerCase() === e.commit)) && (!f.ruleId.startsWith("gitleaks.") || f.ruleId === importedId(e.rule)));
  };
}

/**
 * After a history scan's finalizer has attributed each finding to the commit that introduced it: drop findings that
 * a `commit:file:rule:line` entry names (during the scan a history blob has no commit yet). Counted as not shown.
 */
export function dropAttributed<R extends { findings: Array<{ ruleId: string; path: string; line: number; commit?: { commit: string } }>; stats: { suppressed?: Record<string, number> } }>(
  result: R,
  entries: readonly GitleaksIgnoreEntry[] | undefined,
): R {
  const withCommit = (entries ?? []).filter((e) => e.commit !== undefined);
  if (withCommit.length === 0) return result;
  const ignored = gitleaksIgnoreMatcher(withCommit);
  const kept = result.findings.filter((f) => !(f.commit && ignored({ ruleId: f.ruleId, path: f.path, line: f.line, commit: f.commit.commit })));
  const dropped = result.findings.length - kept.length;
  if (dropped === 0) return result;
  const suppressed = { ...(result.stats.suppressed ?? {}) };
  suppressed.gitleaks = (suppressed.gitleaks ?? 0) + dropped;
  return { ...result, findings: kept, stats: { ...result.stats, suppressed } };
}
