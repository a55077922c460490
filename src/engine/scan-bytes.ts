/**
 * The matcher core for raw bytes (a file read, a git blob): decides binary vs text exactly as decode-bytes.ts
 * does, then runs the keyword prefilter on the bytes themselves and decodes only when a keyword occurs. Most files of
 * a large tree hold no keyword, so most are never decoded (issue 7: decoding was a third of the per-byte work) —
 * unless they hold an encoded run, in which a keyword may hide (issue 6: secrets in base64/hex/percent text).
 * Used by scan-pool workers and by the local executor (src/executor/local.ts); the result equals decoding first and
 * calling scanText.
 */
import { BINARY_SNIFF_BYTES, decodeBytes, hasWideBom } from "./decode-bytes.js";
import { mayHoldEncoded } from "./decode.js";
import { scopePath } from "./path-scope.js";
import type { RuleSet } from "./rule.js";
import { scanText, type ScanTextOptions, type TextFinding } from "./scan-text.js";
import type { ProblemCode } from "../errors.js";

/** `text` is the decoded text when there was one to decode (callers resolve verify companions from it). */
export type BytesOutcome = { ok: true; findings: TextFinding[]; text?: string } | { ok: false; code: ProblemCode; message: string; skipped: true };

/** Whether a keyword-less, path-scoped rule runs on this path (prefilter.ts `pathGated`): then the bytes are decoded. */
function pathGates(ruleset: RuleSet, path: string | undefined): boolean {
  if (path === undefined || ruleset.prefilter.pathGated.length === 0) return false;
  const p = scopePath(path);
  return ruleset.prefilter.pathGated.some((m) => m.rule.pathOnly!.test(p));
}

export function scanBytes(data: Uint8Array, ruleset: RuleSet, options: ScanTextOptions = {}): BytesOutcome {
  if (!hasWideBom(data)) {
    const binary = data.subarray(0, Math.min(data.length, BINARY_SNIFF_BYTES)).indexOf(0) !== -1;
    // No keyword and nothing scanText would decode (base64/hex/percent runs, decode.ts): nothing to find.
    if (!binary && !ruleset.prefilter.mayMatchBytes(data) && !pathGates(ruleset, options.path) && (options.decodeDepth === 0 || !mayHoldEncoded(data))) return { ok: true, findings: [] };
  }
  const decoded = decodeBytes(data);
  if (!decoded.ok) return { ok: false, code: decoded.code, message: decoded.message, skipped: true };
  return { ok: true, findings: scanText(decoded.text, ruleset, options), text: decoded.text };
}
