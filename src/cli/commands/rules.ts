/**
 * `keyscan rules list|test|schema` — rule tooling. `list` shows every provider and rule (and which can verify, map
 * access and revoke);
 * `test <file|dir>` loads a user's rule files and runs their examples and negatives; `schema` prints the rule-file
 * JSON Schema so editors can complete and check rule files.
 */
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { KeyscanError } from "../../errors.js";
import { loadRules } from "../../engine/load-rules.js";
import { checkRules } from "../../engine/rule-examples.js";
import { MAX_OVERLAP } from "../../engine/scan-text.js";
import { EXIT_CLEAN, EXIT_FINDINGS } from "../io.js";
import { commandEntry } from "./index.js";
import type { Command } from "./types.js";

interface RulesArgs {
  action: string;
  paths?: string[];
  format?: string;
}

export const rulesCommand: Command = {
  ...commandEntry("rules"),
  builder: (y: Argv) =>
    y
      .positional("action", { type: "string", choices: ["list", "test", "schema"] })
      .positional("paths", { type: "string", array: true })
      .option("format", { alias: "f", type: "string", default: "text", choices: ["text", "json"] }) as unknown as Argv,
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
    // test
    if (!args.paths || args.paths.length === 0) throw new KeyscanError("E_USAGE", "`keyscan rules test` needs a rule file or folder.");
    const rs = loadRules({ builtin: false, extra: args.paths.map((p) => ({ path: resolve(io.cwd, p) })) });
    const failures = checkRules(rs);
    const cases = rs.rules.reduce((n, r) => n + r.examples.length + r.negatives.length, 0);
    const lines = failures.map((f) => `FAIL ${f.rule.id}: ${f.problem}`);
    // Patterns that can backtrack catastrophically, and matchers whose longest match is unbounded.
    const warnings = [...(rs.warnings ?? [])];
    for (const m of rs.matchers) {
      if ((m.maxMatchLength ?? 0) > MAX_OVERLAP) {
        warnings.push(`${m.rule.provider.file}: rule ${m.rule.id} (${m.usage}): a match can be longer than ${MAX_OVERLAP} characters (unbounded quantifier?); bound it, e.g. {1,256} instead of +, or matches longer than that may be missed in very long lines.`);
      }
    }
    lines.push(...[...new Set(warnings)].map((w) => `WARN ${w}`));
    // Issue 7: a matcher without an anchor runs over the whole of every text that holds one of its keywords,
    // instead of a window around each occurrence; worth fixing for keywords that are common in code.
    const notes = new Set<string>();
    for (const m of rs.matchers) {
      if (m.anchor || m.keywords.length === 0) continue;
      notes.add(`${m.rule.provider.file}: rule ${m.rule.id} (${m.usage}) runs over whole texts, not windows around its keywords: bound every quantifier ({0,64} instead of * or +) and, for a format, list keywords that every match contains (docs/rules.md, "How rules are matched").`);
    }
    lines.push(...[...notes].map((n) => `NOTE ${n}`));
    lines.push(`${rs.rules.length} rules, ${cases} examples and negatives: ${cases - failures.length} passed, ${failures.length} failed${warnings.length ? `; ${new Set(warnings).size} warning(s)` : ""}`);
    return { exitCode: failures.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN, stdout: `${lines.join("\n")}\n`, stderr: "" };
  },
};
