// The application rules bring the prefilter to thousands of keywords (env names expand into their -/_ spellings).
// With that many, selection must still find every keyword wherever it sits in the set, case-insensitively; a single
// V8 alternation of that size is also where irregexp stops optimising (see the speed branch's Aho-Corasick prefilter).
import { describe, expect, it } from "vitest";
import { buildPrefilter, idFinder, prefilterLayout } from "../../src/engine/prefilter.js";
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

  it("numbers keywords for the anchor windows by binary search in the layout's order (issue 20), every one found", () => {
    const mixed = [...keywords, "key", "KEY_ID", "api-key", "x-api-key", "é-token", "tok", "a", "zz"].map(matcher);
    const layout = prefilterLayout(mixed);
    const ids = idFinder(layout);
    layout.keywords.forEach((k, id) => expect(ids.get(k)).toBe(id));
    for (const absent of ["", "svc", "zzz", "api_key", "key_id2", "b"]) expect(ids.get(absent)).toBeUndefined();
  });

  it("selects nothing in unrelated text", () => {
    expect(prefilter.select("const answer = 42; // nothing to see here\n".repeat(1000))).toEqual([]);
  });
});

describe("issue 7: start windows per keyword", () => {
  const anchored = (keywords: string[], before: number, after: number, leads?: number[]): Matcher =>
    ({ usage: "anchored", keywords, regex: /x/g, nearLines: 0, specificity: 0, maxMatchLength: 40, windows: { anchor: { keywords, before, after, ...(leads ? { leads } : {}) } } }) as unknown as Matcher;
  const filler = "z".repeat(2000);

  it("bounds each keyword's windows by its own lead, merged in text order", () => {
    const m = anchored(["key", "secret"], 9, 0, [0, 9]);
    const text = `${filler}key${filler}consumer_secret${filler}key`;
    const sel = buildPrefilter([m]).selectAt(text);
    const secretAt = text.indexOf("secret");
    expect(sel.startRanges([m], text.length)).toEqual([2000, 2000, secretAt - 9, secretAt, text.length - 3, text.length - 3]);
  });

  it("gives no window when none of the anchor keywords occurs (every match holds one)", () => {
    const m = anchored(["key"], 0, 0);
    const other = { ...anchored(["token"], 0, 0), usage: "other" } as Matcher;
    const sel = buildPrefilter([m, other]).selectAt(`${filler}token${filler}`);
    expect(sel.startRanges([m], 4005)).toEqual([]);
    expect(sel.startRanges([other], 4005)).toEqual([2000, 2000]);
  });

  it("answers 'whole text' for a selection whose scratch space a later call reused", () => {
    const m = anchored(["key"], 0, 0);
    const prefilter = buildPrefilter([m]);
    const first = prefilter.selectAt(`${filler}key${filler}`);
    expect(first.startRanges([m], 4003)).toEqual([2000, 2000]);
    prefilter.selectAt("key");
    expect(first.startRanges([m], 4003)).toBeUndefined();
  });
});
