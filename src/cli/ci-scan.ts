/**
 * The scan `keyscan ci` runs, composed from the same stages as the command it stands for (`diff <range>`,
 * `history`, or a tree scan): the command's arguments are parsed by its own yargs definition, its `produce` runs the
 * source, executor, filters and finalizer, and the verify finalizer follows. The result comes back as data, never
 * as a rendered JSON report read back in. Its notes (warnings, verification summary, per-input errors) are what the
 * command would have printed on stderr beside a JSON report.
 */
import { KeyscanError } from "../errors.js";
import type { ScanResult } from "../report/types.js";
import { errorNotes, verifyStage } from "./common.js";
import type { Command } from "./commands/types.js";
import { describeInternalError } from "./internal-error.js";
import type { Io } from "./io.js";

export type CiScanMode = "diff" | "history" | "tree";

const COMMANDS: Record<CiScanMode, () => Promise<Command>> = {
  diff: async () => (await import("./commands/diff.js")).diffCommand,
  history: async () => (await import("./commands/history.js")).historyCommand,
  tree: async () => (await import("./commands/scan.js")).scanCommand,
};

/** Parse `argv` (the command's name first) with that command's definition alone; throws its usage errors. */
async function parseFor(command: Command, argv: string[]): Promise<Record<string, unknown>> {
  const { default: yargs } = await import("yargs");
  return (await yargs(argv)
    .scriptName("keyscan")
    .strict()
    .exitProcess(false)
    .command(command.command, command.describe, command.builder)
    .fail((msg, err) => {
      throw err ?? new KeyscanError("E_USAGE", msg);
    })
    .parseAsync()) as Record<string, unknown>;
}

/** The scan for `mode` with `argv` (its command line, command name first): a result and its notes, or the error text. */
export async function ciScan(mode: CiScanMode, argv: string[], io: Io): Promise<{ ok: true; result: ScanResult; notes: string } | { ok: false; stderr: string }> {
  const command = await COMMANDS[mode]();
  let parsed: Record<string, unknown>;
  try {
    // yargs drops a lone `-`; spelled as the equivalent flag, as run.ts does.
    parsed = await parseFor(command, argv.map((a) => (a === "-" ? "--stdin" : a)));
  } catch (err) {
    return { ok: false, stderr: `keyscan: ${(err as Error).message}\nRun \`keyscan --help\` for usage.\n` };
  }
  try {
    const scanned = await command.produce!(parsed, io);
    const verified = await verifyStage(scanned);
    return { ok: true, result: verified.result, notes: (scanned.before ?? "") + verified.stderr + errorNotes(verified.result) + (scanned.after ?? "") };
  } catch (err) {
    if (err instanceof KeyscanError) return { ok: false, stderr: `keyscan: ${err.message}\n` };
    return { ok: false, stderr: describeInternalError(err) };
  }
}
