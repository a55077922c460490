#!/usr/bin/env node
// Regenerates the key table in docs/config.md and docs/config.schema.json from the config file's zod schema
// (src/config.ts, whose descriptions are the documentation). Run after changing the schema: `npm run docs:config`
// (builds first). test/regression/issue-20-config-doc.test.ts fails when either file is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { configJsonSchema, renderConfigTable, replaceConfigTable } = await import(resolve(root, "dist/config-doc.js"));
const docFile = resolve(root, "docs/config.md");
writeFileSync(docFile, replaceConfigTable(readFileSync(docFile, "utf8"), renderConfigTable()));
writeFileSync(resolve(root, "docs/config.schema.json"), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log("docs/config.md and docs/config.schema.json updated");
