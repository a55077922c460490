// Issue 16 (throughput): a matcher that wants a near word (a provider's host or name) can find nothing in a text
// where none of its near words occurs, so the prefilter no longer selects it there. These tests pin that the gate
// only ever skips matchers that could not have reported anything: selection with and without the near word, a near
// word after the keyword, the rule-set image round trip, and shipped rules found exactly as before.
import { describe, expect, it } from "vitest";
import { loadRules, scanText } from "../../src/index.js";
import { buildPrefilter, prefilterLayout } from "../../src/engine/prefilter.js";
import type { Matcher } from "../../src/engine/rule.js";

const bare = (usage: string, keywords: string[], near?: string[]): Matcher =>
  ({ usage, keywords, ...(near ? { near } : {}), regex: /x/g, nearLines: 2, specificity: 0 }) as unknown as Matcher;

describe("issue 16: near-word gate in the prefilter", () => {
  const gated = bare("gated", ["token"], ["api.example.com", "examplecorp"]);
  const open = bare("open", ["token"]);
  const own = bare("own-near", ["examplecorp"], ["examplecorp"]);
  const prefilter = buildPrefilter([gated, open, own]);
  const filler = "let x = 1;\n".repeat(300);

  it("does not select a matcher whose near words are all absent from the text", () => {
    expect(prefilter.selectAt(`${filler}TOKEN = "abc"\n${filler}`).matchers.map((m) => m.usage)).toEqual(["open"]);
    expect(prefilter.select(`${filler}TOKEN = "abc"\n`).map((m) => m.usage)).toEqual(["open"]);
  });

  it("selects it when any near word occurs anywhere, before or after the keyword, in any case", () => {
    for (const text of [`API.Example.COM\n${filler}token`, `token\n${filler}// ExampleCorp`, `examplecorp token`]) {
      expect(prefilter.selectAt(text).matchers.map((m) => m.usage).sort()).toEqual(["gated", "open", "own-near"].filter((u) => u !== "own-near" || /examplecorp/i.test(text)).sort());
      expect(prefilter.select(text).map((m) => m.usage)).toContain("gated");
    }
  });

  it("keeps selection order (first keyword occurrence) and selects each matcher once", () => {
    const text = `examplecorp token token examplecorp`;
    expect(prefilter.selectAt(text).matchers.map((m) => m.usage)).toEqual(["own-near", "gated", "open"]);
  });

  it("lays the gate out only where a near word is not already one of the matcher's keywords", () => {
    const layout = prefilterLayout([gated, open, own]);
    const gateOf = (i: number) => Array.from(layout.gateItems.subarray(layout.gateStarts[i]!, layout.gateStarts[i + 1]!), (id) => layout.keywords[id]);
    expect(gateOf(0).sort()).toEqual(["api.example.com", "examplecorp"]);
    expect(gateOf(1)).toEqual([]);
    expect(gateOf(2)).toEqual([]);
    // A near word becomes a keyword that selects nothing by itself.
    const id = layout.keywords.indexOf("api.example.com");
    expect(layout.starts[id + 1]! - layout.starts[id]!).toBe(0);
  });

  it("finds shipped usages with the host far away, and not without it, through the cached rule-set image too", () => {
    const key = `ck_${"a1B2c3D4e5".repeat(3)}x`;
    const withHost = `const BASE = "https://api.all-images.ai/v1";\n${"// filler line\n".repeat(40)}req.Header.Set("api-key", "${key}")\n`;
    for (const ruleset of [loadRules({ cacheDir: false }), loadRules()]) {
      const found = scanText(withHost, ruleset, { path: "client.go" }).filter((f) => f.secret === key);
      const without = scanText(withHost.replace("api.all-images.ai", "api.other.test"), ruleset, { path: "client.go" }).filter((f) => f.secret === key && f.rule.provider.id === "all-images");
      expect(without).toEqual([]);
      expect(found.map((f) => f.rule.provider.id)).toContain("all-images");
    }
  });
});
