// Issue 18: the rule checker behind `keyscan rules test`, `keyscan rules check` and the all-rules test, shown
// failing. Each broken rule file below is written at test time; every diagnostic's line and column is compared with
// the place of the example or field in the file, found here by searching the text (not with the checker's parser).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { KeyscanError } from "../src/errors.js";
import { checkRuleDir, checkRuleFile, checkRulePaths, type RuleDiagnostic } from "../src/rules-check/check.js";
import { formatDiagnostic } from "../src/rules-check/format.js";
import { oneRuleHead, positionOf, secrets, tempDir } from "./helpers.js";

const t = tempDir("keyscan-rules-check-");
afterAll(() => t.cleanup());

/** A provider file with one rule: a `zorp_` format and an env usage, with the given examples and negatives. */
function ruleFile(examples: readonly string[], negatives: readonly string[], extra: readonly string[] = []): string {
  return [
    ...oneRuleHead("zorp", "zorp_[a-z0-9]{24}", extra),
    "    usages:",
    "      - env: [ZORP_TOKEN]",
    "    examples:",
    ...examples.map((e) => `      - ${e}`),
    "    negatives:",
    ...negatives.map((e) => `      - ${e}`),
    "",
  ].join("\n");
}

// Tokens of the made-up `zorp_` format, generated here so that no token-like literal sits in this file.
const gen = secrets("issue-18-rules-check");
const [Z1, Z2, Z3, Z4] = [1, 2, 3, 4].map(() => `zorp_${gen("{lowernum:24}")}`);
const GOOD_EXAMPLES = [`'x = ${Z1}'`, "text: 'ZORP_TOKEN={{secret}}'\n        secret: 'zorp_{lowernum:24}'"];
const GOOD_NEGATIVES = ["'x = zorp_short'", "'ZORP_TOKEN=${ZORP_TOKEN}'"];

function write(name: string, text: string): string {
  const path = join(t.dir, name);
  writeFileSync(path, text);
  return path;
}

/** `check` at the position of `needle` in `text`, as the checker should report it. */
function at(text: string, needle: string): { line: number; col: number } {
  const p = positionOf(text, needle);
  return { line: p.line, col: p.column };
}

const brief = (ds: readonly RuleDiagnostic[]) => ds.map((d) => ({ severity: d.severity, check: d.check, line: d.line, col: d.col, ruleId: d.ruleId }));

