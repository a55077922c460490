// Issue 16 (throughput): three ways the bigger catalogue stopped costing time, each sound by construction — an
// exact keyword spelling proved from the pattern, `secret.requires` words proved from the pattern, and a source map's
// VLQ `mappings` never read. These tests pin what each may skip and what it must still find.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRules, scanText } from "../../src/index.js";
import { inlineMapPayload, looksLikeSourceMap, mappingsRange } from "../../src/engine/source-map.js";
import { buildKeywordAutomaton } from "../../src/engine/keyword-automaton.js";
import { oneRuleHead, secrets, tempDir, writeTree } from "./../helpers.js";

function ruleset(files: Record<string, string>) {
  const t = tempDir("keyscan-16-");
  writeTree(t.dir, files);
  try {
    return loadRules({ builtin: false, extra: [{ path: t.dir }], cacheDir: false });
  } finally {
    t.cleanup();
  }
}

const hex = (n: number) => secrets("issue-16-throughput")(`{hex:${n}}`);
/** A rule file's tail: one obviously fake example and one negative (loading needs them; these tests do not run them). */
const TAIL = ["    examples: ['0123456789abcdef0123456789abcdef']", "    negatives: ['none']"];

describe("issue 16: exact keyword spellings", () => {
  const rs = ruleset({
    "zap.yaml": [...oneRuleHead("zap", "ZK[0-9a-f]{32}"), ...TAIL].join("\n").replace("keywords: [zap_]", "keywords: [zk]"),
    "zop.yaml": [...oneRuleHead("zop", "[zZ][kK]q[0-9a-f]{32}"), ...TAIL].join("\n").replace("keywords: [zop_]", "keywords: [zk]"),
  });
  const zap = rs.matchers.find((m) => m.rule.id === "zap.token")!;
  const zop = rs.matchers.find((m) => m.rule.id === "zop.token")!;

  it("takes the spelling from the pattern only where every match holds it letter for letter", () => {
    expect(zap.exact).toEqual(["ZK"]);
    expect(zop.exact).toBeUndefined(); // [zZ][kK]: any case
  });

  it("a keyword shared with a matcher that takes any case stays case-insensitive, and both still find their keys", () => {
    const text = `a = "ZK${hex(32)}"\nb = "zKq${hex(32)}"\n`;
    expect(scanText(text, rs).map((f) => f.rule.id)).toEqual(["zap.token", "zop.token"]);
  });

  it("an occurrence in another case selects nothing when every matcher spells the keyword exactly", () => {
    const only = ruleset({ "zap.yaml": [...oneRuleHead("zap", "ZK[0-9a-f]{32}"), ...TAIL].join("\n").replace("keywords: [zap_]", "keywords: [zk]") });
    expect(only.prefilter.select("const task_zk = disk; // zk ZK").map((m) => m.rule.id)).toEqual(["zap.token"]);
    expect(only.prefilter.select("const task_zk = disk; // zk zK Zk").map((m) => m.rule.id)).toEqual([]);
    expect(scanText(`key: ZK${hex(32)}`, only).map((f) => f.rule.id)).toEqual(["zap.token"]);
  });

  it("shipped formats with a case-sensitive prefix get their spelling (eyJ, SK, SCW, EAA)", () => {
    const shipped = loadRules({ cacheDir: false });
    const spelled = (id: string) => shipped.matchers.find((m) => m.rule.id === id && m.usage === "format")?.exact;
    expect(spelled("jwt.token")).toEqual(["eyJ"]);
    expect(spelled("twilio.api-key")).toEqual(["SK"]);
    expect(spelled("scaleway.access-key")).toEqual(["SCW"]);
    expect(spelled("facebook.access-token")).toEqual(["EAA"]);
  });
});

