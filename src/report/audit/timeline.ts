/**
 * The audit's timeline picture, drawn by keyscan as inline SVG (no chart library, no network): one row per secret,
 * a bar from the commit that introduced it to the commit that removed it (or to the scan, when it is still there),
 * coloured by status, with time ticks (years; months or days for a history under a year). All labels are escaped; the picture is static and prints.
 */
import { escapeHtml } from "../html/page.js";
import type { AuditEntry } from "./model.js";

const COLORS: Record<string, string> = { live: "#c62828", unknown: "#ef6c00", "not checked": "#f9a825", invalid: "#757575" };
const MAX_ROWS = 60;

export function timelineSvg(entries: readonly AuditEntry[], scanDate: string): string {
  const rows = entries.filter((e) => e.introduced).slice(0, MAX_ROWS);
  if (rows.length === 0) return "";
  const end = Date.parse(scanDate) || Date.now();
  const starts = rows.map((e) => Date.parse(e.introduced!.date));
  let min = Math.min(...starts);
  if (!(min < end)) min = end - 86_400_000;
  const span = end - min;
  const left = 150;
  const width = 820;
  const plot = width - left - 20;
  const rowH = 18;
  const top = 24;
  const height = top + rows.length * rowH + 24;
  const x = (t: number) => left + ((t - min) / span) * plot;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" aria-label="Timeline of when secrets were introduced and removed" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`);
  // Time ticks: years, or months or days when the history spans under a year (issue 20: one year gave no dates).
  for (const tick of timeTicks(min, end)) {
    const tx = x(tick.t).toFixed(1);
    parts.push(`<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 18}" stroke="#ddd"/><text x="${tx}" y="${height - 4}" font-size="11" text-anchor="middle" fill="#555">${escapeHtml(tick.label)}</text>`);
  }
  rows.forEach((e, i) => {
    const y = top + i * rowH;
    const s = x(Date.parse(e.introduced!.date));
    const stop = e.removed ? Date.parse(e.removed.date) : end;
    const w = Math.max(3, x(stop) - s);
    const color = COLORS[e.status] ?? "#999";
    const label = escapeHtml(`#${e.rank} ${e.finding.providerName}`);
    const title = escapeHtml(`#${e.rank} ${e.finding.ruleName}: introduced ${e.introduced!.date.slice(0, 10)}${e.removed ? `, removed ${e.removed.date.slice(0, 10)}` : ", still present"} (${e.status})`);
    parts.push(`<text x="${left - 8}" y="${y + 12}" font-size="11" text-anchor="end" fill="#222">${label}</text>`);
    parts.push(`<rect x="${s.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" rx="3" fill="${color}"><title>${title}</title></rect>`);
    if (!e.removed) parts.push(`<text x="${(s + w + 4).toFixed(1)}" y="${y + 12}" font-size="10" fill="${color}">▶</text>`);
  });
  parts.push(`<text x="${left}" y="14" font-size="11" fill="#555">introduced → removed (bar reaching the right edge: still present at the scan)</text>`);
  parts.push("</svg>");
  return parts.join("");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = 86_400_000;

/**
 * Ticks between `min` and `end` (ms, UTC), about ten at most: years for a span of a year or more, months for two
 * months or more, else days. A month tick says its year on the first tick and where the year changes.
 */
export function timeTicks(min: number, end: number): Array<{ t: number; label: string }> {
  const out: Array<{ t: number; label: string }> = [];
  const span = end - min;
  const first = new Date(min);
  if (span >= 365 * DAY) {
    const firstYear = first.getUTCFullYear();
    const lastYear = new Date(end).getUTCFullYear();
    const step = Math.max(1, Math.ceil((lastYear - firstYear + 1) / 10));
    for (let y = firstYear; y <= lastYear; y += step) {
      const t = Date.UTC(y, 0, 1);
      if (t >= min) out.push({ t, label: String(y) });
    }
    return out;
  }
  if (span >= 60 * DAY) {
    const months = Math.ceil(span / (30 * DAY)) + 1;
    const step = Math.max(1, Math.ceil(months / 10));
    for (let m = first.getUTCMonth() + 1, y = first.getUTCFullYear(); ; m += step) {
      const t = Date.UTC(y, m, 1);
      if (t > end) break;
      const d = new Date(t);
      const newYear = out.length === 0 || new Date(out[out.length - 1]!.t).getUTCFullYear() !== d.getUTCFullYear();
      out.push({ t, label: newYear ? `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` : MONTHS[d.getUTCMonth()]! });
    }
    return out;
  }
  const days = Math.ceil(span / DAY) + 1;
  const step = Math.max(1, Math.ceil(days / 10));
  for (let t = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate() + 1); t <= end; t += step * DAY) {
    const d = new Date(t);
    out.push({ t, label: `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}` });
  }
  return out;
}
