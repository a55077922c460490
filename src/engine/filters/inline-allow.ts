/**
 * Inline allow comments: a person marks a line as not-a-secret where it stands. keyscan's own `keyscan:allow`
 * (and `keyscan:allow-next-line` on the line above), plus those of the tools people migrate from, so existing
 * annotations keep working: gitleaks `gitleaks:allow`, TruffleHog `trufflehog:ignore`, detect-secrets
 * `pragma: allowlist secret` (and `pragma: allowlist nextline secret` above), secretlint `secretlint-disable-line`
 * (and `secretlint-disable-next-line` above). `--ignore-inline-allow` turns all of them off.
 */
const SAME_LINE = /keyscan:allow(?!-next-line)|gitleaks:allow|betterleaks:allow|trufflehog:ignore|pragma:\s*allowlist\s+secret|secretlint-disable-line/;
const NEXT_LINE = /keyscan:allow-next-line|pragma:\s*allowlist\s+nextline\s+secret|secretlint-disable-next-line/;
const ANY = /keyscan:allow|gitleaks:allow|betterleaks:allow|trufflehog:ignore|allowlist|secretlint-disable/;

/** True when a finding on a line is allowed by a comment on it or, for next-line forms, on the line above. */
export function allowedInline(lineText: string, previousLineText: string | undefined): boolean {
  return SAME_LINE.test(lineText) || (previousLineText !== undefined && NEXT_LINE.test(previousLineText));
}

/** Cheap whole-text test done once, so texts without any marker skip the per-line work. */
export function mayContainAllow(text: string): boolean {
  return ANY.test(text);
}
