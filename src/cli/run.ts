/**
 * The CLI as a function: `run(argv, io)` parses the arguments with yargs, dispatches to one command and returns
 * `{exitCode, stdout, stderr}` instead of printing and exiting, so tests call it directly and `bin.ts` stays a few
 * lines. Exit codes: 0 nothing found, 1 findings, 2 a bad flag, config or rule (with a message saying what to fix).
 * Start-up matters (issue 7: a pre-commit hook runs on every commit): only the chosen command's module is loaded,
 * yargs is loaded on first use, and the commonest invocations (`keyscan --staged`, `keyscan .`: hookArgs) skip it.
 */
import type { Argv } from "yargs";
import { KeyscanError } from "../errors.js";
import { commandTypo, unknownFlagHints } from "./did-you-mean.js";
import { describeInternalError } from "./internal-error.js";
import { stopProgress } from "./progress.js";
import { redactText } from "./redact-output.js";
import { VERSION } from "../version.js";
import { COMMAND_ENTRIES, type CommandName } from "./commands/index.js";
import type { Command } from "./commands/types.js";
import { EXIT_ERROR, type CliResult, type Io } from "./io.js";

/**
 * A parser with the loaded commands registered in full and the others as stubs (command string and description,
 * enough for the top-level help). A stub's builder runs only when yargs picks that command: it records the name, and
 * `run` then loads that command and parses again, so every parse that counts sees the real command's options.
 */
async function parser(argv: string[], loaded: ReadonlyMap<CommandName, Command>): Promise<{ y: Argv; chosen: { command?: Command; stub?: CommandName } }> {
  const chosen: { command?: Command; stub?: CommandName } = {};
  const { default: yargs } = await import("yargs");
  let y = yargs(argv)
    .scriptName("keyscan")
    .version(VERSION)
    .help()
    .alias("h", "help")
    .strict()
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue("Exit codes: 0 no secrets found, 1 secrets found, 2 usage, config or rule error.\nDocs: README.md, docs/rules.md");
  for (const entry of COMMAND_ENTRIES) {
    const c = loaded.get(entry.name);
    if (c) {
      y = y.command(c.command, c.describe, c.builder, () => {
        chosen.command = c;
      });
    } else {
      y = y.command(
        entry.command,
        entry.describe,
        (sub: Argv) => {
          chosen.stub ??= entry.name;
          return sub;
        },
        () => undefined,
      );
    }
  }
  return { y, chosen };
}

/**
 * The command the arguments most likely name, to load before parsing: the first argument when it is a command's
 * name, else the default scan. Only a guess: a wrong one costs a second parse (see `parser`), never a wrong result.
 */
function likelyCommand(argv: readonly string[]): CommandName {
  const first = argv.find((a) => !a.startsWith("-"));
  const named = COMMAND_ENTRIES.find((e) => e.name === first);
  return named ? named.name : "scan";
}

/** Words a default-command argument must not be (yargs would read them as a command or as help). */
const RESERVED_WORDS = new Set<string>([...COMMAND_ENTRIES.map((e) => e.name), "help", "version", "completion"]);

/**
 * The arguments yargs makes of the commonest invocations — the pre-commit hook's `keyscan --staged` and CI's
 * `keyscan [paths…]` with `--format`/`-f`, `--output`/`-o`, `--no-redact` or `--threads N` — built
 * without loading and running yargs (issue 7: ~50 ms of start-up, on the critical path of every such run). Anything
 * else (another flag or command, `--`, a value that looks like a flag or a bad number; `--rules`, an array option that
 * yargs lets swallow the paths after it) returns undefined and goes
 * through yargs, which also produces every error message. test/regression/issue-7-startup.test.ts checks this against
 * yargs' own parse for many argument lists, so a new option or default cannot be missed here.
 */
export function hookArgs(argv: readonly string[]): { command: CommandName; parsed: Record<string, unknown> } | undefined {
  const parsed: Record<string, unknown> = {
    _: [],
    format: "text",
    f: "text",
    redact: true,
    gitignore: true,
    "ignore-inline-allow": false,
    ignoreInlineAllow: false,
    verify: false,
    "only-verified": false,
    onlyVerified: false,
    "fail-on": "any",
    failOn: "any",
    fail: true,
    "allow-repo-rules-verify": false,
    allowRepoRulesVerify: false,
    staged: false,
    $0: "keyscan",
  };
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string | undefined => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[i + 1];
      if (v === undefined || v.startsWith("-")) return undefined;
      i++;
      return v;
    };
    if (!arg.startsWith("-")) {
      if (arg === "" || RESERVED_WORDS.has(arg)) return undefined;
      paths.push(arg);
    } else if (arg === "--staged") parsed.staged = true;
    else if (arg === "--no-redact") parsed.redact = false;
    else if (name === "--format" || arg === "-f") {
      const v = takeValue();
      if (v === undefined || v === "") return undefined;
      parsed.format = parsed.f = v;
    } else if (name === "--output" || arg === "-o") {
      const v = takeValue();
      if (v === undefined || v === "") return undefined;
      parsed.output = parsed.o = parsed["report-path"] = parsed.reportPath = v;
    } else if (name === "--threads") {
      const v = takeValue();
      if (v === undefined || !/^[1-9][0-9]{0,5}$/.test(v)) return undefined;
      parsed.threads = Number(v);
    } else return undefined;
  }
  if (paths.length > 0) parsed.paths = paths;
  return { command: "scan", parsed };
}

