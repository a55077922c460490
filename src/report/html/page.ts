/**
 * The shell every keyscan HTML report shares: one self-contained document (inline CSS, no scripts, no external
 * fonts, images or links loaded; a Content-Security-Policy that forbids any request), readable with JavaScript off
 * and printable, plus `escapeHtml` and `safeHref` for everything that came from a repository. The scan report
 * (src/report/html.ts) and the history audit (issue 9) each provide only a body.
 */
import { printable } from "../printable.js";

export function escapeHtml(s: string): string {
  // Control and bidi characters (a hostile file name) are shown escaped, `\x1b` or `\u{202e}`, never raw (issue 19).
  return printable(s).replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

/** An href only for http(s) URLs; anything else (javascript:, data:) gives undefined and is shown as text. */
export function safeHref(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\/[^\s"'<>]+$/i.test(url)) return undefined;
  return escapeHtml(url);
}

export function link(label: string, url: string | undefined): string {
  const href = safeHref(url);
  return href ? `<a href="${href}" rel="noopener noreferrer">${escapeHtml(label)}</a>` : escapeHtml(label);
}

/** A rule's revoke hint (`https://… (Settings → API)`): its leading URL as a link, the rest as text. */
export function revokeHtml(revoke: string | undefined): string {
  if (!revoke) return "";
  const m = /^(https?:\/\/[^\s"'<>()]+)(.*)$/s.exec(revoke);
  return m ? `${link(m[1]!, m[1]!)}${escapeHtml(m[2]!)}` : escapeHtml(revoke);
}

export const BASE_CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --line: #d1d9e0; --crit: #a40e26; --high: #cf222e; --med: #9a6700; --low: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --line: #3d444d; --crit: #ff7b72; --high: #f85149; --med: #d29922; --low: #4493f8; } }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.counts { display: flex; gap: .75rem; flex-wrap: wrap; padding: 0; list-style: none; }
.counts li { border: 1px solid var(--line); border-radius: 6px; padding: .25rem .75rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: .4rem .5rem; }
th { font-weight: 600; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
.sev { font-weight: 600; text-transform: uppercase; font-size: 12px; }
.sev-critical { color: var(--crit); } .sev-high { color: var(--high); } .sev-medium { color: var(--med); } .sev-low, .sev-info { color: var(--low); }
.live { color: var(--high); font-weight: 700; }
.warn { border-left: 4px solid var(--med); padding: .25rem .75rem; }
footer { color: var(--muted); margin-top: 2rem; font-size: 12px; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } a[href]::after { content: " (" attr(href) ")"; font-size: 11px; } }
`;

export function page(options: { title: string; body: string; css?: string }): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    // No request of any kind: the report is opened from disk, from CI artifacts, from mail.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(options.title)}</title>`,
    `<style>${BASE_CSS}${options.css ?? ""}</style>`,
    "</head>",
    "<body>",
    options.body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
