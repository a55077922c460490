/**
 * Every CLI command, in help order (entries.ts), with how to load the module that defines its options and runs it.
 * Only the module of the command being run is loaded (issue 7: importing all of them — history, reports with HTML,
 * verification, CI — cost a pre-commit run ~40 ms of module loading); run.ts registers the others with their
 * strings alone, which is all `keyscan --help` shows of them. Add a command by adding its entry to entries.ts, its
 * loader here, and its module, whose `command` and `describe` come from the entry.
 */
import { COMMAND_INFO, type CommandInfo, type CommandName } from "./entries.js";
import type { Command } from "./types.js";

export type { CommandName } from "./entries.js";

export interface CommandEntry extends CommandInfo {
  load: () => Promise<Command>;
}

const LOADERS: Record<CommandName, () => Promise<Command>> = {
  scan: async () => (await import("./scan.js")).scanCommand,
  diff: async () => (await import("./diff.js")).diffCommand,
  history: async () => (await import("./history.js")).historyCommand,
  baseline: async () => (await import("./baseline.js")).baselineCommand,
  rules: async () => (await import("./rules.js")).rulesCommand,
  verify: async () => (await import("./verify.js")).verifyCommand,
  revoke: async () => (await import("./revoke.js")).revokeCommand,
  report: async () => (await import("./report.js")).reportCommand,
  ci: async () => (await import("./ci.js")).ciCommand,
  daemon: async () => (await import("./daemon.js")).daemonCommand,
};

export const COMMAND_ENTRIES: readonly CommandEntry[] = COMMAND_INFO.map((info) => ({ ...info, load: LOADERS[info.name] }));

