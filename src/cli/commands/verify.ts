/**
 * `keyscan verify --list-endpoints` — prints every method and URL keyscan may call when verifying, mapping what a
 * live key can reach (access) and revoking (`keyscan revoke`; marked `(access)`, `(revoke)`), from the same
 * rules a scan would load (built-in, --rules, the config's rules), so an egress filter can allow exactly those.
 * Endpoints keyscan would refuse (a repo-config rule without --allow-repo-rules-verify, plain HTTP, an undeclared
 * host, a POST not marked read-only) are listed as refused: they need no allowlist entry.
 */
import type { Argv } from "yargs";
import { KeyscanError } from "../../errors.js";
import { loadCommandRules } from "../command-rules.js";
import { listEndpoints } from "../../verify/index.js";
import { EXIT_CLEAN } from "../io.js";
import { parseVerifyArgs, type VerifyArgs } from "../verify-options.js";
import { commandEntry } from "./entries.js";
import type { Command } from "./types.js";

interface VerifyCommandArgs extends VerifyArgs {
  "list-endpoints"?: boolean;
  format: string;
  config?: string;
  rules?: string[];
}

export const verifyCommand: Command = {
  ...commandEntry("verify"),
  builder: (y: Argv) =>
    y
      .option("list-endpoints", { type: "boolean", default: false, describe: "Print every method and URL verification may call (for egress allowlists)" })
      .option("format", { alias: "f", type: "string", default: "text", choices: ["text", "json"] })
      .option("config", { alias: "c", type: "string", describe: "Config file (default: .keyscan.yaml/.yml/.json in the working directory)" })
      .option("rules", { type: "string", array: true, describe: "Extra rule files or folders (repeatable)" })
      .option("allow-repo-rules-verify", { type: "boolean", default: false, describe: "Count rules from the repository's own config as allowed to verify" })
      .option("verify-endpoint-override", { type: "string", array: true, describe: "TESTING ONLY: PROVIDER=BASE_URL (as for scans)" }) as unknown as Argv,
  async run(raw, io) {
    const args = raw as unknown as VerifyCommandArgs;
    if (!args["list-endpoints"]) throw new KeyscanError("E_USAGE", "`keyscan verify` needs --list-endpoints; to verify keys, scan with --verify.");
    const ruleset = loadCommandRules(args, io.cwd);
    const settings = parseVerifyArgs({ ...args, verify: true }, io, ruleset);
    const entries = listEndpoints(ruleset, settings.options);
    const stderr = settings.notices.map((n) => `${n}\n`).join("");
    if (args.format === "json") return { exitCode: EXIT_CLEAN, stdout: `${JSON.stringify({ endpoints: entries }, null, 2)}\n`, stderr };
    const allowed = entries.filter((e) => !e.refused);
    const refused = entries.filter((e) => e.refused);
    const kind = (e: (typeof entries)[number]) => (e.kind === "verify" ? "" : ` (${e.kind})`);
    const lines = allowed.map((e) => `${e.method.padEnd(4)} ${e.url}   # ${e.rule}${kind(e)}${e.override ? " (TEST OVERRIDE)" : ""}`);
    for (const e of refused) lines.push(`# refused: ${e.method} ${e.url}   # ${e.rule}${kind(e)}: ${e.refused}`);
    lines.push(`# ${allowed.length} endpoint${allowed.length === 1 ? "" : "s"} keyscan may call${refused.length ? `, ${refused.length} refused` : ""}; placeholders ({{…}}) are filled at run time.`);
    return { exitCode: EXIT_CLEAN, stdout: `${lines.join("\n")}\n`, stderr };
  },
};
