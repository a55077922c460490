/**
 * A CLI command: its yargs definition (for parsing and help) and a run function over the parsed arguments. Commands
 * are listed in commands/index.ts; run.ts parses once and dispatches, so each command is one file.
 */
import type { Argv } from "yargs";
import type { Scanned } from "../common.js";
import type { CliResult, Io } from "../io.js";

export interface Command {
  /** yargs command string, e.g. `rules list` is registered as `rules <action> [paths..]`. */
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  run: (args: Record<string, unknown>, io: Io) => Promise<CliResult>;
  /**
   * A scanning command's stages up to the report (source, executor, filters, the source's finalizer): `run` is this
   * followed by `finish`, and `keyscan ci` calls it directly to render the result its own way.
   */
  produce?: (args: Record<string, unknown>, io: Io) => Promise<Scanned>;
}
