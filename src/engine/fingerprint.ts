/**
 * A finding's fingerprint: a hash of the rule id and the secret, nothing positional. It is stable when lines move
 * or files are renamed (so baselines and ignore entries survive refactors), changes when the secret changes (so an
 * ignore entry can never hide a new secret on the same line, gitleaks' `file:rule:line` weakness), and is what the
 * verify cache, baselines and shard merges key on. Only the hash ever leaves keyscan, never the secret.
 */
import { createHash } from "node:crypto";

export function fingerprint(ruleId: string, secret: string): string {
  return createHash("sha256").update(ruleId).update("\0").update(secret).digest("hex").slice(0, 32);
}
