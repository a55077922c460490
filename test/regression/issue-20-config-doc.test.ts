// Issue 20: the config file's keys were documented only in source. docs/config.md's key table and
// docs/config.schema.json are generated from the zod schema (src/config.ts); this test fails when either is out of
// date (run `npm run docs:config`), when a key has no description, or when the doc's example is not a valid config.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config.js";
import { CONFIG_DOC_BEGIN, CONFIG_DOC_END, configJsonSchema, renderConfigTable } from "../../src/config-doc.js";

const root = resolve(__dirname, "../..");
const doc = readFileSync(join(root, "docs/config.md"), "utf8");

describe("issue 20: docs/config.md and docs/config.schema.json come from the schema", () => {
  it("the key table is current (run `npm run docs:config` if this fails)", () => {
    const table = doc.slice(doc.indexOf(CONFIG_DOC_BEGIN) + CONFIG_DOC_BEGIN.length, doc.indexOf(CONFIG_DOC_END)).trim();
    expect(table).toBe(renderConfigTable());
    const keys = Object.keys((configJsonSchema() as { properties: object }).properties);
    expect(keys.sort()).toEqual(["disable", "exclude", "max_file_size", "rules"]);
    for (const k of keys) expect(table).toContain(`| \`${k}\` |`);
  });

  it("the JSON Schema is current, and every key has a description", () => {
    expect(JSON.parse(readFileSync(join(root, "docs/config.schema.json"), "utf8"))).toEqual(configJsonSchema());
    const props = (configJsonSchema() as { properties: Record<string, { description?: string }> }).properties;
    for (const [k, p] of Object.entries(props)) expect(p.description?.length ?? 0, k).toBeGreaterThan(20);
  });

  it("the doc's example is a valid config, and the schema refuses an unknown key", () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    expect(configSchema(z).safeParse(parseYaml(example!)).success).toBe(true);
    expect(configSchema(z).safeParse({ exclud: ["x"] }).success).toBe(false);
  });
});