describe("issue 16: letters-only near words count as words in the prefilter too", () => {
  const near = (provider: string, pattern: string) =>
    [...oneRuleHead(provider, pattern), ...TAIL].join("\n").replace(`keywords: [${provider}_]`, "keywords: []").replace("standalone: true", "standalone: { near: [zoop], within_lines: 2 }");

  it("skips an occurrence inside a longer word, and still finds the key next to the word itself", () => {
    const rs = ruleset({ "zoop.yaml": near("zoop", "[0-9a-f]{6}-[0-9a-f]{40}") });
    const key = `${hex(6)}-${hex(40)}`;
    expect(rs.prefilter.select(`zoopy = "${key}"`)).toEqual([]);
    expect(scanText(`zoopy = "${key}"`, rs)).toEqual([]);
    expect(scanText(`zoop = "${key}"`, rs).map((f) => f.secret)).toEqual([key]);
    expect(scanText(`ZoopKey = "${key}"`, rs).map((f) => f.secret)).toEqual([key]);
  });

  it("a near word that a pattern spells (its windows start from it) is not narrowed", () => {
    const rs = ruleset({ "zoop.yaml": near("zoop", "zoop[a-z]{4}[0-9a-f]{32}") });
    const key = `zoopabcd${hex(32)}`;
    expect(scanText(`x = "${key}" // zoop`, rs).map((f) => f.secret)).toEqual([key]);
  });
});

describe("issue 16: secret.requires", () => {
  const head = (requires: string) => [...oneRuleHead("zed", "<zed_key>(?<secret>[0-9a-f]{32})</zed_key>", [`      requires: ['${requires}']`]), ...TAIL].join("\n");

  it("gates the format on one of the words occurring in the text", () => {
    const rs = ruleset({ "zed.yaml": head("</") });
    expect(rs.matchers[0]!.requires).toEqual(["</"]);
    const key = hex(32);
    expect(scanText(`<zed_key>${key}</zed_key>`, rs).map((f) => f.secret)).toEqual([key]);
    expect(rs.prefilter.select("zed_key = 1")).toEqual([]);
    expect(rs.prefilter.select("zed_key = 1 </x>").length).toBe(1);
  });

  it("is a rule error when the pattern does not prove that every match holds one of the words", () => {
    expect(() => ruleset({ "zed.yaml": head("<!--") })).toThrow(/secret\.requires.*every match/);
  });

  it("the shipped cli flag and element forms run in windows around rare keywords, and every keyword-selected matcher is windowed", () => {
    const shipped = loadRules({ cacheDir: false });
    const flag = shipped.matchers.find((m) => m.rule.id === "generic.cli-secret-flag")!;
    expect(flag.keywords.every((k) => k.startsWith("--"))).toBe(true);
    expect(flag.windows?.anchor).toBeDefined();
    expect(shipped.matchers.find((m) => m.rule.id === "generic.secret-element")!.requires).toEqual(["</"]);
    expect(shipped.matchers.filter((m) => m.keywords.length > 0 && !m.windows).map((m) => `${m.rule.id} ${m.usage}`)).toEqual([]);
  });
});

