/**
 * The only place a secret is turned into what a person sees. By default a secret is shown as its first few
 * characters (at most a quarter of it, at most 4, so a provider prefix such as `key-` or `ghp_` stays readable) and
 * its length; `--no-redact` shows it whole. Every reporter starts from `redactResult`, which is idempotent: a result
 * already marked `redacted` (a saved redacted scan read back by `keyscan report --from`) is never redacted twice
 * and can never be un-redacted.
 */
import type { ScanResult } from "./types.js";

const REDACTED_SHAPE = /^[^…]{0,4}…\(\d+ chars\)$/;

export function redactSecret(secret: string): string {
  // Idempotent: a finding re-read from a --state file (or a merged redacted shard) holds the redacted form already.
  if (REDACTED_SHAPE.test(secret)) return secret;
  const keep = Math.min(4, Math.floor(secret.length / 4));
  return `${secret.slice(0, keep)}…(${secret.length} chars)`;
}

/** Whether a string is already a redacted secret (a saved redacted scan, a finding re-read from a --state file). */
export function isRedacted(secret: string): boolean {
  return REDACTED_SHAPE.test(secret);
}

/** The result as a report may show it: secrets redacted (and `redacted: true`) unless `redact` is false. */
export function redactResult(result: ScanResult, redact: boolean): ScanResult & { redacted: boolean } {
  // Verify companions can be secrets themselves (the other half of a key pair): no report ever shows them.
  const findings = result.findings.map(({ companions: _companions, ...f }) => f);
  if (result.redacted) return { ...result, findings, redacted: true };
  if (!redact) return { ...result, findings, redacted: false };
  return { ...result, redacted: true, findings: findings.map((f) => ({ ...f, secret: redactSecret(f.secret) })) };
}
