/**
 * The stage after the finding filters: turns what matching found into a ScanResult. A matched TextFinding becomes a
 * Finding with its item's provenance and fingerprint; per-input problems are kept as errors or counted as skips;
 * at the end findings and problems are sorted (src/report/order.ts) and the rules that fired are described. Plain
 * data in, plain data out, so `keyscan ci`, history and library callers all end with the same result.
 */
import { fingerprint as fingerprintOf } from "./engine/fingerprint.js";
import { ruleLookup } from "./engine/lazy-rule-set.js";
import type { RuleSet } from "./engine/rule.js";
import type { TextFinding } from "./engine/scan-text.js";
import type { SuppressedBy } from "./finding-filters/fingerprints.js";
import { compareFindings, compareProblems } from "./report/order.js";
import type { Finding, RuleDetails, ScanProblem, ScanResult } from "./report/types.js";
import type { SourceItem } from "./sources/types.js";
import { ownData, ownString } from "./util/own-string.js";
import { TOOL_NAME, VERSION } from "./version.js";
import type { ProblemCode } from "./errors.js";

const MAX_LISTED_SKIPS = 1000;

export function toFinding(t: TextFinding, item: Pick<Exclude<SourceItem, { type: "problem" }>, "provenance">): Finding {
  const p = item.provenance;
  return {
    ruleId: t.rule.id,
    ruleName: t.rule.name,
    provider: t.rule.provider.id,
    providerName: t.rule.provider.name,
    severity: t.rule.severity,
    confidence: t.confidence,
    usage: ownString(t.usage),
    path: p.path,
    line: t.line,
    column: t.column,
    endLine: t.endLine,
    endColumn: t.endColumn,
    source: p.kind,
    ...(p.kind === "commit" ? { commit: p.commit } : {}),
    secret: ownString(t.secret), // not a view that keeps the file's text (src/util/own-string.ts)
    fingerprint: fingerprintOf(t.rule.id, t.secret),
    entropy: t.entropy,
    ...(t.rule.provider.revoke ? { revoke: t.rule.provider.revoke } : {}),
    ...(t.details ? { details: ownData(t.details) } : {}),
    ...(t.decoded ? { decoded: t.decoded } : {}),
    ...((p.kind === "commit" || p.kind === "staged") && p.blob ? { blob: p.blob } : {}),
  };
}

/** What one scan has gathered so far; `result()` makes the ScanResult. */
export class ResultCollector {
  readonly findings: Finding[] = [];
  private readonly errors: ScanProblem[] = [];
  private readonly skipped: ScanProblem[] = [];
  private readonly skippedCounts: Record<string, number> = {};
  private readonly suppressed: Record<string, number> = {};
  private readonly started = Date.now();
  scanned = 0;
  bytes = 0;

  problem(path: string, code: ProblemCode, message: string, skipped: boolean): void {
    const entry = { path, code, message };
    if (skipped) {
      this.skippedCounts[code] = (this.skippedCounts[code] ?? 0) + 1;
      if (this.skipped.length < MAX_LISTED_SKIPS) this.skipped.push(entry);
    } else this.errors.push(entry);
  }

  suppress(by: SuppressedBy | "inline" | "gitleaks"): void {
    this.suppressed[by] = (this.suppressed[by] ?? 0) + 1;
  }

  result(ruleset: RuleSet, target: string): ScanResult {
    const findings = this.findings.sort(compareFindings);
    return {
      format: "keyscan-scan",
      version: 1,
      tool: { name: TOOL_NAME, version: VERSION },
      rules: { version: ruleset.version, count: ruleLookup(ruleset).count },
      target,
      startedAt: new Date(this.started).toISOString(),
      stats: { scanned: this.scanned, bytes: this.bytes, skipped: this.skippedCounts, durationMs: Date.now() - this.started, ...(Object.keys(this.suppressed).length ? { suppressed: this.suppressed } : {}) },
      findings,
      errors: this.errors.sort(compareProblems),
      skipped: this.skipped.sort(compareProblems),
      ruleDetails: ruleDetails(ruleset, findings),
    };
  }
}

/** What a report says about each rule that fired, in rule-set order (issue 21: made from the rules that fired only). */
function ruleDetails(ruleset: RuleSet, findings: readonly Finding[]): Record<string, RuleDetails> {
  const out: Record<string, RuleDetails> = {};
  const lookup = ruleLookup(ruleset);
  const used = [...new Set(findings.map((f) => f.ruleId))].filter((id) => lookup.order(id) >= 0).sort((a, b) => lookup.order(a) - lookup.order(b));
  for (const id of used) {
    const r = lookup.get(id)!;
    out[r.id] = {
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
  return out;
}
