/**
 * The JSON format: the ScanResult itself (schema documented in docs/json-format.md, `version` field), with secrets
 * redacted unless --no-redact. Redaction replaces `secret` with its redacted form and adds `redacted: true`, so a
 * consumer can tell; the fingerprint still identifies the secret.
 */
import type { ReportOptions } from "./index.js";
import { redactSecret } from "./redact.js";
import type { ScanResult } from "./types.js";

export function redactResult(result: ScanResult, redact: boolean): ScanResult & { redacted: boolean } {
  if (!redact) return { ...result, redacted: false };
  return { ...result, redacted: true, findings: result.findings.map((f) => ({ ...f, secret: redactSecret(f.secret) })) };
}

export function renderJson(result: ScanResult, options: ReportOptions): string {
  return `${JSON.stringify(redactResult(result, options.redact), null, 2)}\n`;
}

export function renderJsonl(result: ScanResult, options: ReportOptions): string {
  return redactResult(result, options.redact)
    .findings.map((f) => JSON.stringify(f))
    .join("\n") + (result.findings.length ? "\n" : "");
}
