// Issue 7 (pre-commit start-up): the compiled rule-set cache (issue 21: one binary image, read lazily) gives back exactly the rule set a cold compile makes
// (matchers, anchors, prefilter selections and windows, warnings, version), is really read on a warm start, misses
// when a rule file is edited, added or disabled, and is recomputed when damaged; the prefilter automaton restored
// from saved tables behaves as the built one; the hook's yargs-free argument parse equals yargs' own; only the chosen
// command is needed to parse and run. Timings are measured in bench/, never asserted here.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgv, hookArgs } from "../../src/cli/run.js";
import { COMMAND_ENTRIES } from "../../src/cli/commands/index.js";
import { loadRules, type LoadRulesOptions } from "../../src/engine/load-rules.js";
import { buildKeywordAutomaton, prefilterParts } from "../../src/engine/prefilter.js";
import { compiledSetKey, buildStamp } from "../../src/engine/rule-cache.js";
import { decodeRuleSetImage, encodeRuleSetImage, readRuleSetImage, writeRuleSetImage, type RuleSetImage } from "../../src/engine/rule-set-image.js";
import { exampleCases } from "../../src/engine/rule-examples.js";
import type { Matcher, RuleSet } from "../../src/engine/rule.js";
import { scanText } from "../../src/engine/scan-text.js";
import { FORMAT_NAMES } from "../../src/report/formats.js";
import { addedLines, LazyAddedLines } from "../../src/sources/added-lines.js";
import { formatNames } from "../../src/report/index.js";
import { ruleFolderFixture, tempDir } from "../helpers.js";

const root = resolve(__dirname, "../..");

/** Everything about a matcher but its Rule object's identity. */
function matcherShape(m: Matcher) {
  return {
    rule: m.rule.id,
    usage: m.usage,
    source: m.regex.source,
    flags: m.regex.flags,
    keywords: [...m.keywords],
    near: m.near ? [...m.near] : undefined,
    nearLines: m.nearLines,
    minEntropy: m.minEntropy,
    specificity: m.specificity,
    maxMatchLength: m.maxMatchLength,
    anchor: m.windows ? { keywords: [...m.windows.anchor.keywords], before: m.windows.anchor.before, after: m.windows.anchor.after } : undefined,
  };
}

/** Texts that hit many keywords: every rule's examples and negatives, one by one and all together. */
function sampleTexts(rs: RuleSet): string[] {
  const texts = rs.rules.flatMap((r) => exampleCases(r).map((c) => c.text));
  return [...texts.slice(0, 300), texts.join("\n"), "nothing to see here", ""];
}

/** What the prefilter says about a text, with matchers as indices (so two rule sets can be compared). */
function selections(rs: RuleSet, text: string) {
  const index = new Map(rs.matchers.map((m, i) => [m, i]));
  const sel = rs.prefilter.selectAt(text);
  const chosen = sel.matchers.map((m) => index.get(m)!).sort((a, b) => a - b);
  const windows = sel.matchers.map((m) => sel.startRanges([m], text.length) ?? null);
  return { chosen, windows, select: rs.prefilter.select(text).map((m) => index.get(m)!).sort((a, b) => a - b), bytes: rs.prefilter.mayMatchBytes(Buffer.from(text)) };
}

function expectSameRuleSet(warm: RuleSet, cold: RuleSet): void {
  expect(warm.version).toBe(cold.version);
  expect(warm.warnings).toEqual(cold.warnings);
  expect(warm.providers).toEqual(cold.providers);
  expect(warm.rules).toEqual(cold.rules);
  expect(warm.matchers.map(matcherShape)).toEqual(cold.matchers.map(matcherShape));
  // Each matcher points at its own rule set's Rule, the same one as in `rules`.
  const rules = new Set(warm.rules);
  expect(warm.matchers.every((m) => rules.has(m.rule))).toBe(true);
  expect(warm.prefilter.keywords).toEqual(cold.prefilter.keywords);
  expect(warm.source?.specs).toEqual(cold.source?.specs);
  expect(warm.source?.disable).toEqual(cold.source?.disable);
}

function compiledFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^rule-set-[0-9a-f]{24}\.bin$/.test(f));
}

