/**
 * Every CLI command, in help order: its yargs command string and one-line description, and how to load the module
 * that defines its options and runs it. Only the module of the command being run is loaded (issue 7: importing all
 * of them — history, reports with HTML, verification, CI — cost a pre-commit run ~40 ms of module loading); run.ts
 * registers the others with these strings alone, which is all `keyscan --help` shows of them. Add a command by adding
 * its entry here and its module, whose `command` and `describe` come from this entry.
 */
import { DEFAULT_BASELINE_FILE } from "../../baseline.js";
import type { Command } from "./types.js";

export type CommandName = "scan" | "diff" | "history" | "baseline" | "rules" | "verify" | "revoke" | "report" | "ci";

export interface CommandEntry {
  name: CommandName;
  command: string | string[];
  describe: string;
  load: () => Promise<Command>;
}

export const COMMAND_ENTRIES: readonly CommandEntry[] = [
  {
    name: "scan",
    command: ["$0 [paths..]", "scan [paths..]"],
    describe: "Scan files and folders (default: .) for secrets; `-` reads standard input",
    load: async () => (await import("./scan.js")).scanCommand,
  },
  {
    name: "diff",
    command: "diff [range]",
    describe: "Scan the commits in a range (base..head, base...head, or --since <rev>) for secrets they introduce",
    load: async () => (await import("./diff.js")).diffCommand,
  },
  {
    name: "history",
    command: "history",
    describe: "Scan the whole git history (all branches and tags) for secrets, each blob once",
    load: async () => (await import("./history.js")).historyCommand,
  },
  {
    name: "baseline",
    command: "baseline [paths..]",
    describe: `Write the secrets found now to a baseline (default ${DEFAULT_BASELINE_FILE}); --prune drops entries no longer found`,
    load: async () => (await import("./baseline.js")).baselineCommand,
  },
  {
    name: "rules",
    command: "rules <action> [paths..]",
    describe: "Rule tooling: `rules list`, `rules test <file|dir>`, `rules check <file|dir>` (for CI), `rules schema`",
    load: async () => (await import("./rules.js")).rulesCommand,
  },
  {
    name: "verify",
    command: "verify",
    describe: "Verification tooling: `verify --list-endpoints` prints every method+URL keyscan may call",
    load: async () => (await import("./verify.js")).verifyCommand,
  },
  {
    name: "revoke",
    command: "revoke",
    describe: "Incident response: revoke the live keys of a saved report (--from report.json) through each provider's documented revocation; a dry run unless --yes",
    load: async () => (await import("./revoke.js")).revokeCommand,
  },
  {
    name: "report",
    command: "report",
    describe: "Render saved JSON scans (--from scan.json; several are merged, e.g. the shards of an audit) in another format, without rescanning",
    load: async () => (await import("./report.js")).reportCommand,
  },
  {
    name: "ci",
    command: "ci",
    describe: "GitHub Actions: scan what the triggering event changed; write annotations, job summary, SARIF and outputs",
    load: async () => (await import("./ci.js")).ciCommand,
  },
];

/** The entry named `name`, for a command module's own `command` and `describe`. */
export function commandEntry(name: CommandName): Pick<CommandEntry, "command" | "describe"> {
  const e = COMMAND_ENTRIES.find((c) => c.name === name)!;
  return { command: e.command, describe: e.describe };
}

/** Every command, loaded (tests and tools that want them all). */
export async function loadAllCommands(): Promise<Command[]> {
  return Promise.all(COMMAND_ENTRIES.map((e) => e.load()));
}
