// One test runs every shipped rule's examples and negatives (the rule files carry their own test cases), and checks
// the rule-file conventions that keep the set maintainable.
import { describe, expect, it } from "vitest";
import { loadRules } from "../src/engine/load-rules.js";
import { checkCase, exampleCases } from "../src/engine/rule-examples.js";

const ruleset = loadRules();

describe("shipped rules", () => {
  it("load, with unique ids", () => {
    expect(ruleset.rules.length).toBeGreaterThan(0);
    const ids = ruleset.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  for (const rule of ruleset.rules) {
    describe(rule.id, () => {
      it("has at least two examples and two negatives", () => {
        expect(rule.examples.length).toBeGreaterThanOrEqual(2);
        expect(rule.negatives.length).toBeGreaterThanOrEqual(2);
      });
      for (const c of exampleCases(rule)) {
        it(`${c.kind} ${c.index}`, () => {
          expect(checkCase(c, ruleset)).toBeUndefined();
        });
      }
      it("every keyword of its matchers appears in some example", () => {
        const texts = exampleCases(rule)
          .filter((c) => c.kind === "example")
          .map((c) => c.text.toLowerCase());
        for (const m of ruleset.matchers.filter((mm) => mm.rule === rule)) {
          // A matcher is exercised when at least one of its keywords occurs in an example.
          if (m.keywords.length === 0) continue;
          expect(m.keywords.some((k) => texts.some((t) => t.includes(k))), `${m.usage} keywords ${m.keywords.join(",")}`).toBe(true);
        }
      });
    });
  }
});