/** Store `image` again under `name` with `edit` applied to its parts (issue 21: the image is one binary file). */
function rewrite(dir: string, name: string, image: RuleSetImage, edit: (parts: Parameters<typeof encodeRuleSetImage>[0]) => void): void {
  const { header } = image;
  const parts = {
    key: header.key,
    version: header.version,
    disable: header.disable,
    warnings: header.warnings,
    providers: Array.from({ length: image.providers.count }, (_, p) => ({ ...image.provider(p), file: image.providers.file(p), fromRepoConfig: image.providers.fromRepoConfig(p) })),
    layout: { ...image.layout },
    tables: { ...image.tables },
  };
  edit(parts);
  writeRuleSetImage(dir, name, encodeRuleSetImage(parts));
}

describe("issue 7: compiled rule-set cache (shipped rules)", () => {
  const t = tempDir("keyscan-issue7-startup-");
  afterAll(() => t.cleanup());
  const cacheDir = join(t.dir, "cache");
  let cold: RuleSet;
  let first: RuleSet;
  let warm: RuleSet;
  beforeAll(() => {
    cold = loadRules({ cacheDir: false });
    first = loadRules({ cacheDir });
    warm = loadRules({ cacheDir });
  });

  it("writes one compiled set, and a warm load equals a cold compile", () => {
    expect(compiledFiles(cacheDir)).toHaveLength(1);
    expectSameRuleSet(first, cold);
    expectSameRuleSet(warm, cold);
  });

  it("gives the same prefilter selections, anchor windows and findings as a cold compile", () => {
    for (const text of sampleTexts(cold)) expect(selections(warm, text)).toEqual(selections(cold, text));
    const all = cold.rules.flatMap((r) => exampleCases(r).map((c) => c.text)).join("\n");
    const strip = (fs: ReturnType<typeof scanText>) => fs.map((f) => [f.rule.id, f.usage, f.secret, f.line, f.column]);
    expect(strip(scanText(all, warm, { inlineAllow: false }))).toEqual(strip(scanText(all, cold, { inlineAllow: false })));
  });

  it("is really read on a warm start (a changed entry shows)", () => {
    const [file] = compiledFiles(cacheDir);
    const key = file!.slice("rule-set-".length, -".bin".length);
    const image = readRuleSetImage(cacheDir, key);
    expect(image).toBeDefined();
    const good = readFileSync(join(cacheDir, file!));
    rewrite(cacheDir, key, image!, (parts) => {
      const p = parts.providers.find((x) => x.plans && x.plans.length > 0)!;
      p.plans = p.plans!.map((plan, i) => (i === 0 ? { ...plan, specificity: 987 } : plan));
    });
    try {
      expect(loadRules({ cacheDir }).matchers.some((m) => m.specificity === 987)).toBe(true);
    } finally {
      writeFileSync(join(cacheDir, file!), good);
    }
    expect(loadRules({ cacheDir }).matchers.some((m) => m.specificity === 987)).toBe(false);
  });

  it("is recomputed when the file is damaged or its automaton tables do not fit together", () => {
    const [file] = compiledFiles(cacheDir);
    const path = join(cacheDir, file!);
    const key = file!.slice("rule-set-".length, -".bin".length);
    const good = readFileSync(path);
    writeFileSync(path, "not an image at all");
    expectSameRuleSet(loadRules({ cacheDir }), cold);
    expect(readRuleSetImage(cacheDir, key)).toBeDefined(); // rewritten
    // One flipped byte in the middle (the checksum sees it).
    const flipped = Buffer.from(good);
    flipped[flipped.length >> 1] ^= 0x55;
    expect(decodeRuleSetImage(new Uint8Array(flipped.buffer, flipped.byteOffset, flipped.length))).toBeUndefined();
    writeFileSync(path, flipped);
    expectSameRuleSet(loadRules({ cacheDir }), cold);
    // Tables that do not fit the keywords (a sound file otherwise).
    rewrite(cacheDir, key, readRuleSetImage(cacheDir, key)!, (parts) => {
      parts.tables = { ...parts.tables, order: parts.tables.order.subarray(1) };
    });
    const again = loadRules({ cacheDir });
    expectSameRuleSet(again, cold);
    for (const text of sampleTexts(cold).slice(-3)) expect(selections(again, text)).toEqual(selections(cold, text));
    writeFileSync(path, good);
  });

  it("is keyed by the full text of its inputs: a file under the right name made for other inputs is a miss", () => {
    const [file] = compiledFiles(cacheDir);
    const path = join(cacheDir, file!);
    const name = file!.slice("rule-set-".length, -".bin".length);
    const good = readFileSync(path);
    const image = readRuleSetImage(cacheDir, name)!;
    expect(readRuleSetImage(cacheDir, name, image.header.key)).toBeDefined();
    expect(readRuleSetImage(cacheDir, name, `${image.header.key}x`)).toBeUndefined();
    // What a checksum collision would leave there: another rule set's image (here: one matcher changed) and key.
    rewrite(cacheDir, name, image, (parts) => {
      parts.key = `${parts.key}\0other`;
      const p = parts.providers.find((x) => x.plans && x.plans.length > 0)!;
      p.plans = p.plans!.map((plan, i) => (i === 0 ? { ...plan, specificity: 987 } : plan));
    });
    const again = loadRules({ cacheDir });
    expect(again.matchers.some((m) => m.specificity === 987)).toBe(false);
    expectSameRuleSet(again, cold);
    expect(readFileSync(path).equals(good)).toBe(true); // made again and stored in its place
  });
});

