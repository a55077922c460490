// docs/rules.md's provider table and rules/rules.schema.json are generated from the rule files and the zod schema;
// these tests fail when either is stale (fix: `npm run docs:rules`), and check that rule files reference the schema.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { checkRuleFile } from "../src/rules-check/check.js";
import { formatDiagnostic } from "../src/rules-check/format.js";
import { builtinRulesDir, loadRules } from "../src/engine/load-rules.js";
import { DOC_BEGIN, DOC_END, renderProviderTable } from "../src/engine/rules-doc.js";
import { ruleFileJsonSchema } from "../src/engine/rule-schema.js";

const root = join(builtinRulesDir(), "..");

describe("generated rule documentation", () => {
  it("docs/rules.md lists every provider and rule (run `npm run docs:rules` if this fails)", () => {
    const doc = readFileSync(join(root, "docs/rules.md"), "utf8");
    const block = doc.slice(doc.indexOf(DOC_BEGIN) + DOC_BEGIN.length, doc.indexOf(DOC_END)).trim();
    expect(block).toBe(renderProviderTable(loadRules()));
  });

  it("rules/rules.schema.json matches the zod schema (run `npm run docs:rules` if this fails)", () => {
    const committed = JSON.parse(readFileSync(join(root, "rules/rules.schema.json"), "utf8"));
    expect(committed).toEqual(ruleFileJsonSchema());
  });

  it("the seed and non-provider rule files point editors at the schema", () => {
    const files = readdirSync(builtinRulesDir()).filter((f) => /^(getimg|claid|private-key|jwt|generic|http-auth|connection-string)\.yaml$/.test(f));
    expect(files.length).toBe(7);
    for (const f of files) expect(readFileSync(join(builtinRulesDir(), f), "utf8").split("\n")[0], f).toBe("# yaml-language-server: $schema=./rules.schema.json");
  });
});

describe("issue 18: the complete provider example in docs/rules.md", () => {
  const doc = readFileSync(join(root, "docs/rules.md"), "utf8");
  const section = doc.slice(doc.indexOf("### A complete example"));
  const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];

  it("saved as a file, passes `keyscan rules test` and, beside the shipped rules, the all-rules checker", async () => {
    expect(example, "docs/rules.md has a ```yaml block under \"A complete example\"").toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "keyscan-docs-example-"));
    try {
      writeFileSync(join(dir, "acme.yaml"), example!);
      const test = await run(["rules", "test", "acme.yaml"], { cwd: dir, env: {} });
      expect(test.stdout).toMatch(/^1 rules, \d+ examples and negatives: \d+ passed, 0 failed\n$/);
      expect(test.exitCode).toBe(0);
      // What test/rules.test.ts requires of a shipped rule file: no error and no warning, competing with every shipped rule.
      const checked = checkRuleFile(join(dir, "acme.yaml"), { withBuiltin: true, cwd: dir });
      expect(checked.diagnostics.map(formatDiagnostic)).toEqual([]);
      expect(checked.rules).toEqual(["acme.api-key"]);
      // Every usage kind the example shows is exercised (the checker's `keywords` check would say otherwise).
      expect(example).toMatch(/- header:[\s\S]*- env:[\s\S]*- sdk:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
