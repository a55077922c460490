/**
 * The history audit as one self-contained HTML file: a summary (counts by provider, status and location, what was
 * scanned, a timeline picture), an overview with each live key's blast radius (issue 22: what it can reach; live keys
 * are ordered by it), and one card per secret in urgency order with its locations and what to do. It makes
 * no network request (inline CSS and SVG only, and a Content-Security-Policy that forbids everything else, scripts
 * included), reads fine with JavaScript off, and prints. Everything from the repository is escaped.
 */
import { escapeHtml, page, revokeHtml } from "../html/page.js";
import type { ReportOptions, ScanResult } from "../types.js";
import { redactResult } from "../redact.js";
import { buildAudit, type AuditEntry } from "./model.js";
import { timelineSvg } from "./timeline.js";

const MAX_LOCATIONS = 50;

const CSS = `
:root { --live:#c62828; --unknown:#ef6c00; --unchecked:#f9a825; --invalid:#757575; --ink:#1a1a1a; --muted:#5f6368; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0 auto; max-width: 980px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid #ddd; border-radius: 8px; padding: 10px 14px; min-width: 120px; }
.card .n { font-size: 24px; font-weight: 700; display: block; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; background: #f4f4f4; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
.entry { border: 1px solid #ddd; border-left: 6px solid var(--unchecked); border-radius: 8px; padding: 12px 16px; margin: 14px 0; break-inside: avoid; }
.entry.live { border-left-color: var(--live); } .entry.unknown { border-left-color: var(--unknown); } .entry.invalid { border-left-color: var(--invalid); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--unchecked); }
.badge.live { background: var(--live); } .badge.unknown { background: var(--unknown); } .badge.invalid { background: var(--invalid); }
.badge.where { background: #37474f; }
.entry h3 { margin: 0 0 6px; font-size: 16px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; } dt { color: var(--muted); }
ol.actions { margin: 6px 0 0; padding-left: 20px; }
.warning { background: #fff8e1; border: 1px solid #ffe082; padding: 8px 12px; border-radius: 6px; }
svg.timeline { max-width: 100%; height: auto; }
@media print { body { max-width: none; padding: 0; } .entry { page-break-inside: avoid; } a { color: inherit; } }
`;

const day = (d: string | undefined) => (d ? escapeHtml(d.slice(0, 10)) : "—");
const statusClass = (s: string) => (s === "not checked" ? "unchecked" : s);

function entryHtml(e: AuditEntry): string {
  const f = e.finding;
  const rows: string[] = [];
  const row = (k: string, v: string) => rows.push(`<dt>${k}</dt><dd>${v}</dd>`);
  row("Secret", `<code>${escapeHtml(f.secret)}</code>`);
  row("Rule", `<code>${escapeHtml(f.ruleId)}</code> · severity ${escapeHtml(f.severity)} · fingerprint <code>${escapeHtml(f.fingerprint)}</code>`);
  if (f.repo) row("Repository", `<code>${escapeHtml(f.repo)}</code>`);
  if (e.introduced) row("Introduced", `${day(e.introduced.date)} by ${escapeHtml(e.introduced.author)} in <code>${escapeHtml(e.introduced.commit.slice(0, 12))}</code> at <code>${escapeHtml(f.path)}</code>:${f.line}`);
  else row("Found at", `<code>${escapeHtml(f.path)}</code>:${f.line}:${f.column}`);
  if (e.removed) row("Removed", `${day(e.removed.date)} in <code>${escapeHtml(e.removed.commit.slice(0, 12))}</code>`);
  else if (e.location === "history only") row("Removed", "no longer at HEAD");
  if (e.exposedDays !== undefined) row("Exposed for", `${e.exposedDays} day${e.exposedDays === 1 ? "" : "s"}`);
  if (f.refs) row("Reachable from", f.refs.length ? f.refs.map((r) => `<code>${escapeHtml(r)}</code>`).join(" ") : "no branch or tag");
  if (f.verification) {
    const v = f.verification;
    const fields = v.fields ? ` — ${Object.entries(v.fields).map(([k, val]) => `${escapeHtml(k)}: ${escapeHtml(String(val))}`).join(", ")}` : "";
    row("Verification", `${escapeHtml(v.status)} at ${escapeHtml(v.checkedAt)}${v.reason ? ` (${escapeHtml(v.reason)})` : ""}${fields}`);
  }
  if (f.access) {
    const a = f.access;
    row("Can reach", `${escapeHtml(a.summary)} <span class="meta">(blast radius ${a.blastRadius}${a.raisedFrom ? `; raised from ${escapeHtml(a.raisedFrom)} by ${escapeHtml(a.raisedBy ?? "")}` : ""}${a.reason ? `; partial: ${escapeHtml(a.reason)}` : ""})</span>`);
  }
  if (f.revocation) row("Revocation", `${escapeHtml(f.revocation.status)} at ${escapeHtml(f.revocation.at)}${f.revocation.reason ? ` (${escapeHtml(f.revocation.reason)})` : ""}`);
  if (f.revoke) row("Revoke", revokeHtml(f.revoke));
  const locs = f.locations ?? [];
  let locHtml = "";
  if (locs.length > 1) {
    const items = locs
      .slice(0, MAX_LOCATIONS)
      .map((l) => `<tr><td><code>${escapeHtml(l.path)}</code>:${l.line}</td><td><code>${escapeHtml(l.commit.commit.slice(0, 12))}</code></td><td>${day(l.commit.date)}</td><td>${escapeHtml(l.commit.author)}</td></tr>`)
      .join("");
    const more = locs.length > MAX_LOCATIONS ? `<p class="meta">… and ${locs.length - MAX_LOCATIONS} more (see the JSON report)</p>` : "";
    locHtml = `<details open><summary>Occurs in ${locs.length} places</summary><table><thead><tr><th>Path</th><th>Commit</th><th>Date</th><th>Author</th></tr></thead><tbody>${items}</tbody></table>${more}</details>`;
  }
  const actions = e.actions.map((a) => `<li>${escapeHtml(a)}</li>`).join("");
  return `<section class="entry ${statusClass(e.status)}" id="secret-${e.rank}">
<h3>${e.rank}. ${escapeHtml(f.providerName)} — ${escapeHtml(f.ruleName)} <span class="badge ${statusClass(e.status)}">${escapeHtml(e.status)}</span> <span class="badge where">${escapeHtml(e.location)}</span></h3>
<dl>${rows.join("")}</dl>${locHtml}
<p><strong>What to do</strong></p><ol class="actions">${actions}</ol>
</section>`;
}

