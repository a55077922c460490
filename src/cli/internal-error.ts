/**
 * What the CLI prints when keyscan itself fails (a bug, not bad input): enough to report it, and nothing that could
 * carry a secret. Used by run.ts for every command and by `keyscan ci` for the scan it composes.
 */
import { scrubSecrets } from "../errors.js";

/**
 * A crash report that cannot carry a secret: the error's kind, its message with quoted parts and random-looking
 * tokens masked (a runtime error can quote the text it choked on: V8's JSON.parse shows a 10-character excerpt),
 * and only the stack's frame lines (code locations), never the message line the stack repeats.
 */
export function describeInternalError(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const frames = (e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
  return `keyscan: internal error (${e.name}): ${scrubSecrets(e.message.replace(/"[^"\n]*"|'[^'\n]*'/g, '"…"'))}\nThis is a bug in keyscan; please report it with the lines below.\n${frames.join("\n")}\n`;
}
