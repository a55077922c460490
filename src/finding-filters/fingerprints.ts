/**
 * The two fingerprint lists a finding can be dropped by: the `fingerprint:` lines of `.keyscanignore` (a person
 * marked it a false positive) and a `--baseline` file (a known secret, reported only when new). The ignore list
 * wins when both hold it, so a stale-ignore check sees every ignore entry that matched.
 */
export type SuppressedBy = "ignore" | "baseline";

export interface FingerprintLists {
  /** Fingerprints from `.keyscanignore`. */
  ignore?: ReadonlySet<string>;
  /** Fingerprints from `--baseline`. */
  baseline?: ReadonlySet<string>;
}

/** Which list drops the finding with this fingerprint, if any. */
export function suppressedBy(fingerprint: string, lists: FingerprintLists): SuppressedBy | undefined {
  return lists.ignore?.has(fingerprint) ? "ignore" : lists.baseline?.has(fingerprint) ? "baseline" : undefined;
}
