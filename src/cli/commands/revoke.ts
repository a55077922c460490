/**
 * `keyscan revoke --from report.json` (issue 22) — for the person on call: revoke the live keys of a saved report
 * through each rule's documented self-service revocation (src/verify/revoke.ts). A dry run unless `--yes`: it prints
 * the request it would send for each secret, masked, and sends nothing. It takes the findings of `--fingerprint`s,
 * or every finding verified live; it needs the secrets themselves, from a report written with `--no-redact` or from
 * `--rescan PATH`. Each outcome is printed and, with `--output`, written as JSON; `--write-scan` writes the report
 * again (redacted) with each finding's revocation, for `keyscan report`. Exit 0 when every selected key is revoked
 * or already invalid (or on a dry run), 1 when one is not, 2 for bad input.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { KeyscanError, describeCause } from "../../errors.js";
import { loadCommandRules } from "../command-rules.js";
import { isRedacted } from "../../report/redact.js";
import { REPORTERS } from "../../report/index.js";
import { parseSavedScan } from "../../report/saved-scan.js";
import type { Finding, ScanResult } from "../../report/types.js";
import { scan } from "../../scan.js";
import { workingTreeSource } from "../../sources/working-tree.js";
import { revokeFindings, type RevokeOutcome } from "../../verify/revoke.js";
import { EXIT_CLEAN, EXIT_FINDINGS } from "../io.js";
import { parseVerifyArgs, type VerifyArgs } from "../verify-options.js";
import { commandEntry } from "./entries.js";
import type { Command } from "./types.js";

interface RevokeArgs extends VerifyArgs {
  from: string;
  fingerprint?: string[];
  yes: boolean;
  output?: string;
  "write-scan"?: string;
  rescan?: string[];
  format: string;
  config?: string;
  rules?: string[];
}

const DONE = new Set(["revoked", "already-invalid", "dry-run"]);

function readReport(cwd: string, name: string): ScanResult {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, name), "utf8");
  } catch (err) {
    throw new KeyscanError("E_USAGE", `cannot read --from ${name} (${describeCause(err)}).`, { cause: err });
  }
  return parseSavedScan(text, name);
}

function line(o: RevokeOutcome, dryRun: boolean): string {
  const where = `${o.path}:${o.line}  ${o.rule}  ${o.fingerprint}`;
  const head = dryRun && o.status === "dry-run" ? "would send" : o.status;
  const lines = [`${head.padEnd(15)} ${where}`];
  if (o.request) lines.push(`    ${dryRun && o.status === "dry-run" ? "" : "request: "}${o.request}`);
  if (o.httpStatus !== undefined) lines.push(`    HTTP ${o.httpStatus}`);
  if (o.reason) lines.push(`    ${o.reason}`);
  if (o.manual && !DONE.has(o.status)) lines.push(`    revoke by hand: ${o.manual}`);
  return lines.join("\n");
}

export const revokeCommand: Command = {
  ...commandEntry("revoke"),
  builder: (y: Argv) =>
    y
      .option("from", { type: "string", demandOption: true, describe: "A report saved with `--format json -o FILE` (with --no-redact, or use --rescan)" })
      .option("fingerprint", { type: "string", array: true, describe: "Revoke these findings (repeatable); default: every finding verified live" })
      .option("yes", { type: "boolean", default: false, describe: "Send the revoke requests (without it: a dry run that prints them and sends nothing)" })
      .option("rescan", { type: "string", array: true, describe: "Paths to scan again for the secrets of a redacted report" })
      .option("output", { alias: "o", type: "string", describe: "Write the outcomes as JSON to this file" })
      .option("write-scan", { type: "string", describe: "Write the report again (redacted) with each finding's revocation, for `keyscan report`" })
      .option("format", { alias: "f", type: "string", default: "text", choices: ["text", "json"] })
      .option("config", { alias: "c", type: "string", describe: "Config file (default: .keyscan.yaml/.yml/.json in the working directory)" })
      .option("rules", { type: "string", array: true, describe: "Extra rule files or folders (repeatable), as for the scan" })
      .option("allow-repo-rules-verify", { type: "boolean", default: false, describe: "Let rules from the repository's own config revoke" })
      .option("verify-timeout", { type: "string", describe: "Time limit per request, e.g. 5s (default 10s)" })
      .option("verify-endpoint-override", { type: "string", array: true, describe: "TESTING ONLY: PROVIDER=BASE_URL sends that provider's revoke request to a local stand-in" }) as unknown as Argv,
  async run(raw, io) {
    const args = raw as unknown as RevokeArgs;
    const report = readReport(io.cwd, String(args.from));
    const ruleset = loadCommandRules(args, io.cwd);
    const settings = parseVerifyArgs({ ...args, verify: true }, io, ruleset);

    const wanted = (args.fingerprint ?? []).map(String);
    let selected: Finding[];
    if (wanted.length) {
      const unknown = wanted.filter((w) => !report.findings.some((f) => f.fingerprint === w));
      if (unknown.length) throw new KeyscanError("E_USAGE", `--fingerprint ${unknown.join(", ")}: not in ${args.from}; \`keyscan report --from ${args.from}\` lists the fingerprints.`);
      selected = report.findings.filter((f) => wanted.includes(f.fingerprint));
    } else {
      selected = report.findings.filter((f) => f.verification?.status === "verified");
    }
    let stderr = settings.notices.map((n) => `${n}\n`).join("");
    if (selected.length === 0) {
      stderr += `keyscan: nothing to revoke: ${args.from} has no finding verified live (scan with --verify, or name findings with --fingerprint).\n`;
      return { exitCode: EXIT_CLEAN, stdout: args.format === "json" ? `${JSON.stringify({ format: "keyscan-revoke", version: 1, dryRun: !args.yes, outcomes: [] }, null, 2)}\n` : "", stderr };
    }

    // The secrets of a redacted report: scan the named paths again and match by fingerprint.
    const secrets = new Map<string, { secret: string; companions?: Record<string, string> }>();
    const needSecrets = selected.some((f) => isRedacted(f.secret) || report.redacted);
    if (needSecrets && args.rescan?.length) {
      const source = workingTreeSource({ paths: args.rescan.map(String), cwd: io.cwd, maxFileSize: 10 * 1024 * 1024 });
      const again = await scan(source, ruleset, { threads: 1 });
      for (const f of again.findings) secrets.set(f.fingerprint, { secret: f.secret, ...(f.companions ? { companions: f.companions } : {}) });
    }
    const outcomes = await revokeFindings(selected, ruleset, { send: args.yes === true, endpointOverrides: settings.options.endpointOverrides ?? {}, allowRepoRules: settings.options.allowRepoRules ?? false, ...(settings.options.timeoutMs !== undefined ? { timeoutMs: settings.options.timeoutMs } : {}) }, secrets);

    const doc = { format: "keyscan-revoke", version: 1, dryRun: !args.yes, from: String(args.from), outcomes };
    if (args.output) writeFileSync(resolve(io.cwd, String(args.output)), `${JSON.stringify(doc, null, 2)}\n`);
    if (args["write-scan"]) {
      const byFingerprint = new Map(outcomes.map((o) => [o.fingerprint, o]));
      const annotated: ScanResult = {
        ...report,
        findings: report.findings.map((f) => {
          const o = byFingerprint.get(f.fingerprint);
          return o && o.status !== "dry-run" ? { ...f, revocation: { status: o.status, at: o.at, ...(o.endpoint ? { endpoint: o.endpoint } : {}), ...(o.reason ? { reason: o.reason } : {}), ...(o.httpStatus !== undefined ? { httpStatus: o.httpStatus } : {}) } } : f;
        }),
      };
      writeFileSync(resolve(io.cwd, String(args["write-scan"])), REPORTERS.json!(annotated, { redact: true, color: false }));
    }
    const counts = new Map<string, number>();
    for (const o of outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
    const summary = `${args.yes ? "" : "DRY RUN (nothing sent; add --yes to send): "}${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}`;
    const stdout = args.format === "json" ? `${JSON.stringify(doc, null, 2)}\n` : `${outcomes.map((o) => line(o, !args.yes)).join("\n")}\n${summary}\n`;
    return { exitCode: outcomes.every((o) => DONE.has(o.status)) ? EXIT_CLEAN : EXIT_FINDINGS, stdout, stderr };
  },
};
