/**
 * The history audit as GitHub-flavoured Markdown (for a PR comment, a job summary or a ticket): summary tables,
 * then one section per secret in urgency order with its locations and what to do. Every value from the repository
 * is escaped; secrets are redacted unless --no-redact.
 */
import type { ReportOptions, ScanResult } from "../types.js";
import { printable } from "../printable.js";
import { escapeMarkdown, revokeMarkdown } from "../markdown.js";
import { redactResult } from "../redact.js";
import { buildAudit, type AuditEntry } from "./model.js";

const MAX_LOCATIONS = 20;

/** A code span for any text (paths from the repository): backticks inside are replaced, newlines flattened. */
function markdownCode(s: string): string {
  return `\`${printable(s.replace(/`/g, "ˋ").replace(/\r\n|\r|\n/g, " "))}\``;
}

function when(d: string | undefined): string {
  return d ? d.slice(0, 10) : "—";
}

function entryMarkdown(e: AuditEntry): string {
  const f = e.finding;
  const out: string[] = [];
  out.push(`### ${e.rank}. ${escapeMarkdown(f.providerName)} — ${escapeMarkdown(f.ruleName)} (${e.status}, ${e.location})`);
  out.push("");
  out.push(`- **Secret:** ${markdownCode(f.secret)} · rule ${markdownCode(f.ruleId)} · severity ${f.severity} · fingerprint ${markdownCode(f.fingerprint)}`);
  if (f.repo) out.push(`- **Repository:** ${markdownCode(f.repo)}`);
  if (e.introduced) out.push(`- **Introduced:** ${when(e.introduced.date)} by ${escapeMarkdown(e.introduced.author)} in ${markdownCode(e.introduced.commit.slice(0, 12))} (${markdownCode(f.path)}, line ${f.line})`);
  else out.push(`- **Found at:** ${markdownCode(f.path)}, line ${f.line}`);
  if (e.removed) out.push(`- **Removed:** ${when(e.removed.date)} in ${markdownCode(e.removed.commit.slice(0, 12))}`);
  else if (e.location === "history only") out.push("- **Removed:** no longer at HEAD (removing commit not on HEAD's ancestry)");
  if (e.exposedDays !== undefined) out.push(`- **Exposed for:** ${e.exposedDays} day${e.exposedDays === 1 ? "" : "s"}`);
  if (f.refs) out.push(`- **Reachable from:** ${f.refs.length ? f.refs.map(markdownCode).join(", ") : "no branch or tag (dangling or remote-only)"}`);
  if (f.verification) {
    const fields = f.verification.fields ? ` — ${Object.entries(f.verification.fields).map(([k, v]) => `${escapeMarkdown(k)}: ${escapeMarkdown(String(v))}`).join(", ")}` : "";
    out.push(`- **Verification:** ${f.verification.status} at ${f.verification.checkedAt}${f.verification.reason ? ` (${escapeMarkdown(f.verification.reason)})` : ""}${fields}`);
  }
  if (f.revoke) out.push(`- **Revoke:** ${revokeMarkdown(f.revoke)}`);
  const locs = f.locations ?? [];
  if (locs.length > 1) {
    out.push(`- **Occurs in ${locs.length} places:**`);
    for (const l of locs.slice(0, MAX_LOCATIONS)) out.push(`  - ${markdownCode(l.path)}:${l.line} in ${markdownCode(l.commit.commit.slice(0, 12))} (${when(l.commit.date)}, ${escapeMarkdown(l.commit.author)})`);
    if (locs.length > MAX_LOCATIONS) out.push(`  - … and ${locs.length - MAX_LOCATIONS} more (see the JSON report)`);
  }
  out.push("");
  out.push("**What to do:**");
  out.push("");
  e.actions.forEach((a, i) => out.push(`${i + 1}. ${escapeMarkdown(a)}`));
  out.push("");
  return out.join("\n");
}

export function renderAuditMarkdown(scanResult: ScanResult, options: ReportOptions): string {
  const result = redactResult(scanResult, options.redact);
  const audit = buildAudit(result);
  const s = audit.summary;
  const out: string[] = [];
  out.push("# keyscan history audit");
  out.push("");
  out.push(`Scanned ${s.scanned.commits !== undefined ? `git history: ${s.scanned.refs} refs, ${s.scanned.commits} commits, ${s.scanned.blobs} unique blobs` : escapeMarkdown(s.scanned.target)}, ${(s.scanned.bytes / 1e6).toFixed(1)} MB in ${(s.scanned.durationMs / 1000).toFixed(1)} s on ${s.scanned.startedAt.slice(0, 10)} (keyscan ${escapeMarkdown(result.tool.version)}, rules ${escapeMarkdown(result.rules.version)}).`);
  out.push("");
  if (s.total === 0) {
    out.push("**No secrets found.**");
    out.push("");
  } else {
    out.push(`**${s.total} distinct secret${s.total === 1 ? "" : "s"}:** ${s.byStatus.live} live, ${s.byStatus.unknown} unknown, ${s.byStatus["not checked"]} not checked, ${s.byStatus.invalid} invalid; ${s.byLocation.HEAD} still at HEAD, ${s.byLocation["history only"]} only in history.`);
    out.push("");
    out.push("| Provider | Secrets |");
    out.push("|---|---:|");
    for (const p of s.byProvider) out.push(`| ${escapeMarkdown(p.name)} | ${p.count} |`);
    out.push("");
    out.push("| # | Status | Where | Provider | Rule | Introduced | Removed |");
    out.push("|---:|---|---|---|---|---|---|");
    for (const e of audit.entries) {
      out.push(`| ${e.rank} | ${e.status} | ${e.location} | ${escapeMarkdown(e.finding.providerName)} | ${markdownCode(e.finding.ruleId)} | ${when(e.introduced?.date)} | ${when(e.removed?.date)} |`);
    }
    out.push("");
    out.push("## Secrets, most urgent first");
    out.push("");
    for (const e of audit.entries) out.push(entryMarkdown(e));
  }
  for (const w of audit.warnings) out.push(`> **Warning:** ${escapeMarkdown(w)}\n`);
  return `${out.join("\n").trimEnd()}\n`;
}