describe("the rule checker", () => {
  it("passes a correct rule file with no diagnostics", () => {
    const r = checkRuleFile(write("good.yaml", ruleFile(GOOD_EXAMPLES, GOOD_NEGATIVES)), { cwd: t.dir });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r).toMatchObject({ files: 1, rules: ["zorp.token"], cases: 4, failedCases: 0 });
  });

  it("reports a missed example at its line and column, with its text", () => {
    const text = ruleFile([...GOOD_EXAMPLES, "'x = zorp_TOOSHORT'"], GOOD_NEGATIVES);
    const r = checkRuleFile(write("missed.yaml", text), { cwd: t.dir });
    expect(brief(r.diagnostics)).toEqual([{ severity: "error", check: "example", ...at(text, "'x = zorp_TOOSHORT'"), ruleId: "zorp.token" }]);
    expect(r.diagnostics[0]).toMatchObject({ file: "missed.yaml", example: "x = zorp_TOOSHORT", message: "example 2 did not match" });
    expect(r.failedCases).toBe(1);
  });

  it("reports an example whose generated secret is not the one found", () => {
    // The env usage needs the format; `{lowernum:30}` is longer, so only its first 24 characters are a `zorp_` match.
    const text = ruleFile([GOOD_EXAMPLES[0]!, "text: 'ZORP_TOKEN=\"zorp_{{secret}}\"'\n        secret: '{lowernum:30}'"], GOOD_NEGATIVES);
    const r = checkRuleFile(write("other-secret.yaml", text), { cwd: t.dir });
    expect(brief(r.diagnostics)).toEqual([{ severity: "error", check: "example", ...at(text, "text: 'ZORP_TOKEN=\"zorp_"), ruleId: "zorp.token" }]);
    expect(r.diagnostics[0]!.message).toMatch(/^example 1 (did not match|matched a different secret)/);
    expect(r.diagnostics[0]).toMatchObject({ example: 'ZORP_TOKEN="zorp_{{secret}}"', secret: "{lowernum:30}" });
  });

  it("reports a negative that is found", () => {
    const text = ruleFile(GOOD_EXAMPLES, [...GOOD_NEGATIVES, `'y = ${Z4}'`]);
    const r = checkRuleFile(write("negative.yaml", text), { cwd: t.dir });
    expect(brief(r.diagnostics)).toEqual([{ severity: "error", check: "negative", ...at(text, `'y = ${Z4}'`), ruleId: "zorp.token" }]);
    expect(r.diagnostics[0]!.message).toMatch(/^negative 2 matched \(format\)/);
  });

  it("reports a matcher whose keywords occur in no example, at its usage", () => {
    const text = ruleFile([`'x = ${Z1}'`, `'y: ${Z2}'`], GOOD_NEGATIVES);
    const r = checkRuleFile(write("keywords.yaml", text), { cwd: t.dir });
    expect(brief(r.diagnostics)).toEqual([{ severity: "error", check: "keywords", ...at(text, "env: [ZORP_TOKEN]"), ruleId: "zorp.token" }]);
    expect(r.diagnostics[0]!.message).toContain("env:ZORP_TOKEN");
    expect(r.failedCases).toBe(0); // every example passed; the usage is simply untested
  });

  it("warns about one example, a match length past the slice overlap and a matcher without windows", () => {
    const one = [`'x = ${Z1} ZORP_TOKEN=${Z2}'`];
    const long = ruleFile(one, GOOD_NEGATIVES).replace("zorp_[a-z0-9]{24}'", "zorp_[a-z0-9]{24}[a-z]{0,70000}'");
    const r = checkRuleFile(write("long.yaml", long), { cwd: t.dir });
    expect(brief(r.diagnostics)).toEqual([
      { severity: "warning", check: "length", ...at(long, "[zorp_]"), ruleId: "zorp.token" },
      { severity: "warning", check: "length", ...at(long, "env: [ZORP_TOKEN]"), ruleId: "zorp.token" },
      { severity: "warning", check: "count", ...at(long, `- 'x = ${Z1}`), ruleId: "zorp.token" },
    ]);
    const loose = ruleFile([...one, `'${Z3}'`], GOOD_NEGATIVES).replace("zorp_[a-z0-9]{24}'", "zorp_[a-z0-9]{24}[a-z]*'");
    const r2 = checkRuleFile(write("loose.yaml", loose), { cwd: t.dir });
    expect(brief(r2.diagnostics)).toEqual([
      { severity: "warning", check: "windows", ...at(loose, "[zorp_]"), ruleId: "zorp.token" },
      { severity: "warning", check: "windows", ...at(loose, "env: [ZORP_TOKEN]"), ruleId: "zorp.token" },
    ]);
  });

  it("reports a schema error, a regex error and a duplicate id at their places, and checks the other files", () => {
    const dir = join(t.dir, "set");
    mkdirSync(dir);
    const schema = ruleFile(GOOD_EXAMPLES, GOOD_NEGATIVES).replace("severity: low", "severity: dire");
    const regex = ruleFile(GOOD_EXAMPLES, GOOD_NEGATIVES).replace(/zorp/g, "blip").replace("blip_[a-z0-9]{24}'", "blip_[a-z0-9{24}'");
    const good = ruleFile(GOOD_EXAMPLES, GOOD_NEGATIVES);
    const dup = ruleFile(GOOD_EXAMPLES, GOOD_NEGATIVES).replace("provider: zorp", "provider: zorp2").replace("name: Zorp\n", "name: Zorp two\n");
    writeFileSync(join(dir, "a-schema.yaml"), schema);
    writeFileSync(join(dir, "b-regex.yaml"), regex);
    writeFileSync(join(dir, "c-good.yaml"), good);
    writeFileSync(join(dir, "d-dup.yaml"), dup);
    const r = checkRuleDir(dir, { cwd: t.dir });
    expect(r.diagnostics.map((d) => ({ file: d.file, check: d.check, line: d.line, col: d.col }))).toEqual([
      { file: "set/a-schema.yaml", check: "load", ...at(schema, "dire") },
      { file: "set/d-dup.yaml", check: "duplicate", ...at(dup, "zorp.token") },
      { file: "set/b-regex.yaml", check: "load", ...at(regex, "id: blip.token") },
    ]);
    expect(r.diagnostics[0]!.message).toMatch(/field `rules\.0\.severity`/);
    expect(r.diagnostics[2]!.message).toMatch(/^rule blip\.token \(secret\.pattern\): the pattern is not a valid JavaScript regular expression/);
    expect(r.rules).toEqual(["zorp.token"]); // the good file was still checked
    expect(() => checkRulePaths([dir], { cwd: t.dir, onLoadError: "throw" })).toThrow(KeyscanError);
  });
});

