/**
 * `keyscan history` — every secret in the repository's past: all branches and tags (`--all-refs` adds remotes and
 * stashes), each unique blob scanned once, one finding per secret with the commit that first introduced it, every
 * other path and commit where it occurs, and whether HEAD still has it.
 */
import type { Argv } from "yargs";
import { scan } from "../../scan.js";
import { attributeHistory, historySource } from "../../sources/history.js";
import { addCommonOptions, finish, prepare, type CommonArgs } from "../common.js";
import type { Command } from "./types.js";

interface HistoryArgs extends CommonArgs {
  "all-refs": boolean;
}

export const historyCommand: Command = {
  command: "history",
  describe: "Scan the whole git history (all branches and tags) for secrets, each blob once",
  builder: (y: Argv) =>
    addCommonOptions(y).option("all-refs", { type: "boolean", default: false, describe: "Also scan remote-tracking refs and stashes" }) as unknown as Argv,
  async run(raw, io) {
    const args = raw as unknown as HistoryArgs;
    const prepared = prepare(args, io);
    const source = historySource({ cwd: io.cwd, env: io.env, allRefs: args["all-refs"], maxFileSize: prepared.maxFileSize, exclude: prepared.exclude });
    const scanned = await scan(source, prepared.ruleset, prepared.scanOptions);
    const result = await attributeHistory({ ...scanned, target: source.description }, source, { env: io.env, exclude: prepared.exclude });
    const out = await finish(result, args, io);
    const warnings = (result.warnings ?? []).map((w) => `keyscan: warning: ${w}\n`).join("");
    return { ...out, stderr: warnings + out.stderr };
  },
};
