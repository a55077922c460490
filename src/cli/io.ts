/**
 * What a CLI run may touch, passed in rather than taken from globals, so `run(argv, io)` is a plain function that
 * tests call directly: the working directory, the environment, standard input, and whether stdout is a terminal.
 */
export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin?: AsyncIterable<Uint8Array | string>;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** Writes to stdout now, not with the result (findings streamed as found; set by bin.ts for a terminal only). */
  liveStdout?: (text: string) => void;
  /** Writes to stderr now, not with the result (the progress line; set by bin.ts for a terminal only). */
  liveStderr?: (text: string) => void;
  stderrColumns?: number;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;
