/**
 * When findings fail a run, one policy for every command (issue 20: `--fail-on` used to take different values in
 * `keyscan .` and `keyscan ci`): `--fail-on` any | verified | none | a severity (that severity or worse fails),
 * gitleaks' `--exit-code N` (the exit code when findings fail the run; 0 = report only) and `--no-fail` (report only,
 * same as `--fail-on none`). A bad value is exit 2 with what to use.
 */
import type { Argv } from "yargs";
import type { Severity } from "../engine/rule-schema.js";
import { KeyscanError } from "../errors.js";
import type { Finding, ScanResult } from "../report/types.js";
// SEVERITY_ORDER, not the rule schema's SEVERITIES: that module brings zod, which a pre-commit run must not load.
import { SEVERITY_ORDER, severityRank } from "../report/summary.js";
import { EXIT_CLEAN, EXIT_FINDINGS } from "./io.js";

export const FAIL_ON_CHOICES: readonly string[] = ["any", "verified", "none", ...SEVERITY_ORDER];
export type FailOn = "any" | "verified" | "none" | Severity;

export interface ExitArgs {
  "fail-on"?: string;
  "exit-code"?: number;
  /** `--no-fail` sets it false. */
  fail?: boolean;
}

export const FAIL_ON_DESCRIPTION =
  "What fails the run (exit 1): any finding, a severity (that or worse: critical, high, medium, low, info), only keys verified live (needs --verify), or none (report only)";

export function addExitOptions<T>(y: Argv<T>): Argv<T & ExitArgs> {
  return y
    .option("fail-on", { type: "string", choices: [...FAIL_ON_CHOICES], default: "any", describe: FAIL_ON_DESCRIPTION })
    .option("exit-code", { type: "number", describe: "Exit code when findings fail the run (default 1; 0 = report only; gitleaks' --exit-code)" })
    .option("fail", { type: "boolean", default: true, describe: "--no-fail: report only, exit 0 whatever is found (same as --fail-on none)" }) as unknown as Argv<T & ExitArgs>;
}

export interface ExitPolicy {
  failOn: FailOn;
  /** The exit code when findings fail the run. */
  code: number;
}

/** Check the flags once, before the scan. */
export function exitPolicy(args: ExitArgs): ExitPolicy {
  const failOn = (args["fail-on"] ?? "any") as FailOn;
  if (!FAIL_ON_CHOICES.includes(failOn)) throw new KeyscanError("E_USAGE", `--fail-on ${failOn}: use one of ${FAIL_ON_CHOICES.join(", ")}.`);
  const code = args["exit-code"] ?? EXIT_FINDINGS;
  if (!Number.isInteger(code) || code < 0 || code > 125) throw new KeyscanError("E_USAGE", `--exit-code ${args["exit-code"]}: expected a whole number from 0 to 125 (0 = report only).`);
  return { failOn: args.fail === false ? "none" : failOn, code };
}

/** The findings that fail the run under `failOn`. */
export function failingFindings(result: Pick<ScanResult, "findings">, failOn: FailOn): Finding[] {
  if (failOn === "none") return [];
  if (failOn === "verified") return result.findings.filter((f) => f.verification?.status === "verified");
  const worst = severityRank(failOn === "any" ? "info" : (failOn as Severity));
  return result.findings.filter((f) => severityRank(f.severity) <= worst);
}

/** The exit code for a finished scan, and a note when findings were reported but do not fail it. */
export function exitFor(result: Pick<ScanResult, "findings">, policy: ExitPolicy): { exitCode: number; note: string } {
  const failing = failingFindings(result, policy.failOn).length > 0;
  const n = result.findings.length;
  const note =
    n > 0 && policy.failOn === "none"
      ? `keyscan: ${n} finding${n === 1 ? "" : "s"}; report only (--fail-on none or --no-fail), not failing.\n`
      : n > 0 && !failing
      ? `keyscan: ${n} finding${n === 1 ? "" : "s"}, none at or above --fail-on ${policy.failOn}; not failing.\n`
      : n > 0 && policy.code === EXIT_CLEAN
        ? `keyscan: ${n} finding${n === 1 ? "" : "s"}; --exit-code 0: report only, not failing.\n`
        : "";
  return { exitCode: failing ? policy.code : EXIT_CLEAN, note };
}
