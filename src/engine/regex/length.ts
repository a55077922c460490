/**
 * How long one match can be, worked out once at load: long texts are scanned in bounded, overlapping slices, and the
 * overlap must hold any match that starts in a slice (scan-text.ts), and windowed matching reads at most one match
 * length past its window (windows.ts). Unbounded quantifiers count as UNBOUNDED_REPEAT characters for the slices;
 * `trueMaxLen` has no cap, for the proofs that need a true bound.
 */
import type { Node } from "./parse.js";

/** Length assumed for one unbounded repetition (`*`, `+`, `{n,}`) when computing a match's maximum length. */
export const UNBOUNDED_REPEAT = 256;
/** Longest text a node can match, counting an unbounded repeat (or a backreference) as `unbounded` characters. */
export function maxLen(n: Node, unbounded = UNBOUNDED_REPEAT): number {
  switch (n.kind) {
    case "seq":
      return n.items.reduce((a, x) => a + maxLen(x, unbounded), 0);
    case "alt":
      return Math.max(...n.options.map((o) => maxLen(o, unbounded)));
    case "chars":
      return 1;
    case "assert":
    case "look":
      return 0;
    case "group":
      return maxLen(n.body, unbounded);
    case "repeat":
    {
      // 0 × Infinity would be NaN: an empty body or `{0}` contributes nothing (as 0 × the cap did before).
      const body = maxLen(n.body, unbounded);
      return body === 0 || n.max === 0 ? 0 : (n.max === Infinity ? unbounded : n.max) * body;
    }
    case "backref":
      return unbounded;
  }
}

/** Longest lookaround body anywhere in the tree: how much context around a match the regex may read. */
export function lookContext(n: Node): number {
  switch (n.kind) {
    case "seq":
      return Math.max(0, ...n.items.map(lookContext));
    case "alt":
      return Math.max(0, ...n.options.map(lookContext));
    case "look":
      return Math.max(maxLen(n.body), lookContext(n.body));
    case "group":
    case "repeat":
      return lookContext(n.body);
    default:
      return 0;
  }
}

/** Longest text a node can match, or Infinity (unlike maxLen's default, no cap for unbounded repeats). */
export function trueMaxLen(n: Node): number {
  return maxLen(n, Infinity);
}
export function hasUnbounded(n: Node): boolean {
  switch (n.kind) {
    case "seq":
      return n.items.some(hasUnbounded);
    case "alt":
      return n.options.some(hasUnbounded);
    case "look":
    case "group":
      return hasUnbounded(n.body);
    case "repeat":
      return n.max === Infinity || hasUnbounded(n.body);
    default:
      return false;
  }
}
