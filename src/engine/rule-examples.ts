/**
 * Runs the examples and negatives that every rule carries: each example must produce a finding of that rule with
 * the expected secret, each negative must produce none. Secrets are generated from the example's template with a
 * generator seeded by the rule id, so a run is reproducible and no real-looking key is ever committed. Used by the
 * test suite (all shipped rules) and by `keyscan rules test` (a user's own rule files).
 */
import type { ExampleSpec } from "./rule-schema.js";
import type { Rule, RuleSet } from "./rule.js";
import { scanText } from "./scan-text.js";
import { generateSecret, seededRandom } from "./template.js";

export interface ExampleCase {
  rule: Rule;
  kind: "example" | "negative";
  index: number;
  text: string;
  secret?: string;
  /** The path the text is scanned as (for rules scoped by `paths`); none: rules scoped by paths do not run. */
  path?: string;
}

export interface ExampleFailure extends ExampleCase {
  problem: string;
}

export function materialise(rule: Rule, kind: "example" | "negative", index: number, spec: ExampleSpec): ExampleCase {
  if (typeof spec === "string") return { rule, kind, index, text: spec };
  const rand = seededRandom(`${rule.id}:${kind}:${index}`);
  const secret = spec.secret !== undefined ? generateSecret(spec.secret, rand) : undefined;
  const text = secret !== undefined ? spec.text.split("{{secret}}").join(secret) : spec.text;
  return { rule, kind, index, text, ...(secret !== undefined ? { secret } : {}), ...(spec.path !== undefined ? { path: spec.path } : {}) };
}

export function exampleCases(rule: Rule): ExampleCase[] {
  return [
    ...rule.examples.map((e, i) => materialise(rule, "example", i, e)),
    ...rule.negatives.map((e, i) => materialise(rule, "negative", i, e)),
  ];
}

/** Check one case against a rule set; returns a problem description, or undefined when the case holds. */
export function checkCase(c: ExampleCase, ruleset: RuleSet): string | undefined {
  const findings = scanText(c.text, ruleset, { inlineAllow: false, ...(c.path !== undefined ? { path: c.path } : {}) });
  const own = findings.filter((f) => f.rule.id === c.rule.id);
  if (c.kind === "negative") {
    return own.length > 0 ? `negative ${c.index} matched (${own.map((f) => f.usage).join(", ")})` : undefined;
  }
  if (own.length === 0) {
    const others = findings.map((f) => f.rule.id).join(", ");
    const unscoped = c.rule.pathOnly && (c.path === undefined || !c.rule.pathOnly.test(c.path)) ? "; the rule is scoped by `paths`: give the example a matching `path`" : "";
    return `example ${c.index} did not match${others ? ` (found instead: ${others})` : ""}${unscoped}`;
  }
  if (c.secret !== undefined && !own.some((f) => f.secret === c.secret)) {
    return `example ${c.index} matched a different secret (${own.map((f) => `${f.secret.length} chars via ${f.usage}`).join(", ")})`;
  }
  return undefined;
}

export function checkRules(ruleset: RuleSet, rules: readonly Rule[] = ruleset.rules): ExampleFailure[] {
  const failures: ExampleFailure[] = [];
  for (const rule of rules) {
    for (const c of exampleCases(rule)) {
      const problem = checkCase(c, ruleset);
      if (problem) failures.push({ ...c, problem });
    }
  }
  return failures;
}
