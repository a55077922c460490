/** keyscan's library API: load rules, build a source, scan, render. The CLI is built on exactly these. */
export { loadRules, builtinRulesDir, parseProviderFile } from "./engine/load-rules.js";
export { scanText } from "./engine/scan-text.js";
export { scan } from "./scan.js";
export { workingTreeSource } from "./sources/working-tree.js";
export { stdinSource } from "./sources/stdin.js";
export { stagedSource } from "./sources/staged.js";
export { commitRangeSource } from "./sources/commit-range.js";
export { historySource, attributeHistory } from "./sources/history.js";
export { REPORTERS } from "./report/index.js";
export { run } from "./cli/run.js";
export { KeyscanError } from "./errors.js";
export { verifyFindings, listEndpoints, Verifier } from "./verify/index.js";
export type { VerifyOptions, VerifySummary, EndpointEntry } from "./verify/index.js";
export type * from "./report/types.js";
export type * from "./sources/types.js";
export type { Rule, RuleSet, Matcher, Provider } from "./engine/rule.js";
