/**
 * The audit model: what a security lead needs from a history scan, computed as a pure function of the ScanResult
 * so that `keyscan report --from audit.json` renders exactly what `keyscan history` rendered. One entry per
 * distinct secret, with its status (live / invalid / unknown / not checked), whether it is still at HEAD, who
 * introduced it and when, when it was removed, how long it has been exposed, which refs still reach it, and what to
 * do — ordered by urgency: live keys first, then unverified keys still at HEAD, then unverified keys only in
 * history, then keys the provider says are invalid. A history rewrite is only ever the last step after revocation.
 */
import type { CommitInfo, Finding, ScanResult } from "../types.js";

export type AuditStatus = "live" | "invalid" | "unknown" | "not checked";
export type AuditLocation = "HEAD" | "history only";

export interface AuditEntry {
  /** 1-based rank in the urgency order. */
  rank: number;
  finding: Finding;
  status: AuditStatus;
  location: AuditLocation;
  introduced?: CommitInfo;
  removed?: CommitInfo;
  /** Days from introduction to removal (or to the scan, when still present). */
  exposedDays?: number;
  /** Urgency group: 1 live, 2 unverified at HEAD, 3 unverified in history only, 4 invalid. */
  urgency: 1 | 2 | 3 | 4;
  /** What to do, in order. */
  actions: string[];
  /** Issue 22: how much a live key can reach (0–100, from its access map; the rule's severity when not mapped). */
  blastRadius: number;
}

export interface AuditSummary {
  total: number;
  byProvider: Array<{ provider: string; name: string; count: number }>;
  byStatus: Record<AuditStatus, number>;
  byLocation: Record<AuditLocation, number>;
  scanned: {
    target: string;
    refs?: number;
    commits?: number;
    blobs?: number;
    bytes: number;
    durationMs: number;
    startedAt: string;
  };
}

export interface Audit {
  summary: AuditSummary;
  entries: AuditEntry[];
  warnings: string[];
}

const DAY = 86_400_000;

export function statusOf(f: Finding): AuditStatus {
  const s = f.verification?.status;
  return s === "verified" ? "live" : s === "invalid" ? "invalid" : s === "unknown" ? "unknown" : "not checked";
}

function urgencyOf(status: AuditStatus, location: AuditLocation): 1 | 2 | 3 | 4 {
  if (status === "live") return 1;
  if (status === "invalid") return 4;
  return location === "HEAD" ? 2 : 3;
}

const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3, info: 4 } as const;

function actionsFor(f: Finding, status: AuditStatus, location: AuditLocation, refs: readonly string[]): string[] {
  const revoke = f.revoke ? `at ${f.revoke}` : `in the ${f.providerName} console`;
  const where = location === "HEAD" ? "Remove it from the code at HEAD and load it from the environment or a secret manager." : "It is no longer at HEAD, but anyone with a clone can still read it in history.";
  const rewrite = `Only after revoking: if the repository is shared, rewriting history (git filter-repo) reduces further exposure — it is never the fix on its own${refs.length ? `; ${refs.length} ref(s) still reach it` : ""}.`;
  switch (status) {
    case "live":
      return [`Revoke or rotate this key now ${revoke}: the provider accepted it.`, "Check the provider's usage and audit logs for use since it was introduced.", where, rewrite];
    case "invalid":
      return [
        "The provider rejected this key (revoked, expired or fake): no rotation needed.",
        location === "HEAD" ? "Remove it from the code at HEAD so it stops being reported." : "No action needed beyond keeping it revoked.",
      ];
    default:
      return [
        `Revoke or rotate it ${revoke} — ${status === "unknown" ? "verification could not decide" : "it was not checked (run with --verify)"}, so treat it as live.`,
        where,
        rewrite,
      ];
  }
}

/**
 * Blast radius for ordering (issue 22): the access map's score for a live key; a live key without a map scores by
 * its severity alone (as the map would with nothing more known); keys that are not live score 0, so the order of
 * the other groups is unchanged. A revoked key scores 0 too: nothing is left to reach.
 */
export function blastRadiusOf(f: Finding, status: AuditStatus): number {
  if (status !== "live" || f.revocation?.status === "revoked" || f.revocation?.status === "already-invalid") return 0;
  return f.access?.blastRadius ?? (4 - SEVERITY_ORDER[f.severity]) * 10;
}

export function buildAudit(result: ScanResult): Audit {
  const now = Date.parse(result.startedAt) || Date.now();
  const entries: AuditEntry[] = result.findings.map((f) => {
    const status = statusOf(f);
    const location: AuditLocation = f.atHead === false ? "history only" : "HEAD";
    const introduced = f.commit;
    // The last removal is when the secret left the code for good (earlier ones may have been re-added).
    const removed = location === "history only" ? f.removedIn?.[f.removedIn.length - 1]?.commit : undefined;
    const start = introduced ? Date.parse(introduced.date) : NaN;
    const end = removed ? Date.parse(removed.date) : now;
    const exposedDays = Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, Math.round((end - start) / DAY)) : undefined;
    return {
      rank: 0,
      finding: f,
      status,
      location,
      ...(introduced ? { introduced } : {}),
      ...(removed ? { removed } : {}),
      ...(exposedDays !== undefined ? { exposedDays } : {}),
      urgency: urgencyOf(status, location),
      actions: actionsFor(f, status, location, f.refs ?? []),
      blastRadius: blastRadiusOf(f, status),
    };
  });
  entries.sort(
    (a, b) =>
      a.urgency - b.urgency ||
      b.blastRadius - a.blastRadius ||
      SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity] ||
      (a.introduced?.date ?? "").localeCompare(b.introduced?.date ?? "") ||
      a.finding.fingerprint.localeCompare(b.finding.fingerprint),
  );
  entries.forEach((e, i) => (e.rank = i + 1));

  const providers = new Map<string, { provider: string; name: string; count: number }>();
  for (const e of entries) {
    const p = providers.get(e.finding.provider) ?? { provider: e.finding.provider, name: e.finding.providerName, count: 0 };
    p.count++;
    providers.set(e.finding.provider, p);
  }
  const byStatus: Record<AuditStatus, number> = { live: 0, invalid: 0, unknown: 0, "not checked": 0 };
  const byLocation: Record<AuditLocation, number> = { HEAD: 0, "history only": 0 };
  for (const e of entries) {
    byStatus[e.status]++;
    byLocation[e.location]++;
  }
  const h = result.history;
  return {
    summary: {
      total: entries.length,
      byProvider: [...providers.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
      byStatus,
      byLocation,
      scanned: {
        target: result.target,
        ...(h ? { refs: h.refs.length, commits: h.commits, blobs: h.blobs } : {}),
        bytes: result.stats.bytes,
        durationMs: result.stats.durationMs,
        startedAt: result.startedAt,
      },
    },
    entries,
    warnings: result.warnings ?? [],
  };
}
