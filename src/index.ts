/**
 * keyscan's library API: load rules, build a source, scan, render. `scan(source, ruleset)` is the one entry point for
 * every source: it runs the source's own finalizer too (history attribution and exposure, a range's commit count),
 * so a history scan comes back attributed. The CLI is built on exactly these.
 */
export { loadRules, builtinRulesDir, parseProviderFile } from "./engine/load-rules.js";
export { scanText } from "./engine/scan-text.js";
export { scan, type ScanOptions } from "./scan.js";
export { workingTreeSource } from "./sources/working-tree.js";
export { stdinSource } from "./sources/stdin.js";
export { stagedSource } from "./sources/staged.js";
export { commitRangeSource } from "./sources/commit-range.js";
export { historySource } from "./sources/history.js";
export { REPORTERS } from "./report/index.js";
export { run } from "./cli/run.js";
export { KeyscanError } from "./errors.js";
export { verifyFindings, listEndpoints, Verifier } from "./verify/index.js";
export type { VerifyOptions, VerifySummary, EndpointEntry } from "./verify/index.js";
export type * from "./report/types.js";
export type * from "./sources/types.js";
export type { Rule, RuleSet, Matcher, Provider } from "./engine/rule.js";
