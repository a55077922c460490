/**
 * The JSON formats. `json` is the ScanResult itself (schema: docs/json-format.md and docs/scan-result.schema.json,
 * versioned by its `version` field), with secrets redacted unless --no-redact; redaction replaces `secret` with its
 * redacted form and sets `redacted: true`, so a consumer can tell, and the fingerprint still identifies the secret.
 * This is what `keyscan report --from` reads back. `jsonl` is one finding object per line (same shape as an entry
 * of `findings`), for streaming into log pipelines; it carries no header, so it cannot be re-rendered.
 */
import type { ReportOptions, ScanResult } from "./types.js";
import { jsonSafe } from "./printable.js";
import { redactResult } from "./redact.js";

export function renderJson(result: ScanResult, options: ReportOptions): string {
  return `${jsonSafe(JSON.stringify(redactResult(result, options.redact), null, 2))}\n`;
}

export function renderJsonl(result: ScanResult, options: ReportOptions): string {
  const findings = redactResult(result, options.redact).findings;
  return findings.map((f) => jsonSafe(JSON.stringify(f))).join("\n") + (findings.length ? "\n" : "");
}
