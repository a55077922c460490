/**
 * The CLI as a function: `run(argv, io)` parses the arguments with yargs, dispatches to one command and returns
 * `{exitCode, stdout, stderr}` instead of printing and exiting, so tests call it directly and `bin.ts` stays a few
 * lines. Exit codes: 0 nothing found, 1 findings, 2 a bad flag, config or rule (with a message saying what to fix).
 */
import yargs, { type Argv } from "yargs";
import { KeyscanError, scrubSecrets } from "../errors.js";
import { VERSION } from "../version.js";
import { COMMANDS } from "./commands/index.js";
import type { Command } from "./commands/types.js";
import { EXIT_ERROR, type CliResult, type Io } from "./io.js";

function parser(argv: string[]): { y: Argv; chosen: { command?: Command } } {
  const chosen: { command?: Command } = {};
  let y = yargs(argv)
    .scriptName("keyscan")
    .version(VERSION)
    .help()
    .alias("h", "help")
    .strict()
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue("Exit codes: 0 no secrets found, 1 secrets found, 2 usage, config or rule error.\nDocs: README.md, docs/rules.md");
  for (const c of COMMANDS) {
    y = y.command(c.command, c.describe, c.builder, () => {
      chosen.command = c;
    });
  }
  return { y, chosen };
}

export async function run(argvIn: string[], io: Io): Promise<CliResult> {
  // yargs drops a lone `-`; spell it as the equivalent flag before parsing.
  const argv = argvIn.map((a) => (a === "-" ? "--stdin" : a));
  const { y, chosen } = parser(argv);
  let parsed: Record<string, unknown> | undefined;
  let output = "";
  let parseError: Error | undefined;
  try {
    parsed = (await y
      .fail((msg, err) => {
        throw err ?? new KeyscanError("E_USAGE", msg);
      })
      .parseAsync(argv, {}, (err, _argv, out) => {
        if (err) parseError = err;
        output = out;
      })) as Record<string, unknown>;
  } catch (err) {
    parseError = err as Error;
  }
  if (parseError) {
    return { exitCode: EXIT_ERROR, stdout: "", stderr: `keyscan: ${scrubSecrets(parseError.message)}\nRun \`keyscan --help\` for usage.\n` };
  }
  if (output) return { exitCode: 0, stdout: output.endsWith("\n") ? output : `${output}\n`, stderr: "" };
  if (!chosen.command || !parsed) return { exitCode: EXIT_ERROR, stdout: "", stderr: "keyscan: no command; run `keyscan --help`.\n" };
  try {
    return await chosen.command.run(parsed, io);
  } catch (err) {
    if (err instanceof KeyscanError) {
      return { exitCode: EXIT_ERROR, stdout: "", stderr: `keyscan: ${scrubSecrets(err.message)}\n` };
    }
    return { exitCode: EXIT_ERROR, stdout: "", stderr: describeInternalError(err) };
  }
}

/**
 * A crash report that cannot carry a secret: the error's kind, its message with quoted parts and random-looking
 * tokens masked (a runtime error can quote the text it choked on: V8's JSON.parse shows a 10-character excerpt),
 * and only the stack's frame lines (code locations), never the message line the stack repeats.
 */
export function describeInternalError(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const frames = (e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
  return `keyscan: internal error (${e.name}): ${scrubSecrets(e.message.replace(/"[^"\n]*"|'[^'\n]*'/g, '"…"'))}\nThis is a bug in keyscan; please report it with the lines below.\n${frames.join("\n")}\n`;
}
