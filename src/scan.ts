/**
 * Runs one scan: pulls items from a source, runs the matcher core on each text, applies the filters that need
 * provenance (added-lines-only for diffs, fingerprint ignores), and collects a sorted ScanResult. Per-input problems
 * are recorded and the scan continues. This is the library entry point used by the CLI and by tests.
 */
import { fingerprint as fingerprintOf } from "./engine/fingerprint.js";
import type { RuleSet } from "./engine/rule.js";
import { scanText, type TextFinding } from "./engine/scan-text.js";
import type { Finding, RuleDetails, ScanProblem, ScanResult } from "./report/types.js";
import type { Source, TextItem } from "./sources/types.js";
import { attachCompanions } from "./verify/companions.js";
import { TOOL_NAME, VERSION } from "./version.js";

export interface ScanOptions {
  /** Honour inline allow comments (default true). */
  inlineAllow?: boolean;
  /** Fingerprints to drop (from .keyscanignore `fingerprint:` lines). */
  ignoreFingerprints?: ReadonlySet<string>;
}

const MAX_LISTED_SKIPS = 1000;

export function toFinding(t: TextFinding, item: Pick<TextItem, "provenance">): Finding {
  const p = item.provenance;
  return {
    ruleId: t.rule.id,
    ruleName: t.rule.name,
    provider: t.rule.provider.id,
    providerName: t.rule.provider.name,
    severity: t.rule.severity,
    confidence: t.confidence,
    usage: t.usage,
    path: p.path,
    line: t.line,
    column: t.column,
    endLine: t.endLine,
    endColumn: t.endColumn,
    source: p.kind,
    ...(p.kind === "commit" ? { commit: p.commit } : {}),
    secret: t.secret,
    fingerprint: fingerprintOf(t.rule.id, t.secret),
    entropy: t.entropy,
    ...(t.rule.provider.revoke ? { revoke: t.rule.provider.revoke } : {}),
    ...((p.kind === "commit" || p.kind === "staged") && p.blob ? { blob: p.blob } : {}),
  };
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.commit?.commit ?? "").localeCompare(b.commit?.commit ?? "")
  );
}

export async function scan(source: Source, ruleset: RuleSet, options: ScanOptions = {}): Promise<ScanResult> {
  const started = Date.now();
  const findings: Finding[] = [];
  const errors: ScanProblem[] = [];
  const skipped: ScanProblem[] = [];
  const skippedCounts: Record<string, number> = {};
  let scanned = 0;
  let bytes = 0;
  const ignore = options.ignoreFingerprints;

  for await (const item of source.items()) {
    if (item.type === "problem") {
      const problem = { path: item.path, code: item.code, message: item.message };
      if (item.skipped) {
        skippedCounts[item.code] = (skippedCounts[item.code] ?? 0) + 1;
        if (skipped.length < MAX_LISTED_SKIPS) skipped.push(problem);
      } else errors.push(problem);
      continue;
    }
    scanned++;
    bytes += item.bytes;
    const found = scanText(item.text, ruleset, { inlineAllow: options.inlineAllow ?? true });
    for (const t of found) {
      if (item.lines && !item.lines.has(t.line)) continue;
      const f = toFinding(t, item);
      if (ignore?.has(f.fingerprint)) continue;
      attachCompanions(f, t, found, item.text); // values a verify request needs (shop domain, account id), kept off the report
      findings.push(f);
    }
  }
  findings.sort(compareFindings);
  const ruleDetails: Record<string, RuleDetails> = {};
  const usedRules = new Set(findings.map((f) => f.ruleId));
  for (const r of ruleset.rules) {
    if (!usedRules.has(r.id)) continue;
    ruleDetails[r.id] = {
      name: r.name,
      description: r.description,
      severity: r.severity,
      provider: r.provider.id,
      providerName: r.provider.name,
      generic: r.generic,
      ...(r.provider.docs ? { docs: r.provider.docs } : {}),
      ...(r.provider.revoke ? { revoke: r.provider.revoke } : {}),
    };
  }
  return {
    format: "keyscan-scan",
    version: 1,
    tool: { name: TOOL_NAME, version: VERSION },
    rules: { version: ruleset.version, count: ruleset.rules.length },
    target: source.description,
    startedAt: new Date(started).toISOString(),
    stats: { scanned, bytes, skipped: skippedCounts, durationMs: Date.now() - started },
    findings,
    errors,
    skipped,
    ruleDetails,
  };
}
