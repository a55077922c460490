/**
 * `keyscan ci` — the GitHub Action's entry point. It works out what to scan from the triggering event
 * (src/ci/github-event.ts: the pull request's or push's commits, or the whole history on a schedule), runs that scan
 * through the same stages as the ordinary commands (`diff <range>`, `history`, or a tree scan; ../ci-scan.ts) so CI
 * and local runs behave the same,
 * then writes what GitHub shows: annotations in the log (`--format`, default `github`), a Markdown job summary
 * (`$GITHUB_STEP_SUMMARY`, cut to fit GitHub's 1 MiB limit), optionally a SARIF file for code scanning, and the step
 * outputs `findings` and `sarif-file` (`$GITHUB_OUTPUT`). Exit 1 when a finding reaches `--fail-on`, 2 when git or
 * the configuration failed — never 0 for a scan that did not happen.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { KeyscanError, describeCause } from "../../errors.js";
import { exitFor, exitPolicy, FAIL_ON_CHOICES, FAIL_ON_DESCRIPTION, type FailOn } from "../exit-policy.js";
import { gitRunner } from "../../ci/git-runner.js";
import { planScan, type CiMode, type GithubEvent, type ScanPlan } from "../../ci/github-event.js";
import { newStopToken, stopCommands } from "../../report/github.js";
import { REPORTERS, formatNames } from "../../report/index.js";
import { truncateMarkdown } from "../../report/markdown.js";
import type { ScanResult } from "../../report/types.js";
import { TOOL_NAME, VERSION } from "../../version.js";
import { ciScan } from "../ci-scan.js";
import { EXIT_ERROR, type CliResult, type Io } from "../io.js";
import { commandEntry } from "./entries.js";
import type { Command } from "./types.js";

/** GitHub rejects a step summary over 1 MiB; stay well under it. */
export const SUMMARY_LIMIT = 1024 * 1024 - 16 * 1024;

interface CiArgs {
  mode: CiMode;
  "event-name"?: string;
  "event-path"?: string;
  deepen: boolean;
  remote: string;
  format: string;
  "sarif-file"?: string;
  "summary-file"?: string;
  "output-file"?: string;
  "fail-on": FailOn;
  "exit-code"?: number;
  fail?: boolean;
  config?: string;
  redact: boolean;
  verify?: boolean;
  _: Array<string | number>;
}

/** Write or append a file that GitHub reads; a failure is exit 2 naming the file, never a crash. */
function writeOut(path: string, text: string, what: string, append: boolean): void {
  try {
    (append ? appendFileSync : writeFileSync)(path, text);
  } catch (err) {
    throw new KeyscanError("E_USAGE", `cannot write the ${what} ${path} (${describeCause(err)}).`, { cause: err });
  }
}

function readEvent(path: string | undefined, name: string): GithubEvent {
  if (!path) throw new KeyscanError("E_USAGE", `no event payload for the ${name} event: set GITHUB_EVENT_PATH (GitHub Actions does) or pass --event-path, or use --mode tree/history.`);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as GithubEvent;
  } catch (err) {
    throw new KeyscanError("E_USAGE", `cannot read the event payload ${path} (${describeCause(err)}).`, { cause: err });
  }
}

/** The command line of the scan the plan calls for (its format and colour flags only satisfy the command's parser). */
function innerArgv(plan: ScanPlan, args: CiArgs, extra: string[]): string[] {
  const common = ["--format", "json", "--no-redact", "--no-color", ...(args.config ? ["--config", args.config] : []), ...(args.verify ? ["--verify"] : []), ...extra];
  if (plan.mode === "diff") return ["diff", plan.range, ...common];
  if (plan.mode === "history") return ["history", ...common];
  return ["scan", ".", ...common];
}

function emptyResult(reason: string): ScanResult {
  return {
    format: "keyscan-scan",
    version: 1,
    tool: { name: TOOL_NAME, version: VERSION },
    rules: { version: "", count: 0 },
    target: `nothing to scan (${reason})`,
    startedAt: new Date().toISOString(),
    stats: { scanned: 0, bytes: 0, skipped: {}, durationMs: 0 },
    findings: [],
    errors: [],
    skipped: [],
  };
}

