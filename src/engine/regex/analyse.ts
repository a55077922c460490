/**
 * Static analysis of a rule regex, done once at load (compile.ts): the longest text one match can span and the
 * context it reads (length.ts), catastrophic-backtracking risks (redos.ts), and what a match can start with
 * (start-set.ts), from one parse (parse.ts).
 */
import { hasUnbounded, lookContext, maxLen } from "./length.js";
import { parseRegex } from "./parse.js";
import { findRisks } from "./redos.js";
import type { StartSet } from "../plans.js";
import { firstChars } from "./start-set.js";

export interface RegexAnalysis {
  /** What a match can start with; undefined when it can be empty (then any position may match). */
  startSet?: StartSet;
  /** Upper bound on one match's length (unbounded repeats counted as UNBOUNDED_REPEAT). */
  maxLength: number;
  /** Context the regex reads around a match (lookaround lengths). */
  context: number;
  /** Catastrophic-backtracking risks, in words; empty when none were found. */
  risks: string[];
  /** True when the pattern has an unbounded quantifier. */
  unbounded: boolean;
}

/** Analyse a JS regex source. Throws if the source cannot be parsed (it is validated by `new RegExp` first). */
export function analyseRegex(source: string, flags = ""): RegexAnalysis {
  const tree = parseRegex(source, flags);
  const risks: string[] = [];
  findRisks(tree, flags.includes("i"), risks);
  const first = firstChars(tree, flags.includes("i"));
  const startSet: StartSet | undefined = first.nullable ? undefined : { bits: [first.set.bits[0]!, first.set.bits[1]!, first.set.bits[2]!, first.set.bits[3]!], nonAscii: first.set.nonAscii };
  return { maxLength: maxLen(tree), context: lookContext(tree), risks: [...new Set(risks)], unbounded: hasUnbounded(tree), ...(startSet ? { startSet } : {}) };
}
