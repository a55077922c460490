/**
 * The `--verify` family of scan options and what `finish` does with them: check the flags once before the scan
 * (a bad value is exit 2 with a message saying what to fix), then after the scan verify the findings, drop all but
 * live keys for `--only-verified` (the exit code is src/cli/exit-policy.ts's). Kept out of common.ts so every scan
 * command gets verification by using the shared options and `finish`, and common.ts stays small.
 */
import type { Argv } from "yargs";
import type { RuleSet } from "../engine/rule.js";
import { KeyscanError } from "../errors.js";
import type { ScanResult } from "../report/types.js";
import type { PerProvider, VerifyOptions, VerifySummary } from "../verify/index.js";
import { VERIFY_DEFAULTS } from "../verify/types.js";
import type { Io } from "./io.js";

export interface VerifyArgs {
  verify?: boolean;
  /** Issue 22: map what live keys can reach (implies --verify; --no-access keeps --verify to live/invalid). */
  access?: boolean;
  "only-verified"?: boolean;
  "fail-on"?: string;
  "allow-repo-rules-verify"?: boolean;
  "verify-endpoint-override"?: string[];
  "verify-rate"?: string[];
  "verify-concurrency"?: string[];
  "verify-timeout"?: string;
  "verify-retries"?: number;
}

export function addVerifyOptions<T>(y: Argv<T>): Argv<T & VerifyArgs> {
  return y
    .option("verify", { type: "boolean", default: false, describe: "Ask each provider (read-only endpoint from the rule file) whether found keys are live" })
    .option("access", { type: "boolean", describe: "Map what each live key can reach (identity, scopes, resources, spend; the rule's `access` block). On with --verify; --access implies --verify, --no-access turns it off" })
    .option("only-verified", { type: "boolean", default: false, describe: "Report only keys verified live (needs --verify)" })
    .option("allow-repo-rules-verify", { type: "boolean", default: false, describe: "Let rules from the scanned repository's own config verify (off: a repo could send keys to its own server)" })
    .option("verify-endpoint-override", { type: "string", array: true, describe: `TESTING ONLY: PROVIDER=BASE_URL sends that provider's verification there, with HTTPS/host/private-address checks off (command line only, never from the environment)` })
    .option("verify-rate", { type: "string", array: true, describe: `Requests per second per provider: N, or PROVIDER=N (default ${VERIFY_DEFAULTS.rate})` })
    .option("verify-concurrency", { type: "string", array: true, describe: `Requests in flight per provider: N, or PROVIDER=N (default ${VERIFY_DEFAULTS.concurrency})` })
    .option("verify-timeout", { type: "string", describe: `Time limit per request, e.g. 5s or 800ms (default ${VERIFY_DEFAULTS.timeoutMs / 1000}s)` })
    .option("verify-retries", { type: "number", describe: `Retries after 429, 5xx or a timeout (default ${VERIFY_DEFAULTS.retries})` }) as unknown as Argv<T & VerifyArgs>;
}

export interface VerifySettings {
  enabled: boolean;
  onlyVerified: boolean;
  options: VerifyOptions;
  /** Loud notes to print before verifying (active overrides). */
  notices: string[];
}

function perProvider(values: string[] | undefined, flag: string, ruleset: RuleSet, parse: (v: string) => number | undefined, fallback: number): PerProvider<number> {
  const out: PerProvider<number> = { default: fallback, byProvider: {} };
  for (const raw of values ?? []) {
    const m = /^(?:([a-z0-9][a-z0-9-]*)=)?(.+)$/.exec(String(raw).trim());
    const n = m ? parse(m[2]!) : undefined;
    if (!m || n === undefined) throw new KeyscanError("E_USAGE", `${flag} ${raw}: expected N or PROVIDER=N with a positive number.`);
    if (m[1] === undefined) out.default = n;
    else {
      knownProvider(m[1], flag, ruleset);
      out.byProvider[m[1]] = n;
    }
  }
  return out;
}

function knownProvider(id: string, flag: string, ruleset: RuleSet): void {
  if (!ruleset.providers.some((p) => p.id === id)) {
    throw new KeyscanError("E_USAGE", `${flag}: unknown provider \`${id}\`; \`keyscan rules list\` shows the providers.`);
  }
}

function parseDurationMs(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2]?.toLowerCase() === "s" ? 1000 : 1);
  return n > 0 ? Math.round(n) : undefined;
}