export async function runCi(args: CiArgs, io: Io): Promise<CliResult> {
  const policy = exitPolicy(args);
  if (args["fail-on"] === "verified" && !args.verify) throw new KeyscanError("E_USAGE", "--fail-on verified needs --verify (keyscan makes no network request unless asked).");
  if (!formatNames().includes(args.format)) throw new KeyscanError("E_USAGE", `unknown --format ${args.format}; use one of: ${formatNames().join(", ")}.`);
  const token = newStopToken();
  const notes: string[] = [];
  const eventName = args["event-name"] ?? io.env.GITHUB_EVENT_NAME ?? "";
  const needsEvent = args.mode === "diff" || (args.mode === "auto" && eventName !== "schedule" && eventName !== "workflow_dispatch");
  const event = needsEvent ? readEvent(args["event-path"] ?? io.env.GITHUB_EVENT_PATH, eventName || "unknown") : {};
  const plan = await planScan(gitRunner(io.cwd, io.env), {
    eventName,
    event,
    mode: args.mode,
    deepen: args.deepen,
    remote: args.remote,
    log: (line) => notes.push(line),
  });
  notes.push(`keyscan: ${plan.mode === "none" ? "nothing to scan" : `scanning ${plan.mode}`}: ${plan.reason}`);
  const log = (text: string) => stopCommands(text.trimEnd().split("\n"), token).join("\n") + "\n";

  let result: ScanResult;
  // yargs leaves the arguments after `--` in `_`, after the command name.
  const extra = args._.slice(1).map(String);
  const taken = extra.find((a) => /^(-o|-f|--output|--format|--redact|--no-redact|--color|--no-color)(=.*)?$/.test(a));
  if (taken) throw new KeyscanError("E_USAGE", `${taken} cannot be passed to the scan through \`keyscan ci --\`: ci sets the scan's output itself; use ci's own --format, --sarif-file and --no-redact.`);
  if (plan.mode === "none") {
    result = emptyResult(plan.reason);
  } else {
    const argv = innerArgv(plan, args, extra);
    const inner = await ciScan(plan.mode, argv, io);
    if (!inner.ok) {
      // The error may quote repository text (paths, refs): it goes to the log inside a stop-commands block too.
      return { exitCode: EXIT_ERROR, stdout: log(notes.join("\n")), stderr: log(inner.stderr || `keyscan: \`keyscan ${argv.join(" ")}\` failed.`) };
    }
    result = inner.result;
    if (inner.notes) notes.push(inner.notes.trimEnd());
  }

  const options = { redact: args.redact, color: false, category: `keyscan/${plan.mode === "none" ? "diff" : plan.mode}/`, stopToken: token };
  let stdout = log(notes.join("\n")) + REPORTERS[args.format]!(result, options);
  const summaryFile = args["summary-file"] ?? io.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) {
    const md = `${REPORTERS.markdown!(result, options)}\n<sub>${plan.mode === "none" ? "Nothing to scan" : `Scanned ${plan.mode}`}: ${plan.reason.replace(/[<>&|`*_[\]\\]/g, (c) => `&#${c.charCodeAt(0)};`)}</sub>\n`;
    writeOut(resolve(io.cwd, summaryFile), truncateMarkdown(md, SUMMARY_LIMIT, "the SARIF file or a `--format json` report"), "job summary", true);
  }
  const sarifFile = args["sarif-file"];
  if (sarifFile) writeOut(resolve(io.cwd, sarifFile), REPORTERS.sarif!(result, options), "SARIF file", false);
  const outputFile = args["output-file"] ?? io.env.GITHUB_OUTPUT;
  if (outputFile) {
    const sarifPath = sarifFile ? resolve(io.cwd, sarifFile).replace(/[\r\n]/g, "") : "";
    writeOut(resolve(io.cwd, outputFile), `findings=${result.findings.length}\n${sarifPath ? `sarif-file=${sarifPath}\n` : ""}`, "step outputs file", true);
  }
  // The same policy as every scanning command (src/cli/exit-policy.ts).
  const { exitCode, note } = exitFor(result, policy);
  if (note) stdout += log(note);
  return { exitCode, stdout, stderr: "" };
}

export const ciCommand: Command = {
  ...commandEntry("ci"),
  builder: (y: Argv) =>
    y
      .option("mode", { type: "string", choices: ["auto", "diff", "history", "tree"], default: "auto", describe: "auto: diff for pull requests and pushes, history for schedule/workflow_dispatch" })
      .option("event-name", { type: "string", describe: "Event name (default $GITHUB_EVENT_NAME)" })
      .option("event-path", { type: "string", describe: "Event payload JSON (default $GITHUB_EVENT_PATH)" })
      .option("deepen", { type: "boolean", default: false, describe: "Fetch more history when the clone is too shallow for the range (else exit 2)" })
      .option("remote", { type: "string", default: "origin", describe: "Remote whose branches count as already scanned" })
      .option("format", { alias: "f", type: "string", default: "github", describe: `Log format: ${formatNames().join(", ")}` })
      .option("sarif-file", { type: "string", describe: "Also write SARIF here (for github/codeql-action/upload-sarif)" })
      .option("summary-file", { type: "string", describe: "Markdown job summary file (default $GITHUB_STEP_SUMMARY)" })
      .option("output-file", { type: "string", describe: "Step outputs file (default $GITHUB_OUTPUT)" })
      .option("fail-on", { type: "string", choices: [...FAIL_ON_CHOICES], default: "any", describe: FAIL_ON_DESCRIPTION })
      .option("exit-code", { type: "number", describe: "Exit code when findings fail the step (default 1; 0 = report only)" })
      .option("fail", { type: "boolean", default: true, describe: "--no-fail: report only (same as --fail-on none)" })
      .option("config", { alias: "c", type: "string", describe: "Config file" })
      .option("redact", { type: "boolean", default: true, describe: "Redact secrets in every output (--no-redact shows them)" })
      .option("verify", { type: "boolean", describe: "Check whether found keys are live (passed to the scan)" })
      .epilogue("Arguments after `--` are passed to the scan command (e.g. `keyscan ci -- --max-file-size 5MB`).") as unknown as Argv,
  run: (raw, io) => runCi(raw as unknown as CiArgs, io),
};
