/**
 * Facts every report states the same way, computed once from a ScanResult: what kind of scan it was (tree, staged,
 * diff, history — also the SARIF category), severity order and counts, the details of each rule that has findings
 * (from the result's `ruleDetails`, or from the findings alone for older saved scans), and a short location string.
 * Keeping them here means the text, Markdown, HTML, SARIF and GitHub formats never disagree.
 */
import type { Severity } from "../engine/rule-schema.js";
import type { Finding, RuleDetails, ScanResult } from "./types.js";

export const SEVERITY_ORDER: readonly Severity[] = ["critical", "high", "medium", "low", "info"];

export function severityRank(s: Severity): number {
  const i = SEVERITY_ORDER.indexOf(s);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

/** Findings most severe first; ties keep the result's order (path, line, column). */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => severityRank(a.f.severity) - severityRank(b.f.severity) || a.i - b.i)
    .map((x) => x.f);
}

/**
 * Findings most urgent first (issue 20, for history reports, whose path order buried a live key under old ones):
 * severity, then verified live, then still at HEAD, then the newest commit; ties keep the result's order.
 */
export function byUrgency(findings: readonly Finding[]): Finding[] {
  const live = (f: Finding): number => (f.verification?.status === "verified" ? 0 : 1);
  const head = (f: Finding): number => (f.atHead === false ? 1 : 0);
  const when = (f: Finding): number => {
    const t = f.commit ? Date.parse(f.commit.date) : NaN;
    return Number.isNaN(t) ? 0 : t;
  };
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => severityRank(a.f.severity) - severityRank(b.f.severity) || live(a.f) - live(b.f) || head(a.f) - head(b.f) || when(b.f) - when(a.f) || a.i - b.i)
    .map((x) => x.f);
}

export function severityCounts(findings: readonly Finding[]): Array<[Severity, number]> {
  return SEVERITY_ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as [Severity, number]).filter(([, n]) => n > 0);
}

export type ScanKind = "tree" | "stdin" | "staged" | "diff" | "history";

/** The kind of scan, from the target description (`files: .`, `staged`, `diff: a..b`, `history: …`). */
export function scanKind(result: Pick<ScanResult, "target" | "findings">): ScanKind {
  const word = /^([a-z]+)/i.exec(result.target)?.[1]?.toLowerCase() ?? "";
  if (word === "stdin") return "stdin";
  if (word === "staged" || word === "index") return "staged";
  if (word === "diff" || word === "range" || word === "commits" || word === "since") return "diff";
  if (word === "history") return "history";
  if (word === "files") return "tree";
  return result.findings.some((f) => f.source === "commit") ? "diff" : "tree";
}

/** Details for every rule with a finding, by id, sorted by id. */
export function rulesUsed(result: ScanResult): Array<[string, RuleDetails]> {
  const out = new Map<string, RuleDetails>();
  for (const f of result.findings) {
    if (out.has(f.ruleId)) continue;
    const d = result.ruleDetails?.[f.ruleId];
    out.set(
      f.ruleId,
      d ?? {
        name: f.ruleName,
        description: `${f.ruleName} (${f.providerName}).`,
        severity: f.severity,
        provider: f.provider,
        providerName: f.providerName,
        generic: false,
        ...(f.revoke ? { revoke: f.revoke } : {}),
      },
    );
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function locationOf(f: Finding): string {
  return `${f.path}:${f.line}:${f.column}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Where the findings are, against what was scanned: `2 of 12 files` (files with findings of files scanned; issue 20:
 * it used to count only the files scanned), or `12 files` when nothing was found.
 */
export function filesPhrase(result: Pick<ScanResult, "findings" | "stats">): string {
  if (result.findings.length === 0) return plural(result.stats.scanned, "file");
  const withFindings = new Set(result.findings.map((f) => f.path)).size;
  return `${withFindings} of ${plural(Math.max(result.stats.scanned, withFindings), "file")}`;
}

/** `3 secrets found in 2 of 12 files` / `no secrets found in 12 files`. */
export function headline(result: ScanResult): string {
  const n = result.findings.length;
  return `${n === 0 ? "no secrets found" : `${plural(n, "secret")} found`} in ${filesPhrase(result)}`;
}

/** One escaping for every human-facing format (src/report/printable.ts). */
export { printable } from "./printable.js";

const SKIP_WORDS: Record<string, string> = {
  E_BINARY: "binary",
  E_TOO_LARGE: "too large",
  E_SYMLINK: "symlinks",
  E_NOT_REGULAR: "special files",
};

/** `E_BINARY` → `binary`: skip reasons in words (unknown codes are shown as they are). */
export function skipWord(code: string): string {
  return SKIP_WORDS[code] ?? code;
}
