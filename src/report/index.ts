/**
 * The reporter registry: format name → pure function of a ScanResult. Adding a format is one entry here and one
 * module beside this one.
 */
import { renderAuditHtml } from "./audit/html.js";
import { renderAuditMarkdown } from "./audit/markdown.js";
import { renderJson, renderJsonl } from "./json.js";
import { renderText } from "./text.js";
import type { ScanResult } from "./types.js";

export interface ReportOptions {
  redact: boolean;
  color: boolean;
}

export type Reporter = (result: ScanResult, options: ReportOptions) => string;

export const REPORTERS: Record<string, Reporter> = {
  text: renderText,
  json: renderJson,
  jsonl: renderJsonl,
  markdown: renderAuditMarkdown,
  html: renderAuditHtml,
};

export function formatNames(): string[] {
  return Object.keys(REPORTERS);
}