describe("issue 16: a source map's VLQ mappings are not read", () => {
  const rs = loadRules({ cacheDir: false });
  const map = (mappings: string, source: string) => JSON.stringify({ version: 3, file: "x.js", sources: ["x.ts"], sourcesContent: [source], names: [], mappings });

  it("finds the range only for a source map whose mappings are VLQ throughout", () => {
    const text = map("AAAA,SAASA;EACA,IAAI", "let a = 1;");
    expect(looksLikeSourceMap(text)).toBe(true);
    const r = mappingsRange(text)!;
    expect(text.slice(r[0], r[1])).toBe("AAAA,SAASA;EACA,IAAI");
    expect(mappingsRange(map(`AAAA,${"B".repeat(80)}`, ""))).toBeUndefined(); // a long unseparated run: not VLQ
    expect(mappingsRange(map("AAAA, x=1", ""))).toBeUndefined();
    expect(looksLikeSourceMap(`const m = ${map("AAAA", "")}`)).toBe(false);
  });

  it("reports nothing that VLQ digits happen to spell inside mappings (they were a false finding before)", () => {
    const lookalike = `SK${hex(32)}`; // a Twilio API key's shape, all of it base64 digits
    expect(scanText(`sid = "${lookalike}"`, rs).map((f) => f.rule.id)).toContain("twilio.api-key");
    const text = map(`AAAA,${lookalike},AACA;AAAA`, "let a = 1;");
    expect(scanText(text, rs, { path: "dist/x.js.map" })).toEqual([]);
    expect(rs.prefilter.selectAt(text, mappingsRange(text)).matchers.map((m) => m.rule.id)).not.toContain("twilio.api-key");
  });

  it("still finds a key in the map's sources, and in a mappings value that is not VLQ, at exact positions", () => {
    const secret = secrets("issue-16-map")("{alnum:32}");
    const text = map("AAAA,SAASA;EACA", `const token = "${secret}";`);
    const found = scanText(text, rs, { path: "dist/x.js.map" }).filter((f) => f.secret === secret);
    expect(found.map((f) => [f.rule.id, f.start])).toEqual([["generic.secret-assignment", text.indexOf(secret)]]);
    const odd = map(`AAAA,token=${secret}`, "");
    expect(scanText(odd, rs).some((f) => f.secret === secret)).toBe(true);
  });

  it("an inline map's base64 payload is not searched for keywords, yet a key in its sources is found through decoding", () => {
    const secret = secrets("issue-16-inline")("{alnum:32}");
    const payload = Buffer.from(map("AAAA,SAASA", `const token = "${secret}";`)).toString("base64");
    const mark = ["//", "# sourceMappingURL=data:application/json;"].join(""); // split: vitest reads such comments in test files
    const text = `export const x = 1;\n${mark}charset=utf-8;base64,${payload}\n`;
    const range = inlineMapPayload(text)!;
    expect(text.slice(range[0], range[1])).toBe(payload);
    expect(inlineMapPayload(`let a = 1;\n${mark.replace("data:application/json;", "x.js.map")}\n`)).toBeUndefined();
    expect(inlineMapPayload(`${mark}base64,${payload}!`)).toBeUndefined();
    const found = scanText(text, rs, { path: "dist/x.mjs" }).filter((f) => f.secret === secret);
    expect(found.map((f) => [f.rule.id, f.decoded, f.start])).toEqual([["generic.secret-assignment", ["base64"], range[0]]]);
    const lookalike = `${text.slice(0, range[0])}QUFB${"SK".concat(hex(32))}QUFB\n`;
    expect(rs.prefilter.selectAt(lookalike, inlineMapPayload(lookalike)).matchers.map((m) => m.rule.id)).not.toContain("twilio.api-key");
  });

  it("the keyword walk with a skipped stretch finds what it finds with the stretch blanked, dense table or trie", () => {
    const keywords = ["key", "api_key", "secret", "x-api-key", "tok", "token", "ab", "abcdefghij"];
    const pieces = [...keywords, "K", "e", "y", "_", "-", " ", "x", "TOKEN", "Api_Key"];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (const dense of [false, true]) {
      const automaton = buildKeywordAutomaton(keywords, undefined, 2); // shallow rows: the deep walk is exercised too
      if (dense) automaton.dense();
      for (let round = 0; round < 300; round++) {
        let text = "";
        while (text.length < 200) text += pieces[rand(pieces.length)];
        const from = rand(text.length);
        const to = from + rand(text.length - from + 1); // empty stretches included
        const blanked = text.slice(0, from) + "\u0001".repeat(to - from) + text.slice(to);
        const pairs = (r: { count: number; starts: Int32Array; ids: Int32Array }) => Array.from({ length: r.count }, (_, h) => `${r.starts[h]}:${r.ids[h]}`);
        const expected = pairs(automaton.findAll(blanked));
        expect(pairs(automaton.findAll(text, [from, to])), `${dense} ${JSON.stringify(text)} ${from}-${to}`).toEqual(expected);
      }
    }
  });
});
