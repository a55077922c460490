// docs/rules.md's provider table and rules/rules.schema.json are generated from the rule files and the zod schema;
// these tests fail when either is stale (fix: `npm run docs:rules`), and check that rule files reference the schema.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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
