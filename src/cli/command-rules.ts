/**
 * The rule set a command that does not scan (`keyscan verify --list-endpoints`, `keyscan revoke`) works with: the
 * shipped rules plus the config's `rules:` and `--rules`, each marked when it comes from the repository itself so
 * that such rules cannot verify or revoke without `--allow-repo-rules-verify` (issue 19). Scanning commands build
 * theirs in common.ts `prepare()`, which also reads gitleaks configs.
 */
import { resolve } from "node:path";
import { insideCheckout, loadConfig } from "../config.js";
import { loadRules, type RuleSource } from "../engine/load-rules.js";
import type { RuleSet } from "../engine/rule.js";

export function loadCommandRules(args: { config?: string; rules?: readonly unknown[] }, cwd: string): RuleSet {
  const config = loadConfig(args.config, cwd);
  const extra: RuleSource[] = [
    ...(config?.rules ?? []).map((path) => ({ path, fromRepoConfig: (config?.fromRepo ?? false) || insideCheckout(path, cwd) })),
    ...(args.rules ?? []).map((p) => ({ path: resolve(cwd, String(p)), fromRepoConfig: insideCheckout(String(p), cwd) })),
  ];
  return loadRules({ extra, disable: config?.disable ?? [] });
}
