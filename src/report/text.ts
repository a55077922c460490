/**
 * The human format: one block per finding (a history scan's most urgent first) with `path:line:col` first (so terminals and editors make it a link),
 * then what was found and how, the redacted secret, its fingerprint (for an ignore entry) and, when known, where to
 * revoke it; then a one-line summary with skipped and unreadable inputs. A pure function of the scan result.
 */
import type { Finding, ReportOptions, ScanResult } from "./types.js";
import { palette } from "./color.js";
import { redactResult } from "./redact.js";
import { byUrgency, filesPhrase, printable as p, scanKind } from "./summary.js";

/** Why findings were left out, in words for the summary's "not shown". */
const NOT_SHOWN: Record<string, string> = { baseline: "in the baseline", ignore: "ignored by fingerprint", inline: "allowed inline", gitleaks: "ignored by gitleaks fingerprint" };

export function renderText(scanResult: ScanResult, options: ReportOptions & { findingsShown?: boolean }): string {
  const result = redactResult(scanResult, options.redact);
  const c = palette(options.color);
  const out: string[] = [];
  // A history scan reads most urgent first (issue 20); other scans keep path order, the order of an editor's list.
  // With `findingsShown`, the blocks were streamed as found (renderFindingText) and only the summary is left.
  const findings = options.findingsShown ? [] : scanKind(result) === "history" ? byUrgency(result.findings) : result.findings;
  for (const f of findings) out.push(...findingLines(f, c));
  for (const e of result.errors) out.push(`${c.yellow("error")}: ${p(e.path)}: ${p(e.message)} (${e.code})`);
  const skipped = Object.entries(result.stats.skipped)
    .map(([code, n]) => `${n} ${SKIP_WORDS[code] ?? code}`)
    .join(", ");
  const n = result.findings.length;
  const head = n === 0 ? c.green("no secrets found") : c.red(`${n} secret${n === 1 ? "" : "s"} found`);
  const mb = (result.stats.bytes / 1e6).toFixed(1);
  out.push(
    `${head} in ${filesPhrase(result)} (${mb} MB, ${result.stats.durationMs} ms)` +
      (skipped ? `; skipped ${skipped}` : "") +
      (result.stats.suppressed ? `; not shown: ${Object.entries(result.stats.suppressed).map(([by, k]) => `${k} ${NOT_SHOWN[by] ?? by}`).join(", ")}` : "") +
      (result.errors.length ? `; ${result.errors.length} unreadable` : ""),
  );
  return `${out.join("\n")}\n`;
}

/** For history findings: how many places hold the secret and whether HEAD still does. */
function historyNote(f: ScanResult["findings"][number]): string {
  if (!f.locations) return "";
  const more = f.locations.length - 1;
  const removed = !f.atHead && f.removedIn && f.removedIn.length > 0 ? `, removed in ${f.removedIn[f.removedIn.length - 1]!.commit.commit.slice(0, 12)}` : "";
  return `  (first introduced${more > 0 ? `; ${more} more location${more === 1 ? "" : "s"}` : ""}; ${f.atHead ? "still at HEAD" : `not at HEAD${removed}`})`;
}

const SKIP_WORDS: Record<string, string> = {
  E_BINARY: "binary",
  E_TOO_LARGE: "too large",
  E_SYMLINK: "symlinks",
  E_NOT_REGULAR: "special files",
};

/** One finding's block as the text report prints it, for streaming it as soon as it is final (issue 20). */
export function renderFindingText(finding: Finding, options: ReportOptions): string {
  const [f] = redactResult({ findings: [finding] } as ScanResult, options.redact).findings;
  return `${findingLines(f!, palette(options.color)).join("\n")}\n`;
}

function findingLines(f: Finding, c: ReturnType<typeof palette>): string[] {
  const out: string[] = [];
  const sev = f.severity === "critical" || f.severity === "high" ? c.red(f.severity) : c.yellow(f.severity);
  out.push(`${c.bold(`${p(f.path)}:${f.line}:${f.column}`)}  ${p(f.providerName)} — ${p(f.ruleName)} ${c.dim(`[${f.ruleId}]`)} ${sev}`);
  out.push(`    secret: ${p(f.secret)}   found by: ${p(f.usage)}${f.decoded ? ` (${f.decoded.join(" → ")})` : ""}   confidence: ${f.confidence}`);
  if (f.details) out.push(`    details: ${Object.entries(f.details).map(([k, v]) => `${k}=${p(Array.isArray(v) ? v.join(",") : String(v))}`).join("  ")}`);
  if (f.commit) out.push(`    commit: ${f.commit.commit.slice(0, 12)}  ${p(f.commit.author)}  ${p(f.commit.date)}${historyNote(f)}`);
  if (f.verification) {
    const v = f.verification;
    const status = v.status === "verified" ? c.red("VERIFIED LIVE") : v.status === "invalid" ? c.green("invalid") : c.yellow("unknown");
    out.push(`    verify: ${status}${v.reason ? ` (${v.reason})` : ""}${v.fields ? `  ${JSON.stringify(v.fields)}` : ""}  ${c.dim(`checked ${v.checkedAt}`)}`);
  }
  if (f.access) {
    const a = f.access;
    const raised = a.raisedFrom ? `; raised from ${a.raisedFrom} by ${p(a.raisedBy ?? "")}` : "";
    out.push(`    can reach: ${p(a.summary)}  ${c.dim(`(blast radius ${a.blastRadius}${raised}${a.reason ? `; partial: ${p(a.reason)}` : ""})`)}`);
  }
  if (f.revocation) out.push(`    revocation: ${f.revocation.status === "revoked" ? c.green("revoked") : c.yellow(f.revocation.status)} ${c.dim(f.revocation.at)}${f.revocation.reason ? ` (${p(f.revocation.reason)})` : ""}`);
  out.push(`    fingerprint: ${f.fingerprint}${f.revoke ? `   revoke: ${f.revoke}` : ""}`);
  out.push("");
  return out;
}
