/**
 * `keyscan [paths..]` — the default command: scan files under the given paths (default `.`), or standard input with
 * `keyscan -`.
 */
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { KeyscanError } from "../../errors.js";
import { scan } from "../../scan.js";
import { stdinSource } from "../../sources/stdin.js";
import { workingTreeSource } from "../../sources/working-tree.js";
import { addCommonOptions, finish, prepare, staleIgnoreWarnings, type CommonArgs } from "../common.js";
import type { Command } from "./types.js";

interface ScanArgs extends CommonArgs {
  paths?: string[];
  "stdin-filename"?: string;
  stdin?: boolean;
}

export const scanCommand: Command = {
  command: ["$0 [paths..]", "scan [paths..]"],
  describe: "Scan files and folders (default: .) for secrets; `-` reads standard input",
  builder: (y: Argv) =>
    addCommonOptions(y)
      .positional("paths", { type: "string", array: true, describe: "Files, folders or globs to scan" })
      .option("stdin", { type: "boolean", describe: "Scan standard input (same as the path `-`)" })
      .option("stdin-filename", { type: "string", describe: "Name shown for standard input (with `-`)" }) as unknown as Argv,
  async run(raw, io) {
    const args = raw as unknown as ScanArgs;
    const given = (args.paths ?? []).map(String);
    const paths = given.length > 0 ? given : ["."];
    const prepared = prepare(args, io);
    let source;
    if (args.stdin) {
      if (given.length > 0) throw new KeyscanError("E_USAGE", "`-` (standard input) cannot be combined with other paths.");
      if (!io.stdin) throw new KeyscanError("E_USAGE", "no standard input is available to read for `-`.");
      source = stdinSource(io.stdin, args["stdin-filename"] ?? "<stdin>", prepared.maxFileSize);
    } else {
      source = workingTreeSource({
        paths,
        cwd: io.cwd,
        maxFileSize: prepared.maxFileSize,
        gitignore: args.gitignore,
        exclude: prepared.exclude,
      });
    }
    const result = await scan(source, prepared.ruleset, prepared.scanOptions);
    const done = await finish(result, args, io);
    // Stale ignore entries can only be told after a scan of the whole tree the ignore file belongs to.
    const wholeTree = !args.stdin && paths.length === 1 && resolve(io.cwd, paths[0]!) === resolve(io.cwd);
    if (wholeTree) done.stderr += staleIgnoreWarnings(prepared);
    return done;
  },
};