function knownOptions(y: Argv): string[] {
  const o = (y as unknown as { getOptions(): unknown }).getOptions() as { key: Record<string, unknown>; alias: Record<string, string[]> };
  return [...new Set([...Object.keys(o.key), ...Object.values(o.alias).flat()])].filter((k) => k !== "$0" && !/[A-Z]/.test(k));
}

/** What yargs made of the arguments: the command it chose and its arguments, or its output (help), or an error. */
export async function parseArgv(argv: string[]): Promise<{ command?: Command; parsed?: Record<string, unknown>; output: string; parseError?: Error; known?: string[] }> {
  const loaded = new Map<CommandName, Command>();
  const load = async (name: CommandName): Promise<void> => {
    loaded.set(name, await COMMAND_ENTRIES.find((e) => e.name === name)!.load());
  };
  await load(likelyCommand(argv));
  for (;;) {
    const p = await parser(argv, loaded);
    let parsed: Record<string, unknown> | undefined;
    let output = "";
    let parseError: Error | undefined;
    try {
      parsed = (await p.y
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
    const { stub, command } = p.chosen;
    if (stub !== undefined && !loaded.has(stub)) {
      await load(stub);
      continue;
    }
    // The option names the chosen command knows, for "did you mean" (issue 20).
    const known = parseError ? knownOptions(p.y) : undefined;
    return { ...(command ? { command } : {}), ...(parsed ? { parsed } : {}), output, ...(parseError ? { parseError } : {}), ...(known ? { known } : {}) };
  }
}

/**
 * `--log-opts "--all --since=…"` as one `--log-opts=…` word: yargs would read a value that starts with `-` as flags
 * of keyscan's own (gitleaks users write it so; issue 20). Arguments after `--` are left alone.
 */
function joinLogOpts(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return [...out, ...argv.slice(i)];
    if (a === "--log-opts" && i + 1 < argv.length) out.push(`--log-opts=${argv[++i]!}`);
    else out.push(a);
  }
  return out;
}

export async function run(argvIn: string[], io: Io): Promise<CliResult> {
  const result = await runCommand(argvIn, io);
  // Issue 19: one redaction pass over everything printed beside the report (errors, warnings, notes).
  if (result.stderr && !argvIn.includes("--no-redact")) result.stderr = redactText(result.stderr);
  return result;
}

async function runCommand(argvIn: string[], io: Io): Promise<CliResult> {
  // yargs drops a lone `-`; spell it as the equivalent flag before parsing.
  const argv = joinLogOpts(argvIn.map((a) => (a === "-" ? "--stdin" : a)));
  // `keyscan --version` answers without loading yargs or a command (issue 20: at most 1.3x `node -e 0`).
  if (argv.length === 1 && argv[0] === "--version") return { exitCode: 0, stdout: `${VERSION}\n`, stderr: "" };
  const hook = hookArgs(argv);
  if (argv.length > 0 && !argv[0]!.startsWith("-")) {
    const typo = commandTypo(argv, COMMAND_ENTRIES.map((e) => e.name), io.cwd);
    if (typo) return { exitCode: EXIT_ERROR, stdout: "", stderr: typo };
  }
  const { command, parsed, output, parseError, known } = hook
    ? { command: await COMMAND_ENTRIES.find((e) => e.name === hook.command)!.load(), parsed: hook.parsed, output: "", parseError: undefined, known: undefined }
    : await parseArgv(argv);
  if (parseError) {
    const hints = known ? unknownFlagHints(parseError.message, argv, known) : "";
    return { exitCode: EXIT_ERROR, stdout: "", stderr: `keyscan: ${parseError.message}\n${hints}Run \`keyscan --help\` for usage.\n` };
  }
  if (output) return { exitCode: 0, stdout: output.endsWith("\n") ? output : `${output}\n`, stderr: "" };
  if (!command || !parsed) return { exitCode: EXIT_ERROR, stdout: "", stderr: "keyscan: no command; run `keyscan --help`.\n" };
  try {
    return await command.run(parsed, io);
  } catch (err) {
    if (err instanceof KeyscanError) {
      return { exitCode: EXIT_ERROR, stdout: "", stderr: `keyscan: ${err.message}\n` }; // masked by run()
    }
    return { exitCode: EXIT_ERROR, stdout: "", stderr: describeInternalError(err) };
  } finally {
    stopProgress(); // a command that composes scans (ci) never reaches finish(); nothing may outlive the run
  }
}
