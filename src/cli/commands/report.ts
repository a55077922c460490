/**
 * `keyscan report --from scan.json --format <fmt>` — render a saved JSON scan again in any format, without
 * rescanning (a scan saved in CI, turned into HTML or SARIF later). The input is checked first: a file that is not
 * a keyscan scan, or one of another format version, stops with exit 2 and says what to do. A scan saved redacted
 * stays redacted (--no-redact cannot bring back what was never written). Exit 1 when the scan holds findings, as
 * for a scan, so the command can gate a pipeline too.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { KeyscanError, describeCause } from "../../errors.js";
import { formatNames } from "../../report/index.js";
import { parseSavedScan } from "../../report/saved-scan.js";
import { finish, type CommonArgs } from "../common.js";
import type { Command } from "./types.js";

interface ReportArgs extends CommonArgs {
  from: string;
}

export const reportCommand: Command = {
  command: "report",
  describe: "Render a saved JSON scan (--from scan.json) in another format, without rescanning",
  builder: (y: Argv) =>
    y
      .option("from", { type: "string", demandOption: true, describe: "A scan saved with `--format json -o FILE`" })
      .option("format", { alias: "f", type: "string", default: "text", describe: `Output format: ${formatNames().join(", ")}` })
      .option("output", { alias: "o", type: "string", describe: "Write the report to this file instead of stdout" })
      .option("redact", { type: "boolean", default: true, describe: "Redact secrets (--no-redact shows them, if the saved scan has them)" })
      .option("color", { type: "boolean", describe: "Force colour on or off for the text format" }) as unknown as Argv,
  async run(raw, io) {
    const args = raw as unknown as ReportArgs;
    if (!formatNames().includes(args.format)) {
      throw new KeyscanError("E_USAGE", `unknown --format ${args.format}; use one of: ${formatNames().join(", ")}.`);
    }
    const path = resolve(io.cwd, args.from);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new KeyscanError("E_USAGE", `cannot read --from ${args.from} (${describeCause(err)}).`, { cause: err });
    }
    const result = parseSavedScan(text, args.from);
    const out = await finish(result, args, io);
    const note = result.redacted && !args.redact ? `keyscan: ${args.from} was saved redacted; its secrets cannot be shown in full.\n` : "";
    return { ...out, stderr: note + out.stderr };
  },
};
