// The one fixture scan every golden-file test renders: a temp tree written at test time with secrets generated from
// a fixed seed (never committed), scanned with the made-up rules in test/golden/examplecorp.yaml, then normalised
// (start time, duration, tool and rule-set versions) so the result is the same on every machine and every run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { loadRules } from "../../src/engine/load-rules.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import type { ScanResult } from "../../src/report/types.js";
import { scan } from "../../src/scan.js";
import { workingTreeSource } from "../../src/sources/working-tree.js";

export const GOLDEN_RULES = resolve(__dirname, "../golden/examplecorp.yaml");

export async function fixtureScan(): Promise<ScanResult> {
  const rand = seededRandom("issue-5-golden");
  const key = () => generateSecret("exk_{alnum:32}", rand);
  const hook = () => generateSecret("exw_{alnum:40}", rand);
  const files: Record<string, string> = {
    "config/.env": `EXAMPLECORP_KEY=${key()}\nWEBHOOK=${hook()}\n`,
    "src/client.js": Array.from({ length: 9 }, (_, i) => `const k${i} = "${key()}";`).join("\n") + "\n",
    // Names a report must escape: Markdown/HTML/table syntax, workflow-command property separators.
    "docs/we|ird <b>&name*.md": `Use \`${key()}\` here.\n`,
    "deploy/a,b:c.yaml": `webhook: ${hook()}\n`,
    "assets/logo.bin": "\u0000\u0001binary",
    "README.md": "No secrets here: EXAMPLECORP_KEY=$EXAMPLECORP_KEY\n",
  };
  const dir = mkdtempSync(join(tmpdir(), "keyscan-golden-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const ruleset = loadRules({ builtin: false, extra: [{ path: GOLDEN_RULES }] });
    const result = await scan(workingTreeSource({ paths: ["."], cwd: dir, maxFileSize: 1_000_000 }), ruleset);
    // Verification is another issue's work; two fixed statuses exercise how reports show it.
    result.findings[0]!.verification = { status: "verified", checkedAt: "2026-01-01T00:00:01.000Z", fields: { account: "demo@examplecorp.test" } };
    result.findings[1]!.verification = { status: "invalid", checkedAt: "2026-01-01T00:00:02.000Z" };
    result.errors.push({ path: "private/<locked>.env", code: "E_READ", message: "EACCES: permission denied" });
    // Warnings come from git sources (e.g. a shallow clone); one fixed warning exercises how reports show it.
    return { ...result, warnings: ["history before the shallow clone's boundary was not scanned"], startedAt: "2026-01-01T00:00:00.000Z", stats: { ...result.stats, durationMs: 42 }, tool: { name: "keyscan", version: "0.0.0-test" }, rules: { ...result.rules, version: "golden-rules" } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
