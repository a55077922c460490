/**
 * The one redaction pass for what keyscan prints beside its reports (issue 19): errors, warnings and notes on
 * stderr can quote scanned or user-given text (a malformed config line, a path, a git complaint), so before they
 * are printed every secret that keyscan's own rules would report in that text is masked as reports mask it, and
 * the random-looking-run heuristic (scrubSecrets) runs after it. `--no-redact` turns it off, as for reports.
 */
import { loadRules } from "../engine/load-rules.js";
import type { RuleSet } from "../engine/rule.js";
import { scanText } from "../engine/scan-text.js";
import { scrubSecrets } from "../errors.js";
import { redactSecret } from "../report/redact.js";

/** A run of token characters long enough to be a credential; text without one needs no rule pass. */
const CANDIDATE = /[A-Za-z0-9+/=_~.:@-]{16,}/;

let builtin: RuleSet | undefined;

/** `fingerprint:<hash>` (what .keyscanignore takes) is a hash the user must be able to copy, never a secret. */
const FINGERPRINT = /\bfingerprint:[0-9a-f]{16,64}\b/g;

/** Mask every secret the rule set finds in `text`, then random-looking runs; fingerprints are left as they are. */
export function redactText(text: string, ruleset?: RuleSet): string {
  if (!CANDIDATE.test(text)) return text;
  const kept: string[] = [];
  const masked = redactSecrets(text.replace(FINGERPRINT, (m) => `\u0000${kept.push(m) - 1}\u0000`), ruleset);
  return masked.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)] ?? "");
}

function redactSecrets(text: string, ruleset: RuleSet | undefined): string {
  let rules = ruleset;
  if (rules === undefined) {
    try {
      rules = builtin ??= loadRules();
    } catch {
      return scrubSecrets(text); // the built-in rules cannot load: the heuristic alone
    }
  }
  const found = scanText(text, rules, { inlineAllow: false });
  // Each finding's span is masked (for an encoded secret, the encoded text), then any other copy of the secret.
  let out = "";
  let at = 0;
  for (const f of [...found].sort((a, b) => a.start - b.start)) {
    if (f.start < at) continue;
    out += text.slice(at, f.start) + redactSecret(text.slice(f.start, f.end));
    at = f.end;
  }
  out += text.slice(at);
  for (const s of [...new Set(found.map((f) => f.secret))].sort((a, b) => b.length - a.length)) out = out.split(s).join(redactSecret(s));
  return scrubSecrets(out);
}
