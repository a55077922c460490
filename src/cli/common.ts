/**
 * What every scanning command shares: the output, rule and filter options, turning them into a RuleSet and scan
 * options once (fatal problems become exit 2 with a message saying what to fix), and writing the report and
 * choosing the exit code at the end. Commands (tree, staged, diff, history) differ only in their source.
 */
import { chmodSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { readBaselineFilter } from "../baseline.js";
import { insideCheckout, loadConfig, parseSize, type LoadedConfig } from "../config.js";
import { KeyscanError, describeCause } from "../errors.js";
import { loadRules, type RuleSource, type RulesAhead } from "../engine/load-rules.js";
import type { RuleSet } from "../engine/rule.js";
import { colorEnabled } from "../report/color.js";
import { FORMAT_NAMES } from "../report/formats.js";
import type { ReportOptions, Reporter } from "../report/types.js";
import { renderFindingText, renderText } from "../report/text.js";
import { printable } from "../report/printable.js";
import type { ScanResult } from "../report/types.js";
import { KEYSCAN_IGNORE_FILE, parseIgnoreFile, readIgnoreFile } from "../sources/ignore-rules.js";
import type { ScanOptions } from "../scan.js";
import type { CliResult, Io } from "./io.js";
import { gitleaksFiles, reportFormat } from "./gitleaks-compat.js";
import { startProgress, type Progress } from "./progress.js";
import { addExitOptions, exitFor, exitPolicy, type ExitArgs, type ExitPolicy } from "./exit-policy.js";
import { addVerifyOptions, applyVerification, parseVerifyArgs, type VerifyArgs, type VerifySettings } from "./verify-options.js";

export const DEFAULT_MAX_FILE_SIZE = "10MB";

export interface CommonArgs extends VerifyArgs, ExitArgs {
  format: string;
  output?: string;
  redact: boolean;
  config?: string;
  "gitleaks-config"?: string;
  rules?: string[];
  "max-file-size"?: string;
  gitignore: boolean;
  "ignore-inline-allow": boolean;
  color?: boolean;
  threads?: number;
  baseline?: string;
  "report-format"?: string;
  quiet?: boolean;
}

export function addCommonOptions<T>(y: Argv<T>): Argv<T & CommonArgs> {
  const common = y
    .option("format", { alias: "f", type: "string", default: "text", describe: `Output format: ${FORMAT_NAMES.join(", ")}` })
    .option("output", { alias: ["o", "report-path"], type: "string", describe: "Write the report to this file instead of stdout (--report-path: gitleaks' name)" })
    .option("report-format", { type: "string", describe: "gitleaks' name for --format: json, sarif (csv, junit, template: says what to use)" })
    .option("redact", { type: "boolean", default: true, describe: "Redact secrets in output (--no-redact shows them in full)" })
    .option("config", { alias: "c", type: "string", describe: "Config file (default: .keyscan.yaml/.yml/.json in the working directory)" })
    .option("gitleaks-config", { type: "string", describe: "Import the rules and allowlists of a gitleaks config (.gitleaks.toml); `--config x.toml` does the same" })
    .option("rules", { type: "string", array: true, describe: "Extra rule files or folders (repeatable)" })
    .option("max-file-size", { type: "string", describe: `Skip files larger than this (default ${DEFAULT_MAX_FILE_SIZE})` })
    .option("gitignore", { type: "boolean", default: true, describe: "Honour .gitignore files (--no-gitignore to scan ignored files too)" })
    .option("ignore-inline-allow", { type: "boolean", default: false, describe: "Ignore inline allow comments (keyscan:allow, gitleaks:allow, …)" })
    .option("quiet", { alias: "q", type: "boolean", describe: "No progress line on stderr (shown only on a terminal, outside CI, for scans over a second)" })
    .option("color", { type: "boolean", describe: "Force colour on or off (default: on for a terminal, off for NO_COLOR)" })
    .option("threads", { type: "number", describe: "Threads that match: this one and N-1 workers (default: all cores; workers only for large scans; history: the workers match and this thread feeds them; 1 = no workers)" })
    .option("baseline", { alias: "baseline-path", type: "string", describe: "Report only secrets not in this baseline (written by `keyscan baseline`; a keyscan or gitleaks JSON report also works)" });
  return addExitOptions(addVerifyOptions(common)) as unknown as Argv<T & CommonArgs>;
}

export interface Prepared {
  ruleset: RuleSet;
  /** Load warnings (untranslated gitleaks features, risky patterns in user rules), for stderr. */
  warnings: string[];
  /** What was picked up, for stderr (a `.gitleaks.toml`, `.gitleaksignore`, a gitleaks report as baseline). */
  notes: string[];
  config?: LoadedConfig;
  maxFileSize: number;
  scanOptions: ScanOptions;
  exclude: string[];
  /** `fingerprint:` lines of the top-level .keyscanignore, and those that matched a finding during the scan. */
  ignoreFingerprints: { all: string[]; used: Set<string> };
  /** The --verify family, checked before the scan. */
  verify?: VerifySettings;
  /** --fail-on, --exit-code, --no-fail: when findings fail the run. */
  exit: ExitPolicy;
  /** The progress line on a terminal (history calls its inputs blobs). */
  progress?: Progress;
  /** The findings were printed as they were found (streamFindings): the report at the end is the summary. */
  streamed?: boolean;
}

/**
 * Text output on a terminal prints each finding as soon as it is final (issue 20), for sources whose findings are
 * final when collected (files, the index, a commit range; not history, whose attribution needs the whole walk: it
 * names what it finds above the progress line instead). Not with --output, --verify (the verdict comes after the
 * scan) or a structured format; never through a pipe, so reports and goldens keep their order.
 */
export function streamFindings(prepared: Prepared, args: CommonArgs, io: Io, finalWhenFound: boolean): void {
  if (!finalWhenFound) {
    const progress = prepared.progress;
    if (progress) prepared.scanOptions.onFinding = (f) => progress.note(`keyscan: found ${printable(f.ruleName)} in ${printable(f.path)} (details at the end)\n`);
    return;
  }
  const live = io.liveStdout;
  if (!live || !io.stdoutIsTTY || args.format !== "text" || args.output || prepared.verify?.enabled) return;
  const options = reportOptions(args, io, false);
  prepared.streamed = true;
  prepared.scanOptions.onFinding = (f) => {
    prepared.progress?.clear();
    live(renderFindingText(f, options));
  };
}

/**
 * `staged`: keyscan's own files as staged in the index (`keyscan --staged`, issue 20), read instead of the working
 * tree's `.keyscanignore` and config; a file absent from it is absent.
 */
export function prepare(args: CommonArgs, io: Io, staged?: ReadonlyMap<string, string>, ahead?: RulesAhead): Prepared {
  // gitleaks' --report-format picks the format (finish renders args.format).
  if (args["report-format"] !== undefined) args.format = reportFormat(String(args["report-format"]));
  if (!FORMAT_NAMES.includes(args.format)) {
    throw new KeyscanError("E_USAGE", `unknown --format ${args.format}; use one of: ${FORMAT_NAMES.join(", ")}.`);
  }
  // A TOML file given as --config is a gitleaks config (keyscan's own config is YAML or JSON).
  const gitleaks = [args["gitleaks-config"], args.config && /\.toml$/i.test(args.config) ? args.config : undefined].filter((p): p is string => !!p);
  const config = loadConfig(args.config && /\.toml$/i.test(args.config) ? undefined : args.config, io.cwd, staged);
  // Issue 20: gitleaks' own files, when keyscan has no config of its own (.gitleaksignore always, beside .keyscanignore).
  const fromGitleaks = gitleaksFiles(io.cwd, !config && gitleaks.length === 0, staged);
  if (fromGitleaks.config) gitleaks.push(fromGitleaks.config);
  const extra: RuleSource[] = [
    ...gitleaks.map((p) => ({ path: resolve(io.cwd, p), format: "gitleaks" as const })),
    ...(config?.rules ?? []).map((path) => ({ path, fromRepoConfig: (config?.fromRepo ?? false) || insideCheckout(path, io.cwd) })),
    ...(args.rules ?? []).map((p) => ({ path: resolve(io.cwd, p), fromRepoConfig: insideCheckout(p, io.cwd) })),
  ];
  const ruleset = loadRules({ extra, disable: config?.disable ?? [], ...(ahead ? { ahead } : {}) });
  const maxFileSize = parseSize(args["max-file-size"] ?? config?.maxFileSize ?? DEFAULT_MAX_FILE_SIZE, "--max-file-size");
  const stagedIgnore = staged?.get(KEYSCAN_IGNORE_FILE);
  const ignoreFile = staged ? (stagedIgnore === undefined ? undefined : parseIgnoreFile(stagedIgnore)) : readIgnoreFile(resolve(io.cwd, KEYSCAN_IGNORE_FILE));
  if (args.threads !== undefined && !(Number.isInteger(args.threads) && args.threads >= 1 && args.threads <= 64)) {
    throw new KeyscanError("E_USAGE", `--threads ${args.threads} is not a whole number from 1 to 64.`);
  }
  // The baseline is applied here, in the options every scanning command passes to scan(), so no command can miss it.
  const baseline = args.baseline ? readBaselineFilter(resolve(io.cwd, args.baseline), args.baseline) : undefined;
  const gitleaksIgnore = [...fromGitleaks.ignore, ...(baseline?.gitleaks ?? [])];
  const used = new Set<string>();
  const verify = parseVerifyArgs(args, io, ruleset);
  const progress = startProgress(io, args.quiet);
  const prepared: Prepared = {
    ...(progress ? { progress } : {}),
    ruleset,
    verify,
    exit: exitPolicy(args),
    warnings: [...(ruleset.warnings ?? [])],
    notes: [...fromGitleaks.notes, ...(baseline?.note ? [baseline.note] : [])],
    ...(config ? { config } : {}),
    maxFileSize,
    exclude: config?.exclude ?? [],
    ignoreFingerprints: { all: ignoreFile?.fingerprints ?? [], used },
    scanOptions: {
      inlineAllow: !args["ignore-inline-allow"],
      ignoreFingerprints: new Set(ignoreFile?.fingerprints ?? []),
      ...(args.threads !== undefined ? { threads: args.threads } : {}),
      ...(baseline ? { baseline: baseline.fingerprints } : {}),
      ...(baseline?.secrets.size ? { baselineSecrets: baseline.secrets } : {}),
      ...(gitleaksIgnore.length > 0 ? { gitleaksIgnore } : {}),
      // Rules keyscan did not ship are matched only in workers, under the pool's watchdog (issue 19).
      ...(extra.length > 0 ? { isolate: true } : {}),
      ...(progress ? { onProgress: progress.update } : {}),
      onSuppressed: (fingerprint, by) => {
        if (by === "ignore") used.add(fingerprint);
      },
    },
  };
  return prepared;
}

/**
 * A warning for `.keyscanignore` `fingerprint:` lines that matched nothing. Only meaningful after a scan of the
 * whole tree (a scan of one folder would call every entry for another folder stale), so callers decide when.
 */
export function staleIgnoreWarnings(prepared: Prepared): string {
  const stale = prepared.ignoreFingerprints.all.filter((fp) => !prepared.ignoreFingerprints.used.has(fp));
  if (stale.length === 0) return "";
  const list = stale.map((fp) => `  fingerprint:${fp}\n`).join("");
  return `keyscan: warning: ${stale.length} ${KEYSCAN_IGNORE_FILE} fingerprint line${stale.length === 1 ? "" : "s"} matched nothing in this scan; the secret is gone, so remove ${stale.length === 1 ? "it" : "them"}:\n${list}`;
}

export function reportOptions(args: CommonArgs, io: Io, toFile: boolean): ReportOptions {
  const structured = args.format !== "text";
  return {
    redact: args.redact,
    color: !structured && !toFile && colorEnabled({ isTTY: io.stdoutIsTTY === true }, io.env, args.color),
  };
}

/**
 * What a scanning command's stages produced, ready for verification and a reporter: the result, what the rules and
 * options were (passed on explicitly, never looked up by the arguments object), and its notes for stderr before and
 * after the report's own. `keyscan ci` composes the same stages and takes this instead of a rendered report.
 */
export interface Scanned {
  result: ScanResult;
  /** Absent for a result read back from saved scans (`keyscan report`): nothing to verify with. */
  prepared?: Prepared;
  /** Notes printed before the report's own stderr (load warnings, history's incremental summary). */
  before?: string;
  /** Notes printed after it (stale `.keyscanignore` entries). */
  after?: string;
}

/**
 * The verify finalizer (--verify): checks the findings with their providers, drops all but live keys for
 * `--only-verified`, and returns what to print on stderr. Data in, data out; a no-op unless asked.
 */
export async function verifyStage(scanned: Scanned): Promise<{ result: ScanResult; stderr: string }> {
  const { result, prepared } = scanned;
  if (!prepared?.verify) return { result, stderr: "" };
  const stderr = await applyVerification(result, prepared.ruleset, prepared.verify);
  return { result, stderr };
}

/** With a structured report on stdout, per-input errors go to stderr (the text report lists them itself). */
export function errorNotes(result: ScanResult): string {
  return result.errors.map((e) => `keyscan: ${printable(e.path)}: ${printable(e.message)} (${e.code})\n`).join("");
}

/**
 * Verify the findings when asked (--verify), render the result, write it where asked, and pick the exit code (1 when
 * anything was found, or with --fail-on verified when a key was verified live).
 */
export async function finish(scanned: Scanned, args: CommonArgs, io: Io): Promise<CliResult> {
  scanned.prepared?.progress?.stop(); // the line is cleared before anything else is printed
  // The text reporter is the common case (a pre-commit hook); the others load with the registry (issue 7).
  const reporter: Reporter = args.format === "text" ? renderText : (await import("../report/index.js")).REPORTERS[args.format]!;
  let stdout = "";
  const verified = await verifyStage(scanned);
  const result = verified.result;
  let stderr = verified.stderr;
  if (args.output) {
    const body = reporter(result, reportOptions(args, io, true));
    const outPath = resolve(io.cwd, args.output);
    try {
      // A report with secrets in full (--no-redact) is readable by its owner only.
      if (!args.redact) {
        try {
          chmodSync(outPath, 0o600);
        } catch {
          // not there yet: created 0600 below
        }
      }
      writeFileSync(outPath, body, args.redact ? undefined : { mode: 0o600 });
    } catch (err) {
      throw new KeyscanError("E_USAGE", `cannot write --output ${args.output} (${describeCause(err)}).`, { cause: err });
    }
    // A one-line summary on stderr so a person running with --output still sees the outcome.
    const summary = renderText({ ...result, findings: result.findings, errors: [] }, { redact: true, color: false }).trimEnd().split("\n").pop();
    stderr += `${summary}\nreport written to ${args.output}\n`;
  } else {
    stdout = scanned.prepared?.streamed ? renderText(result, { ...reportOptions(args, io, false), findingsShown: true }) : reporter(result, reportOptions(args, io, false));
    if (args.format !== "text") stderr += errorNotes(result);
  }
  const { exitCode, note } = exitFor(result, scanned.prepared?.exit ?? exitPolicy(args));
  const notes = scanned.prepared?.notes.join("") ?? "";
  return { exitCode, stdout, stderr: notes + (scanned.before ?? "") + stderr + note + (scanned.after ?? "") };
}
