// Every shipped rule file goes through the rule checker (src/rules-check), the same one behind `keyscan rules test`
// and `keyscan rules check`: each rule's examples must be found with their secret, its negatives must not, every
// matcher must be exercised by an example, and nothing may warn (this is the strict mode of `rules check`). One test
// per rule, failing with the checker's own `file:line:col` diagnostics.
import { describe, expect, it } from "vitest";
import { builtinRulesDir } from "../src/engine/load-rules.js";
import { checkRuleDir, type RuleDiagnostic } from "../src/rules-check/check.js";
import { formatDiagnostic } from "../src/rules-check/format.js";

const result = checkRuleDir(builtinRulesDir());
const byRule = new Map<string, RuleDiagnostic[]>();
for (const d of result.diagnostics) if (d.ruleId !== undefined) byRule.set(d.ruleId, [...(byRule.get(d.ruleId) ?? []), d]);

describe("shipped rules", () => {
  it("load, with unique ids, and every file's rules are checked", () => {
    expect(result.diagnostics.filter((d) => d.ruleId === undefined || !result.rules.includes(d.ruleId)).map(formatDiagnostic)).toEqual([]);
    expect(result.files).toBeGreaterThan(100);
    expect(result.rules.length).toBeGreaterThan(900);
    expect(new Set(result.rules).size).toBe(result.rules.length);
    // Every rule has at least two examples and two negatives (else a `count` warning above), all of them run.
    expect(result.cases).toBeGreaterThanOrEqual(4 * result.rules.length);
  });

  for (const id of result.rules) {
    it(id, () => {
      expect((byRule.get(id) ?? []).map(formatDiagnostic)).toEqual([]);
    });
  }
});