/** The overview's blast radius cell (issue 22): the score and what the key reaches, or why there is none. */
function blastCell(e: AuditEntry): string {
  const f = e.finding;
  if (f.revocation?.status === "revoked") return "revoked";
  if (e.status !== "live") return "—";
  if (!f.access) return `${e.blastRadius} <span class="meta">(not mapped)</span>`;
  return `<strong>${e.blastRadius}</strong> <span class="meta">${escapeHtml(f.access.summary.length > 80 ? `${f.access.summary.slice(0, 79)}…` : f.access.summary)}</span>`;
}

export function renderAuditHtml(scanResult: ScanResult, options: ReportOptions): string {
  const result = redactResult(scanResult, options.redact);
  const audit = buildAudit(result);
  const s = audit.summary;
  const sc = s.scanned;
  const card = (n: number | string, label: string) => `<div class="card"><span class="n">${n}</span>${escapeHtml(label)}</div>`;
  const scanned = `${sc.commits !== undefined ? `git history: ${sc.refs} refs, ${sc.commits} commits, ${sc.blobs} unique blobs` : escapeHtml(sc.target)}, ${(sc.bytes / 1e6).toFixed(1)} MB in ${(sc.durationMs / 1000).toFixed(1)} s`;
  const providers = s.byProvider.map((p) => `<tr><td>${escapeHtml(p.name)}</td><td>${p.count}</td></tr>`).join("");
  const overview = audit.entries
    .map((e) => `<tr><td><a href="#secret-${e.rank}">${e.rank}</a></td><td><span class="badge ${statusClass(e.status)}">${escapeHtml(e.status)}</span></td><td>${escapeHtml(e.location)}</td><td class="blast">${blastCell(e)}</td><td>${escapeHtml(e.finding.providerName)}</td><td><code>${escapeHtml(e.finding.path)}</code></td><td>${day(e.introduced?.date)}</td><td>${day(e.removed?.date)}</td></tr>`)
    .join("");
  const warnings = audit.warnings.map((w) => `<p class="warning">${escapeHtml(w)}</p>`).join("");
  const body =
    s.total === 0
      ? `<p class="cards">${card(0, "secrets found")}</p>`
      : `<div class="cards">${card(s.total, "distinct secrets")}${card(s.byStatus.live, "live")}${card(s.byStatus.unknown + s.byStatus["not checked"], "unverified")}${card(s.byStatus.invalid, "invalid")}${card(s.byLocation.HEAD, "still at HEAD")}${card(s.byLocation["history only"], "history only")}</div>
<h2>Timeline</h2>${timelineSvg(audit.entries, sc.startedAt)}
<h2>By provider</h2><table><thead><tr><th>Provider</th><th>Secrets</th></tr></thead><tbody>${providers}</tbody></table>
<h2>Overview, most urgent first</h2><table><thead><tr><th>#</th><th>Status</th><th>Where</th><th>Blast radius</th><th>Provider</th><th>First path</th><th>Introduced</th><th>Removed</th></tr></thead><tbody>${overview}</tbody></table>
<h2>Secrets and what to do</h2>${audit.entries.map((e) => entryHtml(e)).join("\n")}`;
  const intro = `<h1>keyscan history audit</h1>
<p class="meta">Scanned ${scanned} on ${escapeHtml(sc.startedAt)} · keyscan ${escapeHtml(result.tool.version)} · rules ${escapeHtml(result.rules.version)}${result.redacted ? " · secrets redacted" : " · <strong>secrets shown in full</strong>"}</p>`;
  return page({ title: "keyscan history audit", body: `${intro}\n${warnings}${body}`, css: CSS });
}