/** Validate the verify flags (before the scan). */
export function parseVerifyArgs(args: VerifyArgs, _io: Io, ruleset: RuleSet): VerifySettings {
  const enabled = args.verify === true || args.access === true;
  if (!enabled && args["only-verified"]) throw new KeyscanError("E_USAGE", "--only-verified needs --verify (keyscan makes no network request unless asked).");
  if (!enabled && args["fail-on"] === "verified") throw new KeyscanError("E_USAGE", "--fail-on verified needs --verify (keyscan makes no network request unless asked).");

  const overrides: Record<string, string> = {};
  // Only on the command line: an environment variable that turns the safety checks off could be set by anything in a
  // CI job's environment (issue 19), so none exists.
  for (const raw of (args["verify-endpoint-override"] ?? []).map(String)) {
    const m = /^([a-z0-9][a-z0-9-]*)=(.+)$/.exec(raw.trim());
    let ok = false;
    if (m) {
      try {
        const u = new URL(m[2]!);
        ok = (u.protocol === "http:" || u.protocol === "https:") && !u.username && !u.password && !u.search && !u.hash;
      } catch {
        ok = false;
      }
    }
    if (!m || !ok) throw new KeyscanError("E_USAGE", `--verify-endpoint-override ${raw}: expected PROVIDER=BASE_URL, e.g. getimg=http://127.0.0.1:8080.`);
    knownProvider(m[1]!, "--verify-endpoint-override", ruleset);
    overrides[m[1]!] = m[2]!;
  }
  const rate = perProvider(args["verify-rate"], "--verify-rate", ruleset, (v) => {
    const n = Number(v);
    return Number.isFinite(n) && n > 0 && n <= 10_000 ? n : undefined;
  }, VERIFY_DEFAULTS.rate);
  const concurrency = perProvider(args["verify-concurrency"], "--verify-concurrency", ruleset, (v) => {
    const n = Number(v);
    return Number.isInteger(n) && n >= 1 && n <= 256 ? n : undefined;
  }, VERIFY_DEFAULTS.concurrency);
  let timeoutMs: number = VERIFY_DEFAULTS.timeoutMs;
  if (args["verify-timeout"] !== undefined) {
    const t = parseDurationMs(String(args["verify-timeout"]));
    if (t === undefined) throw new KeyscanError("E_USAGE", `--verify-timeout ${args["verify-timeout"]}: expected a duration such as 5s or 800ms.`);
    timeoutMs = t;
  }
  const retries = args["verify-retries"] ?? VERIFY_DEFAULTS.retries;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw new KeyscanError("E_USAGE", `--verify-retries ${retries}: expected a whole number from 0 to 10.`);

  const notices = Object.entries(overrides).map(
    ([p, url]) => `keyscan: WARNING: TEST OVERRIDE ACTIVE: ${p} verification goes to ${url}, with the HTTPS, declared-host and private-address checks OFF for ${p}. Never use this outside testing.`,
  );
  return {
    enabled,
    onlyVerified: args["only-verified"] === true,
    notices,
    options: { access: args.access !== false, endpointOverrides: overrides, rate, concurrency, timeoutMs, retries, allowRepoRules: args["allow-repo-rules-verify"] === true },
  };
}

/** Verify the result's findings in place (when asked); returns what to print on stderr. */
export async function applyVerification(result: ScanResult, ruleset: RuleSet, settings: VerifySettings): Promise<string> {
  if (!settings.enabled || result.findings.length === 0) return settings.enabled ? settings.notices.map((n) => `${n}\n`).join("") : "";
  let stderr = settings.notices.map((n) => `${n}\n`).join("");
  const warnings: string[] = [];
  // Loaded only when verifying: the verifier (HTTP, templates, limits) is no part of a plain scan's start-up (issue 7).
  const { verifyFindings } = await import("../verify/index.js");
  const summary: VerifySummary = await verifyFindings(result, ruleset, { ...settings.options, warn: (m) => warnings.push(m) });
  for (const w of warnings) stderr += `keyscan: ${w}\n`;
  stderr +=
    `keyscan: verified ${summary.findings} finding${summary.findings === 1 ? "" : "s"} (${summary.distinct} distinct, ${summary.requests} request${summary.requests === 1 ? "" : "s"}, ` +
    `${(summary.durationMs / 1000).toFixed(1)} s): ${summary.verified} live, ${summary.invalid} invalid, ${summary.unknown} unknown\n`;
  if (settings.onlyVerified) result.findings = result.findings.filter((f) => f.verification?.status === "verified");
  return stderr;
}

