/**
 * `keyscan diff <base>..<head>` / `keyscan diff --since <rev>` — the secrets introduced by the commits in a range
 * (merge commits included), each with the commit, author, date and path that introduced it. For CI: a pull request
 * is `keyscan diff origin/main...HEAD`. A range that a shallow clone cannot show in full is exit 2, never clean.
 */
import type { Argv } from "yargs";
import { KeyscanError } from "../../errors.js";
import { scan } from "../../scan.js";
import { commitRangeSource } from "../../sources/commit-range.js";
import { addCommonOptions, finish, prepare, streamFindings, type CommonArgs, type Scanned } from "../common.js";
import type { Io } from "../io.js";
import { parseLogOpts } from "../log-opts.js";
import { commandEntry } from "./entries.js";
import type { Command } from "./types.js";

interface DiffArgs extends CommonArgs {
  range?: string;
  since?: string;
  "log-opts"?: string;
}

/** gitleaks' `--log-opts` for a range (issue 20): one checked revision range; anything else goes to `keyscan history`. */
function logOptsRange(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const { args } = parseLogOpts(text);
  if (args.length === 1 && !args[0]!.startsWith("-")) return args[0];
  throw new KeyscanError("E_USAGE", "`keyscan diff --log-opts` takes one range (e.g. \"origin/main..HEAD\"); for dates, authors, counts or ref sets use `keyscan history --log-opts`.");
}

/** The commits of a range as a source; its finalizer names the commit count. */
async function produceDiff(raw: Record<string, unknown>, io: Io): Promise<Scanned> {
  const args = raw as unknown as DiffArgs;
  if (args.range !== undefined && args.since !== undefined) throw new KeyscanError("E_USAGE", "give either a range or --since, not both.");
  const range = args.range ?? (args.since !== undefined ? `${args.since}..HEAD` : undefined) ?? logOptsRange(args["log-opts"]);
  if (args["log-opts"] !== undefined && (args.range !== undefined || args.since !== undefined)) throw new KeyscanError("E_USAGE", "give either a range or --log-opts, not both.");
  if (!range) throw new KeyscanError("E_USAGE", "`keyscan diff` needs a range (e.g. `origin/main..HEAD`) or `--since <rev>`.");
  const prepared = prepare(args, io);
  streamFindings(prepared, args, io, true);
  const source = commitRangeSource({ cwd: io.cwd, env: io.env, range: String(range), maxFileSize: prepared.maxFileSize, exclude: prepared.exclude });
  return { result: await scan(source, prepared.ruleset, prepared.scanOptions), prepared };
}

export const diffCommand: Command = {
  ...commandEntry("diff"),
  builder: (y: Argv) =>
    addCommonOptions(y)
      .positional("range", { type: "string", describe: "base..head (commits in head not in base), base...head (since their merge base), or base (base..HEAD)" })
      .option("since", { type: "string", describe: "Scan commits after this revision up to HEAD (same as `diff <rev>..HEAD`)" })
      .option("log-opts", { type: "string", describe: "gitleaks' --log-opts with one range (e.g. \"origin/main..HEAD\")" }) as unknown as Argv,
  produce: produceDiff,
  run: async (raw, io) => finish(await produceDiff(raw, io), raw as unknown as CommonArgs, io),
};
