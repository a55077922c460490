/**
 * Escaping for text that came from a scanned repository (file names, author names, commit messages, rule data)
 * before it goes into HTML, SVG or Markdown. Everything from the repo is untrusted: a file named
 * `<script>alert(1)</script>.env` must appear as text, never as markup.
 */
const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML[c]!);
}

/** Markdown inline text: neutralise HTML and the characters that start Markdown syntax; keep it on one line. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, " ");
}

/** Markdown code span that cannot be broken out of (backticks inside are replaced). */
export function markdownCode(s: string): string {
  return `\`${s.replace(/`/g, "ˋ").replace(/\r\n|\r|\n/g, " ")}\``;
}
