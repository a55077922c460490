/**
 * The `github` format: GitHub Actions workflow commands. The most severe findings (at most 10: GitHub shows only
 * 10 error annotations per step) become `::error file=…,line=…::` annotations on the diff; a notice says how many
 * more there are. Everything taken from the repository (paths, commit authors, messages, rule text from a repo's
 * own rule files) is either escaped as annotation data/properties, or printed inside a `::stop-commands::<token>`
 * block whose random token the repository cannot know, so a crafted file name cannot inject a workflow command
 * (`::set-output`, `::add-mask`, …) into the job log.
 */
import { randomBytes } from "node:crypto";
import type { Finding, ReportOptions, ScanResult } from "./types.js";
import { redactResult } from "./redact.js";
import { bySeverity, headline, locationOf, plural, printable } from "./summary.js";

export const MAX_ERROR_ANNOTATIONS = 10;

/** Escape workflow-command data (the message after `::`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escape a workflow-command property value (`file=`, `title=`): data escapes plus `:` and `,`. */
export function escapeProperty(s: string): string {
  // Control and bidi characters in a property (a hostile file name in `file=`) are shown escaped, never raw (issue 19).
  // CR and LF stay as the runner's own %0D/%0A escapes.
  const shown = s.split(/(\r|\n)/).map((part) => (part === "\r" || part === "\n" ? part : printable(part))).join("");
  return escapeData(shown).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function newStopToken(): string {
  return `keyscan-${randomBytes(16).toString("hex")}`;
}

/** Wrap lines of untrusted text so the runner treats them as plain log output, never as commands. */
export function stopCommands(lines: readonly string[], token: string): string[] {
  return [`::stop-commands::${token}`, ...lines, `::${token}::`];
}

function annotation(f: Finding): string {
  const props = [
    `file=${escapeProperty(f.path)}`,
    `line=${f.line}`,
    `endLine=${f.endLine}`,
    // GitHub ignores col/endColumn on multi-line ranges; keyscan secrets are single-line in practice.
    `col=${f.column}`,
    `endColumn=${f.endColumn}`,
    `title=${escapeProperty(printable(`keyscan: ${f.ruleName} [${f.ruleId}]`))}`,
  ].join(",");
  const commit = f.commit ? ` Introduced in commit ${f.commit.commit.slice(0, 12)} by ${f.commit.author} (${f.commit.date}).` : "";
  const live = f.verification?.status === "verified" ? " VERIFIED LIVE." : "";
  const revoke = f.revoke ? ` Revoke it at ${f.revoke}.` : " Revoke it with the provider.";
  const msg = `${f.ruleName} (${f.severity}): ${f.secret}, found by ${f.usage}.${live}${commit}${revoke} Fingerprint ${f.fingerprint}.`;
  // `file=` stays exact (escaped, decoded by the runner) so the annotation lands on the file; shown text is printable.
  return `::error ${props}::${escapeData(printable(msg))}`;
}

function logLine(f: Finding): string {
  const commit = f.commit ? `  commit ${f.commit.commit.slice(0, 12)} ${f.commit.author}` : "";
  return printable(`${locationOf(f)}  ${f.severity}  ${f.providerName} — ${f.ruleName} [${f.ruleId}]  ${f.secret}  fingerprint ${f.fingerprint}${commit}`);
}

export function renderGithub(scanResult: ScanResult, options: ReportOptions): string {
  const result = redactResult(scanResult, options.redact);
  const token = options.stopToken ?? newStopToken();
  const ordered = bySeverity(result.findings);
  const logged: string[] = [printable(`keyscan: ${headline(result)} (${result.target})`)];
  for (const f of ordered) logged.push(logLine(f));
  for (const e of result.errors) logged.push(printable(`unreadable: ${e.path}: ${e.message} (${e.code})`));
  const out = stopCommands(logged, token);
  for (const w of (result.warnings ?? []).slice(0, MAX_ERROR_ANNOTATIONS)) out.push(`::warning title=keyscan::${escapeData(printable(w))}`);
  const annotated = ordered.slice(0, MAX_ERROR_ANNOTATIONS);
  for (const f of annotated) out.push(annotation(f));
  const rest = ordered.length - annotated.length;
  if (rest > 0) {
    out.push(
      `::notice title=${escapeProperty("keyscan")}::${escapeData(
        `${plural(rest, "more finding")} not annotated (GitHub shows at most ${MAX_ERROR_ANNOTATIONS} error annotations per step); all ${ordered.length} are listed in the log above and in the job summary.`,
      )}`,
    );
  }
  return `${out.join("\n")}\n`;
}
