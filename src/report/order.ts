/**
 * The one order of findings and of per-input problems in a result, shared by the scan that collects them, history
 * attribution, and the merge of saved shards, so a result reads the same however it was put together.
 */
import type { Finding, ScanProblem } from "./types.js";

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.commit?.commit ?? "").localeCompare(b.commit?.commit ?? "")
  );
}

/** Reads finish in any order: problems sort by path, then code, so reports are the same from run to run. */
export function compareProblems(a: ScanProblem, b: ScanProblem): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
