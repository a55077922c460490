/**
 * `keyscan report --from scan.json --format <fmt>` — render a saved JSON scan again in any format, without
 * rescanning (a scan saved in CI, turned into HTML or SARIF later). Several `--from` files (repeat the flag, or give a
 * shell glob: `--from shard-*.json`) are merged first into one result (src/report/merge.ts): the shards of a sharded
 * audit, or audits of several repositories; files of different keyscan or rule-set versions, or shards of different
 * targets, stop with exit 2 naming the files, and missing or repeated shards are warnings. The input is checked
 * first: a file that is not a keyscan scan, or one of another format version, stops with exit 2 and says what to
 * do. A scan saved redacted stays redacted (--no-redact cannot bring back what was never written). Exit 1 when the
 * scan holds findings, as for a scan, so the command can gate a pipeline too.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { KeyscanError, describeCause } from "../../errors.js";
import { formatNames } from "../../report/index.js";
import { mergeResults, withoutShardFields } from "../../report/merge.js";
import { parseSavedScan } from "../../report/saved-scan.js";
import type { ScanResult } from "../../report/types.js";
import { finish, type CommonArgs } from "../common.js";
import { commandEntry } from "./entries.js";
import type { Command } from "./types.js";

interface ReportArgs extends CommonArgs {
  from: string[];
}

function readSaved(io: { cwd: string }, name: string): ScanResult {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, name), "utf8");
  } catch (err) {
    throw new KeyscanError("E_USAGE", `cannot read --from ${name} (${describeCause(err)}).`, { cause: err });
  }
  return parseSavedScan(text, name);
}

export const reportCommand: Command = {
  ...commandEntry("report"),
  builder: (y: Argv) =>
    y
      .option("from", { type: "string", array: true, demandOption: true, describe: "A scan saved with `--format json -o FILE`; repeat it (or give a glob) to merge shards" })
      .option("format", { alias: "f", type: "string", default: "text", describe: `Output format: ${formatNames().join(", ")}` })
      .option("output", { alias: "o", type: "string", describe: "Write the report to this file instead of stdout" })
      .option("redact", { type: "boolean", default: true, describe: "Redact secrets (--no-redact shows them, if the saved scan has them)" })
      .option("color", { type: "boolean", describe: "Force colour on or off for the text format" }) as unknown as Argv,
  async run(raw, io) {
    const args = raw as unknown as ReportArgs;
    if (!formatNames().includes(args.format)) {
      throw new KeyscanError("E_USAGE", `unknown --format ${args.format}; use one of: ${formatNames().join(", ")}.`);
    }
    const names = args.from.map(String);
    const inputs = names.map((name) => ({ name, result: readSaved(io, name) }));
    const single = inputs.length === 1 && !inputs[0]!.result.shard;
    const result = single ? { ...inputs[0]!.result, findings: inputs[0]!.result.findings.map(withoutShardFields) } : mergeResults(inputs);
    const out = await finish({ result }, args, io);
    const redactedInputs = inputs.filter((i) => i.result.redacted).map((i) => i.name);
    const note = redactedInputs.length > 0 && !args.redact ? `keyscan: ${redactedInputs.join(", ")} ${redactedInputs.length === 1 ? "was" : "were"} saved redacted; ${redactedInputs.length === 1 ? "its" : "their"} secrets cannot be shown in full.\n` : "";
    const warnings = single ? "" : (result.warnings ?? []).map((w) => `keyscan: warning: ${w}\n`).join("");
    return { ...out, stderr: note + warnings + out.stderr };
  },
};
