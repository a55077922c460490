/**
 * A finding's fingerprint: a hash of the rule id and the secret, nothing positional. It is stable when lines move
 * or files are renamed (so baselines and ignore entries survive refactors), changes when the secret changes (so an
 * ignore entry can never hide a new secret on the same line, gitleaks' `file:rule:line` weakness), and is what the
 * verify cache, baselines and shard merges key on. Only the hash ever leaves keyscan, never the secret.
 */
import type * as Crypto from "node:crypto";
import { createRequire } from "node:module";

// node:crypto is loaded with the first finding, not by every run (issue 20: ~4 ms of a clean pre-commit run).
const lazyRequire = createRequire(import.meta.url);
let createHash: typeof Crypto.createHash | undefined;

export function fingerprint(ruleId: string, secret: string): string {
  createHash ??= (lazyRequire("node:crypto") as typeof Crypto).createHash;
  return createHash("sha256").update(ruleId).update("\0").update(secret).digest("hex").slice(0, 32);
}
