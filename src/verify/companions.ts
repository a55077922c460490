/**
 * What verification needs to know about companions (src/engine/companions.ts resolves them at scan time and they
 * travel on the finding as plain data, issue 18): the values a finding carries, and what to say when one is missing.
 */
import { companionSpecs, DEFAULT_COMPANION_WITHIN } from "../engine/companions.js";
import type { Rule } from "../engine/rule.js";
import type { Finding } from "../report/types.js";

export function describeCompanion(rule: Rule, name: string): string {
  const c = companionSpecs(rule).find((x) => x.name === name);
  const what = c?.spec?.description ? ` (${c.spec.description})` : "";
  if (!c?.spec) return `companion \`${name}\`${what}, which the rule gives no way to find`;
  const from = c.spec.rule ? `${c.spec.rule} finding` : "match of its pattern";
  return `companion \`${name}\`${what}, but there is no ${from} within ${c.spec.within_lines ?? DEFAULT_COMPANION_WITHIN} lines of the secret`;
}

export function companionsOf(finding: Finding): Readonly<Record<string, string>> {
  return finding.companions ?? {};
}
