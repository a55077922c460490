/**
 * Renders the "providers covered" table of docs/rules.md from the loaded rule set, so the documentation can never
 * drift from the rule files: `npm run docs:rules` rewrites the block between the GENERATED markers, and a test
 * fails when the committed block differs from what the current rules produce.
 */
import type { RuleSet } from "./rule.js";

export const DOC_BEGIN = "<!-- BEGIN GENERATED: providers (npm run docs:rules) -->";
export const DOC_END = "<!-- END GENERATED: providers -->";

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
}

function hostOf(url: string): string {
  try {
    return new URL(url.replace(/\{\{[^}]*\}\}/g, "x")).host;
  } catch {
    return url;
  }
}

export function renderProviderTable(ruleset: RuleSet): string {
  const providers = [...ruleset.providers].filter((p) => !p.fromRepoConfig).sort((a, b) => a.id.localeCompare(b.id));
  const lines = [
    `${providers.length} providers, ${ruleset.rules.length} rules.`,
    "",
    "| Provider | Rule id | Credential | Severity | Verify | Revoke |",
    "|---|---|---|---|---|---|",
  ];
  for (const p of providers) {
    const rules = ruleset.rules.filter((r) => r.provider === p).sort((a, b) => a.id.localeCompare(b.id));
    for (const r of rules) {
      const verify = r.verify ? `${r.verify.request.method} ${hostOf(r.verify.request.url)}` : "—";
      lines.push(`| ${cell(p.name)} | \`${r.id}\` | ${cell(r.name)}${r.generic ? " (generic)" : ""} | ${r.severity} | ${verify} | ${p.revoke ? cell(p.revoke) : "—"} |`);
    }
  }
  return lines.join("\n");
}

/** Replace the generated block of a document; throws if the markers are missing. */
export function replaceGenerated(doc: string, table: string): string {
  const a = doc.indexOf(DOC_BEGIN);
  const b = doc.indexOf(DOC_END);
  if (a < 0 || b < a) throw new Error(`docs/rules.md lacks the markers ${DOC_BEGIN} … ${DOC_END}`);
  return `${doc.slice(0, a + DOC_BEGIN.length)}\n${table}\n${doc.slice(b)}`;
}
