// The application rules bring the prefilter to thousands of keywords (env names expand into their -/_ spellings).
// With that many, selection must still find every keyword wherever it sits in the set, case-insensitively; a single
// V8 alternation of that size is also where irregexp stops optimising (see the speed branch's Aho-Corasick prefilter).
import { describe, expect, it } from "vitest";
import { buildPrefilter } from "../../src/engine/prefilter.js";
import type { Matcher } from "../../src/engine/rule.js";

function matcher(keyword: string): Matcher {
  return { usage: `kw:${keyword}`, keywords: [keyword], regex: /x/g, nearLines: 0, specificity: 0 } as unknown as Matcher;
}

describe("prefilter with thousands of keywords", () => {
  const keywords = Array.from({ length: 4000 }, (_, i) => `svc${i.toString(36)}_api_key_${(i * 7919).toString(36)}`);
  const matchers = keywords.map(matcher);
  const prefilter = buildPrefilter(matchers);

  it("selects the first, a middle and the last keyword, case-insensitively", () => {
    for (const i of [0, 1999, 3999]) {
      const text = `config:\n  ${keywords[i]!.toUpperCase()}: value\n`;
      const selected = prefilter.select(text);
      expect(selected.map((m) => m.usage)).toEqual([`kw:${keywords[i]}`]);
    }
  });

  it("selects every keyword present", () => {
    const picked = [5, 1234, 2500, 3990];
    const text = picked.map((i) => `${keywords[i]}=1`).join("\n");
    expect(prefilter.select(text).map((m) => m.usage).sort()).toEqual(picked.map((i) => `kw:${keywords[i]}`).sort());
  });

  it("selects nothing in unrelated text", () => {
    expect(prefilter.select("const answer = 42; // nothing to see here\n".repeat(1000))).toEqual([]);
  });
});
