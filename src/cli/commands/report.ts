/**
 * `keyscan report --from scan.json [--from shard-2.json …] --format <fmt>` — render saved JSON scans again without
 * rescanning; several `--from` files (shards of one audit, audits of several repositories) are merged first into one
 * result (src/report/merge.ts), and files of different keyscan or rule-set versions, or shards of different targets,
 * are refused with exit 2 naming the files. Missing or repeated shards are reported as warnings. Exit 1 when the
 * result holds findings, as for a scan, so the command can gate a pipeline too.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { KeyscanError, describeCause } from "../../errors.js";
import { formatNames } from "../../report/index.js";
import { mergeResults, withoutShardFields } from "../../report/merge.js";
import type { ScanResult } from "../../report/types.js";
import { finish, type CommonArgs } from "../common.js";
import type { Command } from "./types.js";

interface ReportArgs extends CommonArgs {
  from: string[];
}

/** Read one saved scan; anything that is not a keyscan scan of format version 1 is a usage error naming the file. */
export function readSavedScan(path: string, name: string): ScanResult {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new KeyscanError("E_USAGE", `cannot read --from ${name} as JSON (${describeCause(err)}); save a scan with \`--format json -o FILE\`.`, { cause: err });
  }
  const head = data as Partial<ScanResult> | null;
  if (!head || typeof head !== "object" || head.format !== "keyscan-scan") {
    throw new KeyscanError("E_USAGE", `--from ${name} is not a keyscan scan (expected "format": "keyscan-scan"); save one with \`--format json -o FILE\`.`);
  }
  if (head.version !== 1 || !Array.isArray(head.findings) || !head.tool || !head.rules || !head.stats) {
    throw new KeyscanError("E_USAGE", `--from ${name} is a keyscan scan of another format version or is damaged; re-run the scan with this keyscan.`);
  }
  return data as ScanResult;
}

export const reportCommand: Command = {
  command: "report",
  describe: "Render saved JSON scans (--from FILE, repeatable: shards are merged) in any format, without rescanning",
  builder: (y: Argv) =>
    y
      .option("from", { type: "string", array: true, demandOption: true, describe: "A scan saved with `--format json -o FILE`; repeat (or use a shell glob) to merge shards" })
      .option("format", { alias: "f", type: "string", default: "text", describe: `Output format: ${formatNames().join(", ")}` })
      .option("output", { alias: "o", type: "string", describe: "Write the report to this file instead of stdout" })
      .option("redact", { type: "boolean", default: true, describe: "Redact secrets (--no-redact shows them, if the saved scan has them)" })
      .option("color", { type: "boolean", describe: "Force colour on or off for the text format" }) as unknown as Argv,
  async run(raw, io) {
    const args = raw as unknown as ReportArgs;
    if (!formatNames().includes(args.format)) {
      throw new KeyscanError("E_USAGE", `unknown --format ${args.format}; use one of: ${formatNames().join(", ")}.`);
    }
    const files = args.from.map(String);
    const inputs = files.map((name) => ({ name, result: readSavedScan(resolve(io.cwd, name), name) }));
    const result =
      inputs.length === 1 && !inputs[0]!.result.shard
        ? { ...inputs[0]!.result, findings: inputs[0]!.result.findings.map(withoutShardFields) }
        : mergeResults(inputs);
    const out = await finish(result, args, io);
    const warnings = inputs.length > 1 || result.shard ? (result.warnings ?? []).map((w) => `keyscan: warning: ${w}\n`).join("") : "";
    return { ...out, stderr: warnings + out.stderr };
  },
};
