// Issue 16 (breadth): the catalogue may only grow. `keyscan rules list --format json` must list at least 700 rules
// from at least 450 providers, 350 of which verify; every rule carries at least two examples and two negatives
// (the all-rules test runs them). Also the two engine changes the new rules needed: near words made of letters
// match as words, and keys written as dash-separated groups are not taken for kebab-case identifiers.
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { isPlaceholder } from "../../src/engine/filters/placeholder.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { scanText } from "../../src/engine/scan-text.js";
import { acmeRuleFile, secrets } from "../helpers.js";

const gen = secrets("issue-16");

describe("issue 16: the catalogue", () => {
  it("lists at least 700 rules from 450 providers, 350 of them verifying", async () => {
    const out = await run(["rules", "list", "--format", "json"], { cwd: process.cwd(), env: {} });
    expect(out.exitCode).toBe(0);
    const rules = (JSON.parse(out.stdout) as { rules: { id: string; provider: string; verifies: boolean }[] }).rules;
    expect(rules.length).toBeGreaterThanOrEqual(700);
    expect(new Set(rules.map((r) => r.provider)).size).toBeGreaterThanOrEqual(450);
    expect(rules.filter((r) => r.verifies).length).toBeGreaterThanOrEqual(350);
  });

  it("every shipped rule has at least two examples and two negatives", () => {
    const ruleset = loadRules();
    for (const r of ruleset.rules) {
      expect(r.examples.length, r.id).toBeGreaterThanOrEqual(2);
      expect(r.negatives.length, r.id).toBeGreaterThanOrEqual(2);
    }
  });
});

describe("issue 16: near words made of letters match as words", () => {
  const file = (near: string) =>
    acmeRuleFile("[a-f0-9]{32}", [], []).replace("      keywords: [acme_]\n      standalone: true", `      standalone: { near: [${near}], within_lines: 1 }`);

  it("a context word does not count inside a longer identifier", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "keyscan-issue16-"));
    writeFileSync(join(dir, "stream.yaml"), file("stream").replace(/examples: \[\]/, "examples: ['x']").replace(/negatives: \[\]/, "negatives: ['y']"));
    const ruleset = loadRules({ builtin: false, extra: [{ path: join(dir, "stream.yaml") }], cacheDir: false });
    const key = gen("{hex:32}");
    const found = (text: string) => scanText(text, ruleset).map((f) => f.rule.id);
    for (const text of [`stream key: ${key}`, `STREAM_KEY=${key}`, `streamKey = "${key}"`, `myStreamKey = "${key}"`, `STREAMKEY=${key}`]) {
      expect(found(text), text).toEqual(["acme.token"]);
    }
    for (const text of [`upstream = "${key}"`, `streamline = "${key}"`, `UPSTREAM_SHA=${key}`]) expect(found(text), text).toEqual([]);
  });
});

describe("issue 16: keys written as dash-separated groups are not identifiers", () => {
  it("Helicone-style and stream-key-style groups are keys; kebab-case names stay placeholders", () => {
    expect(isPlaceholder(`sk-helicone-${gen("{lowernum:7}")}-a1b2c3d-e4f5a6b-c7d8e9f`)).toBe(false);
    expect(isPlaceholder("qwer-tyui-opas-dfgh-jklz")).toBe(false);
    for (const name of ["my-api-key", "stream-key-value", "build-artifact-cache-v2", "api_key_here"]) expect(isPlaceholder(name), name).toBe(true);
  });
});
