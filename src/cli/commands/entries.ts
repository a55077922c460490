/**
 * What every CLI command is called and says of itself, in help order: its yargs command string and one-line
 * description. Plain data, apart from the command modules (index.ts loads those), so that a command module can take
 * its own `command` and `describe` from here without importing the loader that imports it.
 */
import { DEFAULT_BASELINE_FILE } from "../../baseline.js";

export type CommandName = "scan" | "diff" | "history" | "baseline" | "rules" | "verify" | "revoke" | "report" | "ci" | "daemon";

export interface CommandInfo {
  name: CommandName;
  command: string | string[];
  describe: string;
}

export const COMMAND_INFO: readonly CommandInfo[] = [
  {
    name: "scan",
    command: ["$0 [paths..]", "scan [paths..]"],
    describe: "Scan files and folders (default: .) for secrets; `-` reads standard input",
  },
  {
    name: "diff",
    command: "diff [range]",
    describe: "Scan the commits in a range (base..head, base...head, or --since <rev>) for secrets they introduce",
  },
  {
    name: "history",
    command: "history",
    describe: "Scan the whole git history (all branches and tags) for secrets, each blob once",
  },
  {
    name: "baseline",
    command: "baseline [paths..]",
    describe: `Write the secrets found now to a baseline (default ${DEFAULT_BASELINE_FILE}); --prune drops entries no longer found`,
  },
  {
    name: "rules",
    command: "rules <action> [paths..]",
    describe: "Rule tooling: `rules list`, `rules test <file|dir>`, `rules check <file|dir>` (for CI), `rules schema`",
  },
  {
    name: "verify",
    command: "verify",
    describe: "Verification tooling: `verify --list-endpoints` prints every method+URL keyscan may call",
  },
  {
    name: "revoke",
    command: "revoke",
    describe: "Incident response: revoke the live keys of a saved report (--from report.json) through each provider's documented revocation; a dry run unless --yes",
  },
  {
    name: "report",
    command: "report",
    describe: "Render saved JSON scans (--from scan.json; several are merged, e.g. the shards of an audit) in another format, without rescanning",
  },
  {
    name: "ci",
    command: "ci",
    describe: "GitHub Actions: scan what the triggering event changed; write annotations, job summary, SARIF and outputs",
  },
  {
    name: "daemon",
    command: "daemon [action]",
    describe: "The resident pre-commit processes that serve `keyscan --staged` from the release build: `daemon status`, `daemon stop`",
  },
];

/** The entry named `name`, for a command module's own `command` and `describe`. */
export function commandEntry(name: CommandName): Pick<CommandInfo, "command" | "describe"> {
  const e = COMMAND_INFO.find((c) => c.name === name)!;
  return { command: e.command, describe: e.describe };
}
