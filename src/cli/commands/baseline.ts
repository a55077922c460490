/**
 * `keyscan baseline [paths..]` — record the secrets found now as known, so that `--baseline` reports only new ones.
 * It writes `.keyscan-baseline.json` (or `-o FILE`), keeping the wording of entries that already exist so an
 * unchanged tree rewrites an identical file. `--prune` adds nothing: it drops the entries whose secret is no longer
 * found, lists them, and rewrites the file. The format is described in src/baseline.ts and docs/trust.md.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { DEFAULT_BASELINE_FILE, baselineFromFindings, readBaseline, writeBaseline, type BaselineEntry } from "../../baseline.js";
import { KeyscanError } from "../../errors.js";
import { printable } from "../../report/printable.js";
import { scan } from "../../scan.js";
import { workingTreeSource } from "../../sources/working-tree.js";
import { addCommonOptions, prepare, type CommonArgs } from "../common.js";
import { EXIT_CLEAN } from "../io.js";
import { commandEntry } from "./entries.js";
import type { Command } from "./types.js";

interface BaselineArgs extends CommonArgs {
  paths?: string[];
  prune: boolean;
}

export const baselineCommand: Command = {
  ...commandEntry("baseline"),
  builder: (y: Argv) =>
    addCommonOptions(y)
      .positional("paths", { type: "string", array: true, describe: "Files and folders to scan (default: .)" })
      .option("output", { type: "string", default: DEFAULT_BASELINE_FILE, describe: "Baseline file to write" })
      .option("prune", { type: "boolean", default: false, describe: "Only remove entries whose secret is no longer found (adds none); lists them" })
      // Report options mean nothing here: the baseline holds hashes only and is always the same format.
      .hide("format")
      .hide("redact")
      .hide("color")
      .hide("baseline")
      .hide("verify")
      .hide("only-verified")
      .hide("fail-on")
      .hide("exit-code")
      .hide("fail")
      .hide("allow-repo-rules-verify")
      .hide("verify-endpoint-override")
      .hide("verify-rate")
      .hide("verify-concurrency")
      .hide("verify-timeout")
      .hide("verify-retries") as unknown as Argv,
  async run(raw, io) {
    const args = raw as unknown as BaselineArgs;
    const file = args.output ?? DEFAULT_BASELINE_FILE;
    const abs = resolve(io.cwd, file);
    if (args.baseline) throw new KeyscanError("E_USAGE", "`keyscan baseline` writes a baseline; name it with -o, not --baseline.");
    if ((raw as { verify?: boolean }).verify) throw new KeyscanError("E_USAGE", "`keyscan baseline` records every secret found and does not verify; drop --verify.");
    const paths = args.paths && args.paths.length > 0 ? args.paths.map(String) : ["."];
    const existing: BaselineEntry[] = existsSync(abs) ? readBaseline(abs, file) : [];
    if (args.prune && !existsSync(abs)) throw new KeyscanError("E_USAGE", `baseline ${file} does not exist; there is nothing to prune (write one with \`keyscan baseline\`).`);
    const prepared = prepare({ ...args, baseline: undefined }, io);
    const source = workingTreeSource({ paths, cwd: io.cwd, maxFileSize: prepared.maxFileSize, gitignore: args.gitignore, exclude: prepared.exclude });
    const result = await scan(source, prepared.ruleset, prepared.scanOptions);
    const current = new Set(result.findings.map((f) => f.fingerprint));

    let entries: BaselineEntry[];
    if (args.prune) entries = existing.filter((e) => current.has(e.fingerprint));
    else entries = baselineFromFindings(result.findings, existing);
    const kept = new Set(entries.map((e) => e.fingerprint));
    const removed = existing.filter((e) => !kept.has(e.fingerprint));
    const before = new Set(existing.map((e) => e.fingerprint));
    const added = entries.filter((e) => !before.has(e.fingerprint)).length;
    writeBaseline(abs, file, entries);

    let stdout = "";
    for (const e of removed) stdout += `stale: ${e.fingerprint}  ${e.rule}  ${printable(e.path)}\n`;
    let stderr = `baseline ${file}: ${entries.length} entr${entries.length === 1 ? "y" : "ies"} (${added} added, ${removed.length} removed as no longer found)\n`;
    for (const e of result.errors) stderr += `keyscan: ${printable(e.path)}: ${printable(e.message)} (${e.code})\n`;
    if (result.errors.length > 0) stderr += "keyscan: warning: some inputs could not be read; secrets in them are not in the baseline.\n";
    return { exitCode: EXIT_CLEAN, stdout, stderr };
  },
};
