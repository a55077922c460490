/**
 * Errors that keyscan reports to a person. Every error carries a stable `code` (so tests and wrappers can branch
 * on it without parsing prose), a message that says what to fix, and the underlying `cause` when there is one.
 * Two families exist: fatal ones (bad flag, config or rule: the run stops with exit code 2) and per-input ones
 * (an unreadable file, a broken blob: recorded in the scan result while the scan goes on). Messages never contain
 * a secret: callers pass paths and rule ids, never matched text; and because some messages quote input that keyscan
 * did not write (a flag's value, a config line a YAML parser shows, a JSON parser's excerpt), everything the CLI
 * prints about an error also goes through `scrubSecrets`, which masks long random-looking tokens.
 */
import { shannonEntropy } from "./engine/filters/entropy.js";

/**
 * Every code keyscan reports, in one union: fatal ones (a bad flag, config or rule: exit 2) and those of one input
 * (ProblemCode), which a scan records and moves past.
 */
export type ErrorCode =
  | "E_USAGE"
  | "E_CONFIG"
  | "E_RULE"
  | "E_RULE_SCHEMA"
  | "E_RULE_REGEX"
  | "E_RULE_DUPLICATE"
  | "E_GITLEAKS"
  | "E_VERIFY"
  | "E_INTERNAL"
  | ProblemCode;

/**
 * What went wrong with one input (ScanResult `errors` and `skipped`): unreadable, gone, not a regular file, a
 * symbolic link, too large, binary, a git object that cannot be read, matching that failed, a worker that died or
 * ran past the time bound.
 */
export type ProblemCode =
  | "E_READ"
  | "E_NOT_FOUND"
  | "E_NOT_REGULAR"
  | "E_SYMLINK"
  | "E_TOO_LARGE"
  | "E_BINARY"
  | "E_GIT"
  | "E_SCAN"
  | "E_WORKER"
  | "E_TIMEOUT";

export class KeyscanError extends Error {
  readonly code: ErrorCode;
  /** True when the run must stop (exit 2); false for errors that concern one input. */
  readonly fatal: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; fatal?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KeyscanError";
    this.code = code;
    this.fatal = options.fatal ?? true;
  }
}

/** A short, secret-free description of an unknown thrown value (for `cause` chains in messages). */
export function describeCause(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

const TOKEN_RUN = /[A-Za-z0-9_+=~-]{24,}/g;

/**
 * Mask what looks like a credential in a message that may quote input: a run of 24+ token characters (`/` and `.`
 * end a run, so paths and rule ids survive) that mixes letters and digits and is random-looking (entropy ≥ 3.5
 * bits per character), unless it is a directory in a path (followed by `/`). A last line of defence for error output, not a substitute for keeping matched text out of
 * messages in the first place.
 */
export function scrubSecrets(text: string): string {
  return text.replace(TOKEN_RUN, (run, offset: number) => {
    // A directory in a path (`/tmp/build-x7Qm2…/repo`) is kept: a secret is a value, not a folder name.
    if (text[offset + run.length] === "/") return run;
    return /[A-Za-z]/.test(run) && /[0-9]/.test(run) && shannonEntropy(run) >= 3.5 ? `[masked ${run.length} chars]` : run;
  });
}
