// Issue 21 (rule count that costs nothing): a rule set restored from its image makes a provider's rules and matchers
// only when one of its keywords occurs, and finds exactly what a cold compile finds for every shipped rule's
// examples; the keyword automaton's trie (what the image stores) and its dense table report the same occurrences;
// shipped rule files are keyed by their stat, which any write changes. Timings are measured in bench/, never here.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildKeywordAutomaton, DENSE_AFTER, SHALLOW_DEPTH } from "../../src/engine/keyword-automaton.js";
import { ruleLookup, ruleSetFromImage } from "../../src/engine/lazy-rule-set.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { prefilterParts } from "../../src/engine/prefilter.js";
import { fileStatKey } from "../../src/engine/rule-cache.js";
import { exampleCases } from "../../src/engine/rule-examples.js";
import type { RuleSetImage } from "../../src/engine/rule-set-image.js";
import type { RuleSet } from "../../src/engine/rule.js";
import { scanText } from "../../src/engine/scan-text.js";
import { shippedImageFixture, tempDir } from "../helpers.js";

const strip = (fs: ReturnType<typeof scanText>) => fs.map((f) => [f.rule.id, f.usage, f.secret, f.line, f.column, f.confidence]);

describe("issue 21: lazy rule set from its image", () => {
  const shipped = shippedImageFixture("keyscan-issue21-lazy-");
  let cold: RuleSet;
  let image: RuleSetImage;
  beforeAll(() => ({ cold, image } = shipped));

  /** The image with a record of which providers were read out of it. */
  function watched(): { image: RuleSetImage; made: Set<number> } {
    const made = new Set<number>();
    return { image: { ...image, provider: (p) => (made.add(p), image.provider(p)) }, made };
  }

  it("scans without making the list of keywords or reading every provider's names (format 6)", () => {
    // The layout as stored, with its keyword list watched: the prefilter needs the keywords' lengths, and an anchored
    // matcher's window finder looks its keywords up one at a time (keywordAt).
    let listed = 0;
    const layout = Object.create(Object.getPrototypeOf(image.layout), Object.getOwnPropertyDescriptors(image.layout)) as RuleSetImage["layout"];
    Object.defineProperty(layout, "keywords", { get: () => (listed++, image.layout.keywords) });
    let named = 0;
    const providers = { ...image.providers, ruleIds: (p: number) => (named++, image.providers.ruleIds(p)) };
    const lazy = ruleSetFromImage({ ...image, layout, providers });
    const github = cold.rules.find((r) => r.id.startsWith("github.") && r.examples.length > 0)!;
    const text = exampleCases(github)[0]!.text;
    const found = strip(scanText(text, lazy, { inlineAllow: false }));
    expect(found).toEqual(strip(scanText(text, cold, { inlineAllow: false })));
    expect(found.length).toBeGreaterThan(0);
    expect(listed).toBe(0);
    expect(named).toBe(0);
    expect(ruleLookup(lazy).count).toBe(cold.rules.length);
    expect(named).toBe(0); // the count is the files' rule counts
    // The keywords, when asked for, are the cold compile's, one by one and as a list.
    expect(Array.from({ length: image.layout.keywordLengths.length }, (_, id) => image.layout.keywordAt(id))).toEqual(cold.prefilter.keywords);
    expect(lazy.prefilter.keywords).toEqual(cold.prefilter.keywords);
    expect(listed).toBe(1);
  });

  it("makes only the providers whose keywords occur", () => {
    const { image: w, made } = watched();
    const lazy = ruleSetFromImage(w);
    const providers = image.providers.count;
    const atStart = made.size; // keyword-less (always-run and path-gated) matchers' providers
    expect(atStart).toBeLessThan(providers / 10);
    expect(scanText("nothing here but words and numbers 12345\n", lazy, { inlineAllow: false })).toEqual([]);
    expect(made.size).toBe(atStart);
    const github = cold.rules.find((r) => r.id.startsWith("github.") && r.examples.length > 0)!;
    const text = exampleCases(github)[0]!.text;
    expect(strip(scanText(text, lazy, { inlineAllow: false }))).toEqual(strip(scanText(text, cold, { inlineAllow: false })));
    expect(made.size).toBeGreaterThan(atStart);
    expect(made.size).toBeLessThan(providers / 4);
    // A count and look-ups by id need no more than the provider asked about.
    const before = made.size;
    const lookup = ruleLookup(lazy);
    expect(lookup.count).toBe(cold.rules.length);
    expect(lookup.get(github.id)?.id).toBe(github.id);
    expect(made.size).toBe(before);
  });

  it("finds exactly what a cold compile finds, for every shipped rule's examples and negatives", () => {
    const lazy = ruleSetFromImage(image);
    let cases = 0;
    for (const rule of cold.rules) {
      for (const c of exampleCases(rule)) {
        cases++;
        expect(strip(scanText(c.text, lazy, { inlineAllow: false, ...(c.path ? { path: c.path } : {}) })), `${rule.id}: ${c.text.slice(0, 60)}`).toEqual(
          strip(scanText(c.text, cold, { inlineAllow: false, ...(c.path ? { path: c.path } : {}) })),
        );
      }
    }
    expect(cases).toBeGreaterThan(1000);
  });

  it("has, in full, the same providers, rules and matchers as a cold compile, and look-ups agree", () => {
    const lazy = ruleSetFromImage(image);
    expect(lazy.version).toBe(cold.version);
    expect(lazy.providers).toEqual(cold.providers);
    expect(lazy.rules).toEqual(cold.rules);
    expect(lazy.matchers.map((m) => [m.rule.id, m.usage, m.regex.source, m.regex.flags, m.keywords, m.specificity, m.windows?.anchor])).toEqual(
      cold.matchers.map((m) => [m.rule.id, m.usage, m.regex.source, m.regex.flags, m.keywords, m.specificity, m.windows?.anchor]),
    );
    const rules = new Set(lazy.rules);
    expect(lazy.matchers.every((m) => rules.has(m.rule))).toBe(true);
    const lookup = ruleLookup(lazy);
    lazy.rules.forEach((r, i) => {
      expect(lookup.get(r.id)).toBe(r);
      expect(lookup.order(r.id)).toBe(i);
    });
    expect(lookup.get("no-such.rule")).toBeUndefined();
    expect(lazy.source?.specs).toEqual(cold.source?.specs);
  });

  it("leaves disabled rules and providers out, as a cold compile does", () => {
    const some = cold.rules.find((r) => r.provider.id !== cold.rules[0]!.provider.id)!;
    const disable = [cold.rules[0]!.provider.id, some.id];
    const dir = join(dirname(shipped.cacheDir), "cache-disabled");
    loadRules({ cacheDir: dir, disable });
    const warm = loadRules({ cacheDir: dir, disable });
    const coldDisabled = loadRules({ cacheDir: false, disable });
    expect(ruleLookup(warm).count).toBe(coldDisabled.rules.length);
    expect(ruleLookup(warm).get(some.id)).toBeUndefined();
    expect(warm.rules.map((r) => r.id)).toEqual(coldDisabled.rules.map((r) => r.id));
    warm.rules.forEach((r, i) => expect(ruleLookup(warm).order(r.id)).toBe(i));
    expect(warm.matchers.map((m) => [m.rule.id, m.usage])).toEqual(coldDisabled.matchers.map((m) => [m.rule.id, m.usage]));
    expect(warm.providers.map((p) => p.id)).toEqual(coldDisabled.providers.map((p) => p.id));
  });
});

