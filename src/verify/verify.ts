/**
 * Reads a provider's answer the way the rule's verify block says: `verified` and `invalid` each list statuses plus
 * optional JSON field values (dot paths) and body markers; an answer matching neither is `unknown`. Some answers
 * are never trusted whatever the rule says: an HTML page (a firewall, CDN challenge or captive portal — a 200 or a
 * 403 HTML page says nothing about the key), a 429 or a 5xx. Extracted fields are copied only as small scalars
 * (or short lists of them) and any value that contains the secret — or is a long piece of it — is dropped.
 */
import type { StatusMatchSpec, VerifySpec } from "../engine/rule-schema.js";
import type { HttpAnswer, Outcome } from "./types.js";

const MAX_FIELD_CHARS = 200;

function looksLikeHtml(answer: HttpAnswer): boolean {
  const type = (answer.headers["content-type"] ?? "").toLowerCase();
  if (type.includes("text/html") || type.includes("application/xhtml")) return true;
  return /^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(answer.body.slice(0, 512));
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Read a dot path (`a.b.0.c`) from parsed JSON. */
export function getPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function matches(spec: StatusMatchSpec, answer: HttpAnswer, json: () => { ok: boolean; value?: unknown }): boolean {
  if (!spec.status.includes(answer.status)) return false;
  if (spec.json) {
    const parsed = json();
    if (!parsed.ok) return false;
    for (const [path, want] of Object.entries(spec.json)) if (getPath(parsed.value, path) !== want) return false;
  }
  if (spec.body_contains) for (const marker of spec.body_contains) if (!answer.body.includes(marker)) return false;
  return true;
}

/** Whether an answer matches any of the patterns (for revoke outcomes, issue 22). HTML pages never match. */
export function answerMatches(spec: StatusMatchSpec | StatusMatchSpec[] | undefined, answer: HttpAnswer): boolean {
  if (looksLikeHtml(answer)) return false;
  let cached: { ok: boolean; value?: unknown } | undefined;
  return list(spec).some((m) => matches(m, answer, () => (cached ??= parseJson(answer.body))));
}

function list(spec: StatusMatchSpec | StatusMatchSpec[] | undefined): StatusMatchSpec[] {
  return spec === undefined ? [] : Array.isArray(spec) ? spec : [spec];
}

export function leaks(value: unknown, secrets: readonly string[]): boolean {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? "";
  return secrets.some((s) => s.length > 0 && (text.includes(s) || (text.length >= 8 && typeof value === "string" && s.includes(text))));
}

function safeField(value: unknown): boolean {
  if (value === null || typeof value === "number" || typeof value === "boolean") return true;
  if (typeof value === "string") return value.length <= MAX_FIELD_CHARS;
  if (Array.isArray(value)) return value.length <= 50 && value.every((v) => v === null || ["string", "number", "boolean"].includes(typeof v)) && JSON.stringify(value).length <= MAX_FIELD_CHARS * 5;
  return false;
}

/** Copy the rule's `extract` fields from a JSON body, never the secret (nor companion values). */
export function extractFields(spec: VerifySpec, body: string, secrets: readonly string[]): Record<string, unknown> | undefined {
  if (!spec.extract || spec.extract.length === 0) return undefined;
  const parsed = parseJson(body);
  if (!parsed.ok) return undefined;
  const fields: Record<string, unknown> = {};
  for (const path of spec.extract) {
    const v = getPath(parsed.value, path);
    if (v === undefined || !safeField(v) || leaks(v, secrets)) continue;
    fields[path] = v;
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** Classify one answer (after retries are exhausted or not needed). */
export function classify(spec: VerifySpec, answer: HttpAnswer, secrets: readonly string[]): Outcome {
  const base = { httpStatus: answer.status };
  if (answer.status === 429) return { ...base, status: "unknown", reason: "rate limited by the provider (HTTP 429)" };
  if (answer.status >= 500) return { ...base, status: "unknown", reason: `provider error (HTTP ${answer.status})` };
  if (looksLikeHtml(answer)) {
    return { ...base, status: "unknown", reason: `HTTP ${answer.status} with an HTML page (a firewall, CDN or error page?), not the API's answer` };
  }
  let cached: { ok: boolean; value?: unknown } | undefined;
  const json = () => (cached ??= parseJson(answer.body));
  if (list(spec.verified).some((m) => matches(m, answer, json))) {
    const fields = extractFields(spec, answer.body, secrets);
    return { ...base, status: "verified", ...(fields ? { fields } : {}) };
  }
  if (list(spec.invalid).some((m) => matches(m, answer, json))) return { ...base, status: "invalid" };
  const expectsJson = list(spec.verified).some((m) => m.json !== undefined);
  const why = expectsJson && !json().ok ? "the body is not the JSON the rule expects" : "the answer matches neither the verified nor the invalid pattern";
  return { ...base, status: "unknown", reason: `HTTP ${answer.status}: ${why}` };
}
