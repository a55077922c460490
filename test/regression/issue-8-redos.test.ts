// Issue 8, part 3: rule patterns are checked for catastrophic backtracking at load; matching never looks at
// unbounded windows: long texts are scanned in overlapping slices without losing matches at slice boundaries.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { analyseRegex } from "../../src/engine/regex/analyse.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { MAX_OVERLAP, NEAR_RADIUS, SLICE_SIZE } from "../../src/engine/limits.js";
import { scanText } from "../../src/engine/scan-text.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import { acmeRuleFile } from "../helpers.js";

const ruleset = loadRules();
const rand = seededRandom("issue-8-redos");

describe("ReDoS analysis", () => {
  it("flags the classic catastrophic shapes", () => {
    expect(analyseRegex("(a+)+$").risks.join()).toMatch(/nested quantifier/);
    expect(analyseRegex("^(\\w+\\s?)*$").risks.join()).toMatch(/nested quantifier/);
    expect(analyseRegex("(a|ab)*c").risks.join()).toMatch(/alternatives/);
    expect(analyseRegex("x\\s*\\s*y").risks.join()).toMatch(/quadratic/);
  });

  it("does not flag safe shapes (separated repeats, small bounded repeats, lazy bounded windows)", () => {
    for (const s of ["(?:[A-Za-z0-9]{1,24}_){0,3}KEY", "[^)]{0,400}?x", "(?<![A-Za-z0-9_])key-[A-Za-z0-9]{93,96}(?![A-Za-z0-9_])", "([a-z]+\\.)+com"]) {
      expect(analyseRegex(s).risks, s).toEqual([]);
    }
  });

  it("loading the shipped rules warns about nothing, and every matcher has a bounded match length", () => {
    expect(ruleset.warnings ?? []).toEqual([]);
    for (const m of ruleset.matchers) expect(m.maxMatchLength, `${m.rule.id} ${m.usage}`).toBeLessThanOrEqual(MAX_OVERLAP);
  });

  it("`keyscan rules test` stops with the file, line and rule id (an error since issue 19)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyscan-redos-"));
    writeFileSync(join(dir, "bad.yaml"), acmeRuleFile("acme_(?:[a-z0-9]+)+!", ["x = acme_abc123!"], ["acme"]));
    const res = await run(["rules", "test", join(dir, "bad.yaml")], { cwd: dir, env: {} });
    expect(res.stderr).toMatch(/bad\.yaml:\d+: rule acme\.token.*nested quantifier/);
    expect(res.exitCode).toBe(2);
  });
});

describe("bounded windows", () => {
  it("finds secrets at every offset around slice boundaries in a long single line, exactly once", () => {
    const filler = "a=1;".repeat(Math.ceil((SLICE_SIZE * 3) / 4)); // a 3 MiB minified line
    for (const delta of [-130, -100, -60, -3, 0, 1, 50, 300]) {
      const key = generateSecret("key-{alnum:96}", rand);
      const at = SLICE_SIZE + delta;
      const text = `${filler.slice(0, at)}"${key}"${filler.slice(at)}`;
      const found = scanText(text, ruleset).filter((f) => f.rule.id === "getimg.api-key");
      expect(found.map((f) => [f.secret, f.line, f.column]), `delta ${delta}`).toEqual([[key, 1, at + 2]]);
    }
  });

  it("finds a multi-line private key that straddles a slice boundary", () => {
    const body = Array.from({ length: 20 }, () => generateSecret("{base64:64}", rand)).join("\n");
    const pem = `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`;
    const pad = "x".repeat(SLICE_SIZE - 600);
    const found = scanText(`${pad}\n${pem}\n${pad}`, ruleset);
    expect(found.map((f) => [f.rule.id, f.secret])).toEqual([["private-key.pem", body]]);
  });

  it("near-word context is looked for within a bounded radius, even on one huge line", () => {
    const key = generateSecret("{uuid4hex}", rand);
    expect(scanText(`// claid\nconst k = "${key}";`, ruleset).map((f) => f.rule.id)).toEqual(["claid.api-key"]);
    const far = `claid ${" ".repeat(NEAR_RADIUS + 100)} const k = "${key}";`;
    expect(scanText(far, ruleset).map((f) => f.rule.id)).toEqual([]);
  });
});
