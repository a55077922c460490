/**
 * The reporter registry: format name → pure function of a ScanResult. Adding a format is one entry here and one
 * module beside this one. Every reporter starts from `redactResult` (src/report/redact.ts), so no format can show
 * a secret that --no-redact did not ask for, and a saved redacted scan stays redacted.
 */
import { renderAuditHtml } from "./audit/html.js";
import { renderAuditMarkdown } from "./audit/markdown.js";
import { renderGithub } from "./github.js";
import { renderHtml } from "./html.js";
import { renderJson, renderJsonl } from "./json.js";
import { renderMarkdown } from "./markdown.js";
import { renderSarif } from "./sarif.js";
import { renderText } from "./text.js";
import type { Reporter } from "./types.js";

export const REPORTERS: Record<string, Reporter> = {
  text: renderText,
  json: renderJson,
  jsonl: renderJsonl,
  sarif: renderSarif,
  github: renderGithub,
  // A history scan renders as an audit (one entry per secret, urgency order, timeline); any other scan as a report.
  markdown: (r, o) => (r.history ? renderAuditMarkdown(r, o) : renderMarkdown(r, o)),
  html: (r, o) => (r.history ? renderAuditHtml(r, o) : renderHtml(r, o)),
};

export function formatNames(): string[] {
  return Object.keys(REPORTERS);
}
