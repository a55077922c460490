/**
 * `keyscan rules list|test|check|schema` — rule tooling. `list` shows every provider and rule (and which can verify,
 * map access and revoke); `test <file|dir>` runs a user's rule files' examples and negatives (a file that does not
 * load stops it, exit 2); `check <file|dir>` is the same check for CI: every problem of every file as
 * `file:line:col: error: …` (or JSON), exit 1 when there is an error (or, with --strict, a warning), 2 on bad
 * arguments. Both are views of the one rule checker (src/rules-check). `schema` prints the rule-file JSON Schema so
 * editors can complete and check rule files.
 */
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { KeyscanError } from "../../errors.js";
import { loadRules } from "../../engine/load-rules.js";
import { checkRulePaths } from "../../rules-check/check.js";
import { countBySeverity, formatJson, formatText } from "../../rules-check/format.js";
import { EXIT_CLEAN, EXIT_FINDINGS } from "../io.js";
import { commandEntry } from "./entries.js";
import type { Command } from "./types.js";

interface RulesArgs {
  action: string;
  paths?: string[];
  format?: string;
  json?: boolean;
  strict?: boolean;
  "with-builtin"?: boolean;
}

export const rulesCommand: Command = {
  ...commandEntry("rules"),
  builder: (y: Argv) =>
    y
      .positional("action", { type: "string", choices: ["list", "test", "check", "schema"] })
      .positional("paths", { type: "string", array: true })
      .option("format", { alias: "f", type: "string", default: "text", choices: ["text", "json"] })
      .option("json", { type: "boolean", default: false, describe: "test/check: print the diagnostics as JSON (same as --format json)" })
      .option("strict", { type: "boolean", default: false, describe: "check: warnings fail the check too (exit 1)" })
      .option("with-builtin", { type: "boolean", default: false, describe: "test/check: load keyscan's shipped rules beside the files, as a scan with --rules does" }) as unknown as Argv,
  async run(raw, io) {
    const args = raw as unknown as RulesArgs;
    if (args.action === "schema") {
      // Loaded here, not at the top: zod costs ~100 ms of start-up that every other command would pay (issue 7).
      const { ruleFileJsonSchema } = await import("../../engine/rule-schema.js");
      const schema = ruleFileJsonSchema();
      return { exitCode: EXIT_CLEAN, stdout: `${JSON.stringify(schema, null, 2)}\n`, stderr: "" };
    }
    if (args.action === "list") {
      const rs = loadRules({ extra: (args.paths ?? []).map((p) => ({ path: resolve(io.cwd, p) })) });
      const rows = rs.rules.map((r) => ({ id: r.id, provider: r.provider.id, name: r.name, severity: r.severity, verifies: r.verify !== undefined, access: r.verify !== undefined && r.access !== undefined, revokes: r.revokeRequest !== undefined, revoke: r.provider.revoke ?? null }));
      if (args.format === "json") return { exitCode: EXIT_CLEAN, stdout: `${JSON.stringify({ version: rs.version, rules: rows }, null, 2)}\n`, stderr: "" };
      const width = Math.max(...rows.map((r) => r.id.length));
      const lines = rows.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  ${r.verifies ? "verify" : "      "}  ${r.access ? "access" : "      "}  ${r.revokes ? "revoke" : "      "}  ${r.name}`);
      return { exitCode: EXIT_CLEAN, stdout: `${lines.join("\n")}\n${rows.length} rules from ${rs.providers.length} providers (rule set ${rs.version})\n`, stderr: "" };
    }
    // test, check
    if (!args.paths || args.paths.length === 0) throw new KeyscanError("E_USAGE", `\`keyscan rules ${args.action}\` needs a rule file or folder.`);
    const check = args.action === "check";
    const result = checkRulePaths(args.paths, { cwd: io.cwd, withBuiltin: args["with-builtin"] ?? false, onLoadError: check ? "report" : "throw" });
    const { errors, warnings } = countBySeverity(result);
    const failed = errors > 0 || (check && (args.strict ?? false) && warnings > 0);
    const stdout = args.json || args.format === "json" ? formatJson(result) : formatText(result);
    return { exitCode: failed ? EXIT_FINDINGS : EXIT_CLEAN, stdout, stderr: "" };
  },
};