describe("issue 20: the compiled-set key", () => {
  const input = (shown: string, key: string, fromRepoConfig = false) => ({ shown, key, fromRepoConfig });
  it("holds every input, field by field, and names its file by checksums of that text", () => {
    const a = compiledSetKey([input("rules/a.yaml", "stat:1:2:3:4:5"), input("rules/b.yaml", "stat:6:7:8:9:10")], []);
    expect(compiledSetKey([input("rules/a.yaml", "stat:1:2:3:4:5"), input("rules/b.yaml", "stat:6:7:8:9:10")], [])).toEqual(a);
    expect(a.name).toMatch(/^[0-9a-f]{24}$/);
    for (const other of [
      compiledSetKey([input("rules/a.yaml", "stat:1:2:3:4:5"), input("rules/b.yaml", "stat:6:7:8:9:11")], []),
      compiledSetKey([input("rules/a.yaml", "stat:1:2:3:4:5"), input("rules/b.yaml", "stat:6:7:8:9:10", true)], []),
      compiledSetKey([input("rules/b.yaml", "stat:6:7:8:9:10"), input("rules/a.yaml", "stat:1:2:3:4:5")], []),
      compiledSetKey([input("rules/a.yaml", "stat:1:2:3:4:5")], []),
      compiledSetKey([input("rules/a.yaml", "stat:1:2:3:4:5"), input("rules/b.yaml", "stat:6:7:8:9:10")], ["b.rule"]),
    ]) {
      expect(other.text).not.toBe(a.text);
      expect(other.name).not.toBe(a.name);
    }
    expect(a.text).toContain(buildStamp());
  });
});

describe("issue 7: compiled rule-set cache invalidation", () => {
  const { rulesDir, cacheDir } = ruleFolderFixture("keyscan-issue7-startup-edit-");
  const load = (extra: Partial<LoadRulesOptions> = {}) => loadRules({ builtin: false, extra: [{ path: rulesDir }], cacheDir, ...extra });

  it("misses when a rule file is edited, and hits again once it is back", () => {
    const path = join(rulesDir, "getimg.yaml");
    const before = readFileSync(path, "utf8");
    const original = load();
    expect(load().matchers.map(matcherShape)).toEqual(original.matchers.map(matcherShape));
    const edited = before.replace("name: getimg.ai API key", "name: getimg.ai API key (edited)");
    expect(edited).not.toBe(before);
    writeFileSync(path, edited);
    try {
      const rs = load();
      expect(rs.rules[0]!.name).toBe("getimg.ai API key (edited)");
      expect(rs.version).not.toBe(original.version);
      expectSameRuleSet(rs, load({ cacheDir: false }));
    } finally {
      writeFileSync(path, before);
    }
    expect(load().rules[0]!.name).toBe("getimg.ai API key");
    expectSameRuleSet(load(), original);
  });

  it("misses when a rule file is added, or a rule disabled", () => {
    const base = load();
    writeFileSync(join(rulesDir, "zz-extra.yaml"), readFileSync(join(root, "rules/getimg.yaml"), "utf8").replaceAll("getimg", "zzextra"));
    try {
      const more = load();
      expect(more.providers.map((p) => p.id)).toEqual(["getimg", "zzextra"]);
      expectSameRuleSet(more, load({ cacheDir: false }));
    } finally {
      rmSync(join(rulesDir, "zz-extra.yaml"));
    }
    const firstRule = base.rules[0]!.id;
    const disabled = load({ disable: [firstRule] });
    expect(disabled.rules.map((r) => r.id)).not.toContain(firstRule);
    expectSameRuleSet(disabled, load({ cacheDir: false, disable: [firstRule] }));
  });
});

