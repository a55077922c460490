#!/usr/bin/env node
// Regenerates the providers table in docs/rules.md and rules/rules.schema.json from the rule files and the zod
// schema. Run after adding or changing rule files: `npm run docs:rules` (builds first). test/rules-docs.test.ts
// fails when either file is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { loadRules } = await import(resolve(root, "dist/engine/load-rules.js"));
const { renderProviderTable, replaceGenerated } = await import(resolve(root, "dist/engine/rules-doc.js"));
const { ruleFileJsonSchema } = await import(resolve(root, "dist/engine/rule-schema.js"));

const docFile = resolve(root, "docs/rules.md");
const ruleset = loadRules({ builtin: true });
writeFileSync(docFile, replaceGenerated(readFileSync(docFile, "utf8"), renderProviderTable(ruleset)));
writeFileSync(resolve(root, "rules/rules.schema.json"), `${JSON.stringify(ruleFileJsonSchema(), null, 2)}\n`);
console.log(`docs/rules.md: ${ruleset.providers.length} providers, ${ruleset.rules.length} rules; rules/rules.schema.json updated`);
