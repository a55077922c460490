/**
 * The `markdown` format: a GitHub-flavoured Markdown scan report (headline, what was scanned, counts by severity,
 * one table row per finding, unreadable inputs), used as the GitHub job summary and for PR comments or tickets.
 * Every value from the repository or a rule file is escaped so a crafted path cannot break the table, add links
 * or inject HTML. `truncateMarkdown` cuts a report at a line boundary to fit a byte budget (GitHub rejects job
 * summaries over 1 MiB) and says so. The history audit layout (issue 9) builds on the helpers exported here.
 */
import type { Finding, ReportOptions, ScanResult } from "./types.js";
import { printable } from "./printable.js";
import { redactResult } from "./redact.js";
import { bySeverity, locationOf, plural, rulesUsed, severityCounts, skipWord } from "./summary.js";

/**
 * Escape text for a GFM table cell or mid-line text: emphasis, code, link brackets, pipes and HTML; newlines become
 * spaces. (Line-start syntax such as `#` or `1.` cannot occur: callers never start a line with untrusted text.)
 */
export function escapeMarkdown(s: string): string {
  // Control and bidi characters are shown escaped (`\x1b`), never raw (issue 19).
  return printable(s.replace(/[\r\n]+/g, " "))
    .replace(/[\\`*_[\]|~<>&]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`));
}

/** A code span for text that can only hold hex/word characters (fingerprints, rule ids); escaped otherwise. */
export function codeSpan(s: string): string {
  return /^[\w.:/@-]+$/.test(s) ? `\`${s}\`` : escapeMarkdown(s);
}

/** A link only for http(s) URLs (rule files are data, a `javascript:` URL is shown as text). */
export function safeLink(label: string, url: string | undefined): string {
  if (!url || !/^https?:\/\/[^\s<>()]+$/.test(url)) return escapeMarkdown(label);
  return `[${escapeMarkdown(label)}](${url})`;
}

/** A rule's revoke hint (`https://… (Settings → API)`): its leading URL as a link, the rest as text. */
export function revokeMarkdown(revoke: string | undefined): string {
  if (!revoke) return "";
  const m = /^(https?:\/\/[^\s<>()]+)(.*)$/s.exec(revoke);
  return m ? `${safeLink(m[1]!, m[1]!)}${escapeMarkdown(m[2]!)}` : escapeMarkdown(revoke);
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

function findingRow(f: Finding): string[] {
  const history = f.locations ? `${f.locations.length > 1 ? ` (+${f.locations.length - 1} more)` : ""}${f.atHead === false ? ", history only" : f.atHead ? ", still at HEAD" : ""}` : "";
  const commit = f.commit ? `${codeSpan(f.commit.commit.slice(0, 12))} ${escapeMarkdown(f.commit.author)}${history}` : "";
  const verify = f.verification ? (f.verification.status === "verified" ? "**LIVE**" : f.verification.status) : "not checked";
  return [
    f.severity,
    `${escapeMarkdown(f.ruleName)} ${codeSpan(f.ruleId)}`,
    escapeMarkdown(locationOf(f)),
    escapeMarkdown(f.secret),
    commit,
    verify,
    revokeMarkdown(f.revoke),
    codeSpan(f.fingerprint),
  ];
}

export function renderMarkdown(scanResult: ScanResult, options: ReportOptions): string {
  const result = redactResult(scanResult, options.redact);
  const out: string[] = [];
  const n = result.findings.length;
  out.push(`## keyscan: ${n === 0 ? "no secrets found" : plural(n, "secret") + " found"}`, "");
  const mb = (result.stats.bytes / 1e6).toFixed(1);
  out.push(
    `Scanned ${escapeMarkdown(result.target)}: ${plural(result.stats.scanned, "file")} (${mb} MB) in ${result.stats.durationMs} ms, ` +
      `${result.rules.count} rules (rule set ${codeSpan(result.rules.version)}), ${escapeMarkdown(`${result.tool.name} ${result.tool.version}`)}` +
      `${result.redacted ? "; secrets redacted" : "; **secrets shown in full**"}.`,
    "",
  );
  for (const w of result.warnings ?? []) out.push(`> **Warning:** ${escapeMarkdown(w)}`, "");
  if (n > 0) {
    out.push(severityCounts(result.findings).map(([s, c]) => `**${c}** ${s}`).join(" · "), "");
    out.push(...table(["Severity", "Rule", "Location", "Secret", "Commit", "Verified", "Revoke", "Fingerprint"], bySeverity(result.findings).map(findingRow)), "");
    const rules = rulesUsed(result);
    out.push("<details><summary>What to do</summary>", "");
    for (const [id, d] of rules) {
      out.push(`- ${codeSpan(id)} ${escapeMarkdown(d.description)} ${d.revoke ? `Revoke or rotate it: ${revokeMarkdown(d.revoke)}.` : "Revoke or rotate it with the provider."}`);
    }
    out.push("", "Revoke first, then remove the key from the code; to accept a finding add `fingerprint:<hash>` to `.keyscanignore`.", "", "</details>", "");
  }
  if (result.errors.length > 0) {
    out.push(`### ${plural(result.errors.length, "unreadable input")}`, "");
    out.push(...table(["Path", "Problem"], result.errors.map((e) => [escapeMarkdown(e.path), escapeMarkdown(`${e.message} (${e.code})`)])), "");
  }
  const skipped = Object.entries(result.stats.skipped);
  if (skipped.length > 0) out.push(`Skipped: ${skipped.map(([code, c]) => `${c} ${escapeMarkdown(skipWord(code))}`).join(", ")}.`, "");
  return `${out.join("\n").trimEnd()}\n`;
}

/**
 * Fit Markdown into `maxBytes` (UTF-8) by dropping whole lines from the end and adding a note that says how much
 * was cut and where the full report is. Returns the text unchanged when it fits.
 */
export function truncateMarkdown(md: string, maxBytes: number, whereFull = "the SARIF or JSON report"): string {
  if (Buffer.byteLength(md, "utf8") <= maxBytes) return md;
  const lines = md.split("\n");
  const total = lines.length;
  const note = (cut: number) => `\n\n> **Truncated:** ${cut} of ${total} lines of this report were cut to stay under GitHub's job summary limit; see ${whereFull} for everything.\n`;
  const budget = maxBytes - Buffer.byteLength(note(total), "utf8");
  let used = 0;
  let keep = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line, "utf8") + 1;
    if (used + size > budget) break;
    used += size;
    keep++;
  }
  return `${lines.slice(0, keep).join("\n")}${note(total - keep)}`;
}
