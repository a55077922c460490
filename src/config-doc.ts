/**
 * The config file's documentation, generated from its zod schema (src/config.ts, whose descriptions are the text):
 * the JSON Schema (docs/config.schema.json, for editors) and the key table of docs/config.md. Used by
 * scripts/docs-config.mjs and by the test that keeps both current.
 */
import { createRequire } from "node:module";
import type * as Zod from "zod";
import { configSchema } from "./config.js";

const lazyRequire = createRequire(import.meta.url);

export const CONFIG_DOC_BEGIN = "<!-- BEGIN GENERATED: config keys (npm run docs:config) -->";
export const CONFIG_DOC_END = "<!-- END GENERATED: config keys -->";

/** The config file's JSON Schema (for editors, and docs/config.schema.json). */
export function configJsonSchema(): unknown {
  const { z } = lazyRequire("zod") as typeof Zod;
  return z.toJSONSchema(configSchema(z), { io: "input" });
}

/** docs/config.md's generated table: one row per key, from the schema's descriptions. */
export function renderConfigTable(): string {
  type Prop = { description?: string; type?: string | string[]; anyOf?: Array<{ type: string }>; items?: { type: string } };
  const schema = configJsonSchema() as { properties: Record<string, Prop> };
  const typeOf = (p: Prop): string =>
    p.anyOf ? p.anyOf.map((a) => a.type).join(" or ") : Array.isArray(p.type) ? p.type.join(" or ") : p.type === "array" ? `list of ${p.items?.type ?? "values"}s` : (p.type ?? "any");
  const rows = Object.entries(schema.properties).map(([key, p]) => `| \`${key}\` | ${typeOf(p)} | ${(p.description ?? "").replace(/\|/g, "\\|")} |`);
  return ["| key | type | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** docs/config.md with its generated table replaced. */
export function replaceConfigTable(doc: string, table: string): string {
  const a = doc.indexOf(CONFIG_DOC_BEGIN);
  const b = doc.indexOf(CONFIG_DOC_END);
  if (a < 0 || b < a) throw new Error(`docs/config.md lacks the markers ${CONFIG_DOC_BEGIN} … ${CONFIG_DOC_END}`);
  return `${doc.slice(0, a + CONFIG_DOC_BEGIN.length)}\n${table}\n${doc.slice(b)}`;
}