describe("issue 21: keyword automaton, trie and dense table", () => {
  it("report the same occurrences, before and after an automaton switches to the dense table", () => {
    const rs = loadRules({ cacheDir: false });
    const keywords = rs.prefilter.keywords;
    const { transitions: _dense, ...trie } = prefilterParts(rs.prefilter)!.tables;
    const dense = buildKeywordAutomaton(keywords);
    dense.dense();
    const shallow = buildKeywordAutomaton(keywords, { ...trie }, 2); // most of the walk on the trie
    shallow.dense();
    // Text dense with keywords: every example, and runs of keyword fragments glued together.
    const examples = rs.rules.flatMap((r) => exampleCases(r).map((c) => c.text));
    const fragments = keywords.filter((_, i) => i % 7 === 0).map((k, i) => (i % 3 === 0 ? k.toUpperCase() : k.slice(0, Math.max(1, k.length - (i % 4)))));
    const texts = [...examples.slice(0, 400), fragments.join(""), fragments.join(" "), `${examples.join("\n")}\u{1F600}é`];
    const occurrences = (a: ReturnType<typeof buildKeywordAutomaton>, text: string) => {
      const r = a.findAll(text);
      return [[...r.starts.slice(0, r.count)], [...r.ids.slice(0, r.count)]];
    };
    let compared = 0;
    for (const text of texts) {
      const sparse = buildKeywordAutomaton(keywords, trie); // a fresh one: still on the trie
      expect(sparse.tables.transitions).toBeUndefined();
      const want = occurrences(dense, text);
      expect(occurrences(sparse, text)).toEqual(want);
      expect(occurrences(shallow, text)).toEqual(want);
      expect(shallow.occursInBytes(Buffer.from(text))).toBe(dense.occursInBytes(Buffer.from(text)));
      expect(sparse.occursInBytes(Buffer.from(text))).toBe(dense.occursInBytes(Buffer.from(text)));
      compared += want[0]!.length;
    }
    expect(compared).toBeGreaterThan(5000);
    // One automaton fed more than DENSE_AFTER characters makes its dense table on the way and answers the same.
    const switching = buildKeywordAutomaton(keywords, trie);
    const big = texts[texts.length - 1]!;
    let fed = 0;
    while (fed <= DENSE_AFTER + big.length) {
      expect(occurrences(switching, big)).toEqual(occurrences(dense, big));
      fed += big.length;
    }
    expect(switching.tables.transitions).toBeDefined();
    expect(occurrences(switching, big)).toEqual(occurrences(dense, big));
  });
});

