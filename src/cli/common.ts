/**
 * What every scanning command shares: the output, rule and filter options, turning them into a RuleSet and scan
 * options once (fatal problems become exit 2 with a message saying what to fix), and writing the report and
 * choosing the exit code at the end. Commands (tree, staged, diff, history) differ only in their source.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { loadConfig, parseSize, type LoadedConfig } from "../config.js";
import { KeyscanError, describeCause } from "../errors.js";
import { loadRules, type RuleSource } from "../engine/load-rules.js";
import type { RuleSet } from "../engine/rule.js";
import { colorEnabled } from "../report/color.js";
import { REPORTERS, formatNames, type ReportOptions } from "../report/index.js";
import { renderText } from "../report/text.js";
import type { ScanResult } from "../report/types.js";
import { KEYSCAN_IGNORE_FILE, readIgnoreFile } from "../sources/ignore-rules.js";
import type { ScanOptions } from "../scan.js";
import { EXIT_CLEAN, EXIT_FINDINGS, type CliResult, type Io } from "./io.js";
import { addVerifyOptions, applyVerification, failing, parseVerifyArgs, type VerifyArgs, type VerifySettings } from "./verify-options.js";

export const DEFAULT_MAX_FILE_SIZE = "10MB";

export interface CommonArgs extends VerifyArgs {
  format: string;
  output?: string;
  redact: boolean;
  config?: string;
  rules?: string[];
  "max-file-size"?: string;
  gitignore: boolean;
  "ignore-inline-allow": boolean;
  color?: boolean;
  threads?: number;
}

export function addCommonOptions<T>(y: Argv<T>): Argv<T & CommonArgs> {
  const common = y
    .option("format", { alias: "f", type: "string", default: "text", describe: `Output format: ${formatNames().join(", ")}` })
    .option("output", { alias: "o", type: "string", describe: "Write the report to this file instead of stdout" })
    .option("redact", { type: "boolean", default: true, describe: "Redact secrets in output (--no-redact shows them in full)" })
    .option("config", { alias: "c", type: "string", describe: "Config file (default: .keyscan.yaml/.yml/.json in the working directory)" })
    .option("rules", { type: "string", array: true, describe: "Extra rule files or folders (repeatable)" })
    .option("max-file-size", { type: "string", describe: `Skip files larger than this (default ${DEFAULT_MAX_FILE_SIZE})` })
    .option("gitignore", { type: "boolean", default: true, describe: "Honour .gitignore files (--no-gitignore to scan ignored files too)" })
    .option("ignore-inline-allow", { type: "boolean", default: false, describe: "Ignore inline allow comments (keyscan:allow, gitleaks:allow, …)" })
    .option("color", { type: "boolean", describe: "Force colour on or off (default: on for a terminal, off for NO_COLOR)" })
    .option("threads", { type: "number", describe: "Worker threads for matching (default: all cores for large scans; 1 = no workers)" });
  return addVerifyOptions(common) as unknown as Argv<T & CommonArgs>;
}

export interface Prepared {
  ruleset: RuleSet;
  config?: LoadedConfig;
  maxFileSize: number;
  scanOptions: ScanOptions;
  exclude: string[];
  /** The --verify family, checked before the scan. */
  verify?: VerifySettings;
}

/** What `prepare` made for a command's arguments, so `finish` can verify with the same rule set. */
const preparedFor = new WeakMap<object, Prepared>();

export function prepare(args: CommonArgs, io: Io): Prepared {
  if (!REPORTERS[args.format]) {
    throw new KeyscanError("E_USAGE", `unknown --format ${args.format}; use one of: ${formatNames().join(", ")}.`);
  }
  const config = loadConfig(args.config, io.cwd);
  const extra: RuleSource[] = [
    ...(config?.rules ?? []).map((path) => ({ path, fromRepoConfig: config?.fromRepo ?? false })),
    ...(args.rules ?? []).map((p) => ({ path: resolve(io.cwd, p) })),
  ];
  const ruleset = loadRules({ extra, disable: config?.disable ?? [] });
  const maxFileSize = parseSize(args["max-file-size"] ?? config?.maxFileSize ?? DEFAULT_MAX_FILE_SIZE, "--max-file-size");
  const ignoreFile = readIgnoreFile(resolve(io.cwd, KEYSCAN_IGNORE_FILE));
  if (args.threads !== undefined && !(Number.isInteger(args.threads) && args.threads >= 1 && args.threads <= 64)) {
    throw new KeyscanError("E_USAGE", `--threads ${args.threads} is not a whole number from 1 to 64.`);
  }
  const verify = parseVerifyArgs(args, io, ruleset);
  const prepared: Prepared = {
    ruleset,
    verify,
    ...(config ? { config } : {}),
    maxFileSize,
    exclude: config?.exclude ?? [],
    scanOptions: {
      inlineAllow: !args["ignore-inline-allow"],
      ignoreFingerprints: new Set(ignoreFile?.fingerprints ?? []),
      ...(args.threads !== undefined ? { threads: args.threads } : {}),
    },
  };
  preparedFor.set(args, prepared);
  return prepared;
}

export function reportOptions(args: CommonArgs, io: Io, toFile: boolean): ReportOptions {
  const structured = args.format !== "text";
  return {
    redact: args.redact,
    color: !structured && !toFile && colorEnabled({ isTTY: io.stdoutIsTTY === true }, io.env, args.color),
  };
}

/**
 * Verify the findings when asked (--verify), render the result, write it where asked, and pick the exit code (1 when
 * anything was found, or with --fail-on verified when a key was verified live).
 */
export async function finish(result: ScanResult, args: CommonArgs, io: Io): Promise<CliResult> {
  const reporter = REPORTERS[args.format]!;
  let stdout = "";
  let stderr = "";
  const prepared = preparedFor.get(args);
  if (prepared?.verify) stderr += await applyVerification(result, prepared.ruleset, prepared.verify);
  if (args.output) {
    const body = reporter(result, reportOptions(args, io, true));
    try {
      writeFileSync(resolve(io.cwd, args.output), body);
    } catch (err) {
      throw new KeyscanError("E_USAGE", `cannot write --output ${args.output} (${describeCause(err)}).`, { cause: err });
    }
    // A one-line summary on stderr so a person running with --output still sees the outcome.
    const summary = renderText({ ...result, findings: result.findings, errors: [] }, { redact: true, color: false }).trimEnd().split("\n").pop();
    stderr += `${summary}\nreport written to ${args.output}\n`;
  } else {
    stdout = reporter(result, reportOptions(args, io, false));
    if (args.format !== "text") {
      for (const e of result.errors) stderr += `keyscan: ${e.path}: ${e.message} (${e.code})\n`;
    }
  }
  return { exitCode: failing(result, prepared?.verify) ? EXIT_FINDINGS : EXIT_CLEAN, stdout, stderr };
}
