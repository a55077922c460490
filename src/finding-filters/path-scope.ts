/**
 * Rule path scoping: a rule with `pathOnly` (a rule's `paths:`, a gitleaks rule's `path`) applies only to paths it
 * matches (already applied while matching, src/engine/scan-text.ts, which is told each text's path), and a path
 * matching any of an imported gitleaks rule's `pathAllow` patterns is exempt.
 */
import type { Rule } from "../engine/rule.js";

export function inRulePathScope(rule: Pick<Rule, "pathOnly" | "pathAllow">, path: string): boolean {
  if (rule.pathOnly && !rule.pathOnly.test(path)) return false;
  if (rule.pathAllow && rule.pathAllow.some((p) => p.test(path))) return false;
  return true;
}