describe("issue 21: keyword automaton against a naive search", () => {
  it("finds every occurrence, overlapping and contained ones included, with the trie and with the dense table", () => {
    let seed = 21;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const pick = (n: number, alphabet: string) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
    let total = 0;
    for (let round = 0; round < 60; round++) {
      const keywords = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 200) }, () => pick(1 + Math.floor(rand() * 7), "ab-_c")))];
      const { transitions: _t, ...trie } = buildKeywordAutomaton(keywords).tables;
      // Dense rows for states up to a depth (deeper ones walked on the trie): the default, and shallow ones that make
      // the walk leave and re-enter the table all the time.
      const denses = [SHALLOW_DEPTH, 1, 2].map((depth) => {
        const a = buildKeywordAutomaton(keywords, { ...trie }, depth);
        a.dense();
        return a;
      });
      for (let j = 0; j < 8; j++) {
        const text = pick(Math.floor(rand() * 300), "aAbB-_cC x\n");
        const lower = text.toLowerCase();
        const expected: string[] = [];
        keywords.forEach((k, id) => {
          for (let at = lower.indexOf(k); at >= 0; at = lower.indexOf(k, at + 1)) expected.push(`${at}:${id}`);
        });
        expected.sort();
        for (const a of [buildKeywordAutomaton(keywords, { ...trie }), ...denses]) {
          const r = a.findAll(text);
          const got = Array.from({ length: r.count }, (_, h) => `${r.starts[h]}:${r.ids[h]}`);
          // In text order (by where each occurrence ends), and exactly the naive set.
          const ends = Array.from({ length: r.count }, (_, h) => r.starts[h]! + keywords[r.ids[h]!]!.length);
          expect(ends).toEqual([...ends].sort((x, y) => x - y));
          expect(got.sort()).toEqual(expected);
          expect(a.occursInBytes(Buffer.from(text))).toBe(expected.length > 0);
          total += got.length;
        }
      }
    }
    expect(total).toBeGreaterThan(10_000);
  });
});

describe("issue 21: shipped rule files keyed by their stat", () => {
  it("changes with any write, even one that keeps the size", () => {
    const t = tempDir("keyscan-issue21-stat-");
    try {
      const file = join(t.dir, "rule.yaml");
      writeFileSync(file, "provider: a\n");
      const before = fileStatKey(statSync(file));
      expect(fileStatKey(statSync(file))).toBe(before);
      writeFileSync(file, "provider: b\n");
      expect(readFileSync(file, "utf8")).toHaveLength("provider: a\n".length);
      expect(fileStatKey(statSync(file))).not.toBe(before);
    } finally {
      t.cleanup();
    }
  });
});