describe("`keyscan rules check` and `keyscan rules test` print the checker's diagnostics", () => {
  const io = { cwd: t.dir, env: {} };

  it("check: exit 0 clean, 1 with an error (file:line:col: error: …), 2 without a path or with a missing one", async () => {
    const good = write("cli-good.yaml", ruleFile(GOOD_EXAMPLES, GOOD_NEGATIVES));
    const badText = ruleFile(GOOD_EXAMPLES, [...GOOD_NEGATIVES, `'y = ${Z4}'`]);
    write("cli-bad.yaml", badText);
    const ok = await run(["rules", "check", good], io);
    expect([ok.exitCode, ok.stdout]).toEqual([0, "1 rules, 4 examples and negatives: 4 passed, 0 failed\n"]);
    const bad = await run(["rules", "check", "cli-bad.yaml"], io);
    expect(bad.exitCode).toBe(1);
    const p = at(badText, `'y = ${Z4}'`);
    expect(bad.stdout.split("\n")[0]).toBe(`cli-bad.yaml:${p.line}:${p.col}: error: zorp.token: negative 2 matched (format) [negative]`);
    expect((await run(["rules", "check"], io)).exitCode).toBe(2);
    expect((await run(["rules", "check", "missing.yaml"], io)).exitCode).toBe(2);
  });

  it("check --json gives the same diagnostics as the checker; --strict fails on warnings", async () => {
    const text = ruleFile([`'x = ${Z1} ZORP_TOKEN=${Z2}'`], GOOD_NEGATIVES);
    write("cli-warn.yaml", text);
    const json = await run(["rules", "check", "cli-warn.yaml", "--json"], io);
    expect(json.exitCode).toBe(0);
    const out = JSON.parse(json.stdout) as { errors: number; warnings: number; diagnostics: RuleDiagnostic[] };
    expect(out.diagnostics).toEqual(checkRuleFile("cli-warn.yaml", { cwd: t.dir }).diagnostics);
    expect([out.errors, out.warnings]).toEqual([0, 1]);
    expect((await run(["rules", "check", "cli-warn.yaml", "--strict"], io)).exitCode).toBe(1);
  });

  it("test: the same diagnostics; a file that does not load stops it with exit 2", async () => {
    const text = ruleFile(GOOD_EXAMPLES, [...GOOD_NEGATIVES, `'y = ${Z4}'`]);
    write("cli-test.yaml", text);
    const r = await run(["rules", "test", "cli-test.yaml"], io);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe((await run(["rules", "check", "cli-test.yaml"], io)).stdout);
    write("cli-schema.yaml", ruleFile(GOOD_EXAMPLES, GOOD_NEGATIVES).replace("severity: low", "severity: dire"));
    const broken = await run(["rules", "test", "cli-schema.yaml"], io);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(/cli-schema\.yaml:7:15: field `rules\.0\.severity`/);
  });
});
