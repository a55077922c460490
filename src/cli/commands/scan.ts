/**
 * `keyscan [paths..]` — the default command: scan files under the given paths (default `.`), or standard input with
 * `keyscan -`, or the staged changes with `keyscan --staged` (the pre-commit hook).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { CONFIG_NAMES } from "../../config.js";
import { loadRulesAhead } from "../../engine/load-rules.js";
import { KeyscanError } from "../../errors.js";
import { scan } from "../../scan.js";
import { askStaged, stagedSource, type StagedQuestions } from "../../sources/staged.js";
import { stdinSource } from "../../sources/stdin.js";
import { workingTreeSource } from "../../sources/working-tree.js";
import { digestOf, parseShard } from "../../sources/shard.js";
import { GITLEAKS_CONFIG_FILE } from "../gitleaks-compat.js";
import { addCommonOptions, finish, prepare, staleIgnoreWarnings, streamFindings, type CommonArgs, type Scanned } from "../common.js";
import { commandEntry } from "./entries.js";
import type { Command } from "./types.js";
import { EXIT_FINDINGS, type Io } from "../io.js";

/** What a person whose commit was just blocked can do about it. */
const STAGED_HINT =
  "keyscan: commit blocked: remove the secret from the staged files (and rotate it if it was ever pushed), " +
  "or mark a false positive with a `keyscan:allow` comment or a `fingerprint:<hash>` line in .keyscanignore.\n";

interface ScanArgs extends CommonArgs {
  paths?: string[];
  "stdin-filename"?: string;
  stdin?: boolean;
  staged?: boolean;
  shard?: string;
}

/** Whether the scan most likely loads keyscan's own rules only: no rules or config named, no config file on disk. */
function ownRulesLikely(args: ScanArgs, cwd: string): boolean {
  if (args.rules?.length || args.config || args["gitleaks-config"]) return false;
  return ![...CONFIG_NAMES, GITLEAKS_CONFIG_FILE].some((name) => existsSync(resolve(cwd, name)));
}

/** Source → executor → filters → finalizer for files, standard input or the staged changes. */
async function produceScan(raw: Record<string, unknown>, io: Io): Promise<Scanned> {
  const args = raw as unknown as ScanArgs;
  const given = (args.paths ?? []).map(String);
  const paths = given.length > 0 ? given : ["."];
  const shard = args.shard === undefined ? undefined : parseShard(String(args.shard));
  if (shard && (args.staged || args.stdin)) throw new KeyscanError("E_USAGE", "--shard splits a scan of files; it cannot be combined with --staged or standard input.");
  // The staged scan's git questions go out before the rules load, and are answered meanwhile (issue 7).
  const asked = args.staged && given.length === 0 && !args.stdin ? askStaged({ cwd: io.cwd, env: io.env }) : undefined;
  try {
    return await produceFrom(args, io, paths, given, shard, asked);
  } finally {
    await asked?.close(); // its cat-file process, when the scan did not get to close it (an error before)
  }
}

async function produceFrom(args: ScanArgs, io: Io, paths: string[], given: string[], shard: ReturnType<typeof parseShard> | undefined, asked: StagedQuestions | undefined): Promise<Scanned> {
  // Issue 20: while git answers, keyscan's own rules are read from their cache: the config, read from the index once
  // git has answered, asks for exactly those unless it names rules of its own or turns some off (and then loadRules
  // does not take them). Not tried where a config file or rules are named: they most likely ask for another set.
  const ahead = asked && ownRulesLikely(args, io.cwd) ? loadRulesAhead() : undefined;
  // Issue 20: the staged scan's .keyscanignore and config are the index's, not the working tree's.
  const files = asked ? await asked.files : undefined;
  const staged = files && "value" in files ? files.value : undefined;
  const prepared = prepare(args, io, staged, ahead);
  streamFindings(prepared, args, io, true);
  let source;
  if (args.staged) {
    if (given.length > 0 || args.stdin) throw new KeyscanError("E_USAGE", "--staged scans the whole index; it takes no paths and no standard input.");
    source = stagedSource({ cwd: io.cwd, env: io.env, maxFileSize: prepared.maxFileSize, exclude: prepared.exclude, ...(asked ? { asked } : {}), ...(staged ? { files: staged } : {}) });
  } else if (args.stdin) {
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
      deferRead: true, // read and decoded where matched: in worker threads for large scans (issue 7)
      ...(shard ? { shard } : {}),
    });
    // The tree's inputs counted ahead, for the progress line's ETA (issue 20): only once the line is shown.
    if (prepared.progress && source.estimate) prepared.progress.estimateWith(source.estimate);
  }
  const scanned = await scan(source, prepared.ruleset, prepared.scanOptions);
  const result = shard ? { ...scanned, shard: { ...shard, by: "path" as const, target: digestOf(paths) } } : scanned;
  // Stale ignore entries can only be told after a scan of the whole tree the ignore file belongs to.
  const wholeTree = !args.staged && !args.stdin && paths.length === 1 && resolve(io.cwd, paths[0]!) === resolve(io.cwd);
  return {
    result,
    prepared,
    before: prepared.warnings.map((w) => `keyscan: warning: ${w}\n`).join(""),
    ...(wholeTree ? { after: staleIgnoreWarnings(prepared) } : {}),
  };
}

export const scanCommand: Command = {
  ...commandEntry("scan"),
  builder: (y: Argv) =>
    addCommonOptions(y)
      .positional("paths", { type: "string", array: true, describe: "Files, folders or globs to scan" })
      .option("stdin", { type: "boolean", describe: "Scan standard input (same as the path `-`)" })
      .option("stdin-filename", { type: "string", describe: "Name shown for standard input (with `-`)" })
      .option("staged", { type: "boolean", default: false, describe: "Scan what is staged for commit (the index, not the working tree); only added lines are reported. For pre-commit hooks" })
      .option("shard", { type: "string", describe: "Scan only shard k of n (e.g. 2/4): a stable slice of the files by path; merge with `keyscan report --from`" }) as unknown as Argv,
  produce: produceScan,
  async run(raw, io) {
    const out = await finish(await produceScan(raw, io), raw as unknown as CommonArgs, io);
    if ((raw as unknown as ScanArgs).staged && out.exitCode === EXIT_FINDINGS) out.stderr += STAGED_HINT;
    return out;
  },
};
