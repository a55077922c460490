/**
 * How rule-checker diagnostics are printed: one `file:line:col: error: …` line each (the form editors and CI log
 * viewers turn into links), the example concerned indented below it, and a summary; or all of it as JSON.
 */
import type { RuleCheckResult, RuleDiagnostic } from "./check.js";

export function formatDiagnostic(d: RuleDiagnostic): string {
  const head = `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.ruleId ? `${d.ruleId}: ` : ""}${d.message} [${d.check}]`;
  if (d.example === undefined) return head;
  const lines = d.example.split(/\r\n|\n|\r/).map((l) => `    | ${l}`);
  if (d.secret !== undefined) lines.push(`    (where {{secret}} is generated from ${d.secret})`);
  if (d.path !== undefined) lines.push(`    (scanned as ${d.path})`);
  return [head, ...lines].join("\n");
}

export function countBySeverity(result: RuleCheckResult): { errors: number; warnings: number } {
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  return { errors, warnings: result.diagnostics.length - errors };
}

export function formatSummary(result: RuleCheckResult): string {
  const { errors, warnings } = countBySeverity(result);
  const passed = result.cases - result.failedCases;
  const counts = errors + warnings > 0 ? `; ${errors} error(s), ${warnings} warning(s)` : "";
  return `${result.rules.length} rules, ${result.cases} examples and negatives: ${passed} passed, ${result.failedCases} failed${counts}`;
}

export function formatText(result: RuleCheckResult): string {
  return `${[...result.diagnostics.map(formatDiagnostic), formatSummary(result)].join("\n")}\n`;
}

export function formatJson(result: RuleCheckResult): string {
  const { errors, warnings } = countBySeverity(result);
  const out = { files: result.files, rules: result.rules.length, cases: result.cases, failed: result.failedCases, errors, warnings, diagnostics: result.diagnostics };
  return `${JSON.stringify(out, null, 2)}\n`;
}