describe("issue 7: prefilter automaton from saved tables", () => {
  it("finds exactly what the built automaton finds, and refuses tables for other keywords", () => {
    const rs = loadRules({ cacheDir: false });
    const keywords = rs.prefilter.keywords;
    const { tables: built } = prefilterParts(rs.prefilter)!;
    // As the image gives them (the trie only), and as a worker gets them (the dense table made by another thread).
    const { transitions: _transitions, ...stored } = built;
    const fresh = buildKeywordAutomaton(keywords);
    const restored = buildKeywordAutomaton(keywords, stored);
    const shared = buildKeywordAutomaton(keywords, { ...stored, transitions: fresh.dense() });
    expect(restored.states).toBe(fresh.states);
    for (const text of sampleTexts(rs)) {
      const a = fresh.findAll(text);
      const aStarts = [...a.starts.slice(0, a.count)];
      const aIds = [...a.ids.slice(0, a.count)];
      for (const other of [restored, shared]) {
        const b = other.findAll(text);
        expect([...b.starts.slice(0, b.count)]).toEqual(aStarts);
        expect([...b.ids.slice(0, b.count)]).toEqual(aIds);
        expect(other.find(text)).toEqual(fresh.find(text));
        expect(other.occursInBytes(Buffer.from(text))).toBe(fresh.occursInBytes(Buffer.from(text)));
      }
    }
    expect(() => buildKeywordAutomaton(keywords.slice(1), stored)).toThrow(/inconsistent/);
  });
});

describe("issue 7: CLI start-up", () => {
  it("parses the hook's and CI's common invocations without yargs exactly as yargs does", async () => {
    const scan = await COMMAND_ENTRIES.find((e) => e.name === "scan")!.load();
    const common = [
      ["--staged"],
      ["."],
      [],
      ["src", "test/x.ts", "123"],
      [".", "--format", "json"],
      ["--format=sarif", "-o", "out.sarif", "."],
      ["-f", "github", "--no-redact", "--threads", "2", "a"],
      ["--output=r.json", "--threads=3", "."],
      ["--staged", "--format", "json"],
      ["--format", "bogus"], // yargs accepts it too; `prepare` rejects it with the list of formats
    ];
    for (const argv of common) {
      const viaYargs = await parseArgv(argv);
      const fast = hookArgs(argv);
      expect(fast, argv.join(" ")).toBeDefined();
      expect(viaYargs.parseError).toBeUndefined();
      expect(viaYargs.parsed, argv.join(" ")).toStrictEqual(fast!.parsed);
      expect(viaYargs.command).toBe(scan);
    }
    // Everything else is yargs' to parse (and to reject with its own messages).
    const others = [["history"], ["help"], ["--help"], ["--verify"], ["-o"], ["--format"], ["--threads", "abc"], ["--threads", "0"], ["--", "x"], ["-o", "--no-redact"], [""], ["rules", "list"], [".", "scan"], ["--rules", "extra", "."]];
    for (const argv of others) expect(hookArgs(argv), argv.join(" ")).toBeUndefined();
  });

  it("dispatches to the command yargs chooses even when the first argument does not name it", async () => {
    const r = await parseArgv(["--format", "json", "history", "--all-refs"]);
    expect(r.parseError).toBeUndefined();
    const history = await COMMAND_ENTRIES.find((e) => e.name === "history")!.load();
    expect(r.command).toBe(history);
    expect(r.parsed?.["all-refs"]).toBe(true);
  });

  it("takes each command's command string and description from its catalogue entry", async () => {
    for (const e of COMMAND_ENTRIES) {
      const c = await e.load();
      expect([c.command, c.describe]).toEqual([e.command, e.describe]);
    }
    expect([...FORMAT_NAMES]).toEqual(formatNames());
  });
});

describe("issue 7: staged lines worked out on use", () => {
  it("answers as addedLines does", () => {
    const now = "a\nb\r\nc\rd\nnew line\n";
    const before = ["a\nc\n", "d\nb"];
    for (const previous of [before, []]) {
      const lazy = new LazyAddedLines(now, previous);
      const eager = addedLines(now, previous);
      for (let line = 0; line <= 8; line++) expect(lazy.has(line)).toBe(eager.has(line));
      expect(lazy.size).toBe(eager.size);
      expect([...lazy]).toEqual([...eager]);
      expect(new Set(lazy)).toEqual(eager);
    }
  });
});
