/**
 * SARIF 2.1.0, shaped for GitHub code scanning (github/codeql-action/upload-sarif): one run whose driver lists each
 * rule that has findings, with short and full descriptions, help as text and Markdown (what it is, how to revoke),
 * `security` tags, `precision` and a `security-severity` score from the rule's severity; one result per finding
 * with a repo-relative URI and a region (SARIF columns are 1-based, end exclusive, as keyscan's are). The
 * `partialFingerprints` are derived from keyscan's fingerprint (a hash of rule + secret) and the path, so an alert
 * survives its line moving and never carries the secret; nor does anything else here (no `region.snippet`). The
 * category (`runAutomationDetails.id`) keeps tree, diff and history uploads apart.
 */
import { createHash } from "node:crypto";
import { jsonSafe } from "./printable.js";
import type { Log, ReportingDescriptor, Result } from "sarif";
import type { Severity } from "../engine/rule-schema.js";
import type { Finding, ReportOptions, ScanResult } from "./types.js";
import { redactResult } from "./redact.js";
import { bySeverity, rulesUsed, scanKind } from "./summary.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
/** GitHub code scanning rejects a run with more results than this. */
export const MAX_SARIF_RESULTS = 25_000;

/** GitHub's bands: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "1.0" };
const LEVEL: Record<Severity, Result.level> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };

/** Forward-slash path → URI reference: each segment percent-encoded (spaces, `#`, `?`, non-ASCII). */
export function pathToUri(path: string): string {
  return path
    .replace(/^\.\//, "")
    .split("/")
    .map((seg) => encodeURIComponent(seg))
    .join("/");
}

function lineHash(f: Finding): string {
  return createHash("sha256").update("keyscan-sarif\0").update(f.fingerprint).update("\0").update(f.path).digest("hex").slice(0, 16);
}

function message(f: Finding): string {
  const where = f.commit ? ` in commit ${f.commit.commit.slice(0, 12)} (${f.commit.author}, ${f.commit.date})` : "";
  const verified =
    f.verification?.status === "verified" ? " The key was verified LIVE." : f.verification?.status === "invalid" ? " The key was checked and is invalid." : "";
  const revoke = f.revoke ? ` Revoke it at ${f.revoke}, then remove it from the code.` : " Revoke it, then remove it from the code.";
  return `${f.ruleName} found (${f.secret}, recognised by ${f.usage})${where}.${verified}${revoke} Fingerprint: ${f.fingerprint}.`;
}

export function renderSarif(scanResult: ScanResult, options: ReportOptions): string {
  const result = redactResult(scanResult, options.redact);
  const used = rulesUsed(result);
  const index = new Map(used.map(([id], i) => [id, i]));
  const rules: ReportingDescriptor[] = used.map(([id, d]) => {
    const revoke = d.revoke ? ` Revoke or rotate it at ${d.revoke}.` : " Revoke or rotate it with the provider.";
    const text = `${d.description}${revoke} Then remove it from the code (and, if it was committed, treat it as leaked even after removal).`;
    const markdown =
      `**${d.name}** (${d.providerName})\n\n${d.description}\n\n` +
      `**What to do:** ${d.revoke ? `revoke or rotate the key at <${d.revoke}>` : "revoke or rotate the key with the provider"}, ` +
      "then remove it from the code. A key that was ever committed stays in the repository's history: revoking it is the fix, " +
      "rewriting history is not.\n\nTo accept a finding, add `fingerprint:<hash>` (from the alert message) to `.keyscanignore`.";
    return {
      id,
      name: d.name,
      shortDescription: { text: d.name },
      fullDescription: { text: d.description },
      help: { text, markdown },
      ...(d.docs ? { helpUri: d.docs } : {}),
      defaultConfiguration: { level: LEVEL[d.severity] },
      properties: {
        tags: ["security", "secret", "external/cwe/cwe-798", d.provider],
        precision: d.generic ? "medium" : "high",
        "security-severity": SECURITY_SEVERITY[d.severity],
        "problem.severity": LEVEL[d.severity] === "note" ? "recommendation" : LEVEL[d.severity],
      },
    };
  });

  const seen = new Map<string, number>();
  const kept = result.findings.length > MAX_SARIF_RESULTS ? bySeverity(result.findings).slice(0, MAX_SARIF_RESULTS) : result.findings;
  const dropped = result.findings.length - kept.length;
  const results: Result[] = kept.map((f) => {
    const hash = lineHash(f);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId)!,
      level: LEVEL[f.severity],
      message: { text: message(f) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: pathToUri(f.path), uriBaseId: "%SRCROOT%" },
            region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
          },
        },
      ],
      partialFingerprints: { "keyscanFingerprint/v1": f.fingerprint, primaryLocationLineHash: `${hash}:${occurrence}` },
      properties: {
        confidence: f.confidence,
        usage: f.usage,
        source: f.source,
        ...(f.commit ? { commit: f.commit.commit } : {}),
        ...(f.locations ? { locations: f.locations.length } : {}),
        ...(f.atHead !== undefined ? { atHead: f.atHead } : {}),
        ...(f.verification ? { verification: f.verification.status } : {}),
        // Issue 22: what a live key can reach, and whether `keyscan revoke` revoked it.
        ...(f.access ? { access: { summary: f.access.summary, blastRadius: f.access.blastRadius, ...(f.access.identity ? { identity: f.access.identity } : {}), ...(f.access.scopes ? { scopes: f.access.scopes } : {}), ...(f.access.resources ? { resources: f.access.resources } : {}), ...(f.access.spend ? { spend: f.access.spend } : {}), ...(f.access.raisedFrom ? { raisedFrom: f.access.raisedFrom } : {}) } } : {}),
        ...(f.revocation ? { revocation: f.revocation.status } : {}),
      },
    };
  });

  const category = options.category ?? `keyscan/${scanKind(result)}/`;
  const log: Log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: result.tool.name,
            version: result.tool.version,
            semanticVersion: result.tool.version,
            informationUri: "https://www.npmjs.com/package/@keyscan-dev/keyscan",
            rules,
            properties: { rulesVersion: result.rules.version },
          },
        },
        automationDetails: { id: category.endsWith("/") ? category : `${category}/` },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: [
              ...(dropped > 0
                ? [{ level: "warning" as const, message: { text: `${dropped} less severe findings were left out: GitHub code scanning accepts at most ${MAX_SARIF_RESULTS} results per run. Use --format json for all of them.` } }]
                : []),
              ...(result.warnings ?? []).map((w) => ({ level: "warning" as const, message: { text: w } })),
              ...result.errors.map((e) => ({
                level: "warning" as const,
                message: { text: `${e.path}: ${e.message} (${e.code})` },
                locations: [{ physicalLocation: { artifactLocation: { uri: pathToUri(e.path), uriBaseId: "%SRCROOT%" } } }],
              })),
            ],
          },
        ],
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
  return `${jsonSafe(JSON.stringify(log, null, 2))}\n`;
}
