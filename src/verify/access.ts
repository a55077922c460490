/**
 * The access map (issue 22): once a key verified live, what can an attacker do with it? The rule's `access` block
 * names read-only requests (none: the verify answer itself is read, at no extra request) and where in the answers
 * the key's identity, scopes, notable resources and spend are. This module expands those requests (the Verifier
 * sends them through the same safety contract, limiter and test override as the verify request), reads the picks,
 * raises the finding's severity when the key holds an admin or write scope, and scores the blast radius the audit
 * orders by. Values are copied only as small scalars or short lists, and never when they contain the secret.
 */
import type { AccessSpec, Severity } from "../engine/rule-schema.js";
import type { Rule } from "../engine/rule.js";
import type { AccessMap } from "../report/types.js";
import { expandRequest, type TemplateValues } from "./template.js";
import type { HttpAnswer, PreparedRequest } from "./types.js";
import { leaks } from "./verify.js";

const MAX_STRING = 200;
const MAX_LIST = 20;
const MAX_SCOPES = 100;
const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Scopes and grants that raise a finding to critical unless the rule says otherwise: admin, write, owner… */
const DEFAULT_CRITICAL = /(^|[^a-z])(admin|administrator|write|owner|delete|full)([^a-z]|$)/i;

/** The access requests of a rule, expanded with the secret and companions (throws E_VERIFY like verify's). */
export function accessRequests(spec: AccessSpec, values: TemplateValues): PreparedRequest[] {
  return (spec.requests ?? []).map((r) => expandRequest({ request: r, verified: { status: [200] } }, values));
}

/** `GET https://…` per access request, as the rule declares it (for reports and endpoint lists). */
export function accessEndpoints(spec: AccessSpec): string[] {
  return (spec.requests ?? []).map((r) => `${r.method} ${r.url}`);
}

function parse(answer: HttpAnswer | undefined): unknown {
  if (!answer) return undefined;
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    return undefined;
  }
}

/** Walk a dot path; a `*` segment maps over an array's items (or an object's values) and flattens. */
function walk(value: unknown, keys: readonly string[]): unknown[] {
  let cur: unknown[] = [value];
  let listed = false;
  for (const key of keys) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== "object") continue;
      if (key === "*") {
        listed = true;
        next.push(...(Array.isArray(v) ? v : Object.values(v)));
      } else {
        const x = (v as Record<string, unknown>)[key];
        if (x !== undefined) next.push(x);
      }
    }
    cur = next;
  }
  return listed ? [cur] : cur;
}

/** Read one pick (`path`, `N:path`, `header:NAME`, `N:header:NAME`) from the answers (index 0: the verify answer). */
export function readPick(pick: string, answers: readonly (HttpAnswer | undefined)[], parsed: Map<number, unknown>): unknown {
  const m = /^(?:(\d+):)?(.*)$/.exec(pick)!;
  const n = m[1] !== undefined ? Number(m[1]) : 0;
  const rest = m[2]!;
  const answer = answers[n];
  if (!answer) return undefined;
  if (rest.startsWith("header:")) return answer.headers[rest.slice(7).toLowerCase()];
  if (!parsed.has(n)) parsed.set(n, parse(answer));
  return walk(parsed.get(n), rest.split("."))[0];
}

/** A value small and plain enough to report, with nothing of the secret in it; else undefined. */
function clean(value: unknown, secrets: readonly string[]): unknown {
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "string") return value.length <= MAX_STRING && !leaks(value, secrets) ? value : undefined;
  if (Array.isArray(value)) {
    const items = value.filter((v) => v === null || ["string", "number", "boolean"].includes(typeof v)).filter((v) => typeof v !== "string" || (v.length <= 100 && !leaks(v, secrets)));
    return items.length > MAX_LIST ? [...items.slice(0, MAX_LIST), `… ${items.length - MAX_LIST} more`] : items;
  }
  return undefined;
}

function fields(spec: Record<string, string> | undefined, answers: readonly (HttpAnswer | undefined)[], parsed: Map<number, unknown>, secrets: readonly string[]): Record<string, unknown> | undefined {
  if (!spec) return undefined;
  const out: Record<string, unknown> = {};
  for (const [label, pick] of Object.entries(spec)) {
    const v = clean(readPick(pick, answers, parsed), secrets);
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[label] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

function scopesOf(spec: AccessSpec, answers: readonly (HttpAnswer | undefined)[], parsed: Map<number, unknown>, secrets: readonly string[]): string[] | undefined {
  const picks = spec.scopes === undefined ? [] : Array.isArray(spec.scopes) ? spec.scopes : [spec.scopes];
  const out = new Set<string>();
  for (const pick of picks) {
    const v = readPick(pick, answers, parsed);
    const list = Array.isArray(v) ? v.flat() : v === undefined || v === null ? [] : [v];
    for (const item of list) {
      if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") continue;
      for (const s of String(item).split(/[,\s]+/)) if (s && s.length <= 100 && !leaks(s, secrets)) out.add(s);
    }
  }
  for (const g of spec.grants ?? []) out.add(g);
  return out.size ? [...out].slice(0, MAX_SCOPES) : undefined;
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");
}

/** The severity the access map calls for, and why (undefined when it does not raise the rule's). */
function raised(spec: AccessSpec, base: Severity, scopes: readonly string[], found: Pick<AccessMap, "identity" | "resources" | "spend">): { to: Severity; by: string } | undefined {
  let best: { to: Severity; by: string } | undefined;
  const consider = (to: Severity, by: string) => {
    if (SEVERITY_RANK[to] > SEVERITY_RANK[best?.to ?? base]) best = { to, by };
  };
  for (const s of scopes) if (DEFAULT_CRITICAL.test(s)) consider("critical", `scope ${s}`);
  for (const r of spec.raise ?? []) {
    if (r.scopes) {
      const hit = scopes.find((s) => r.scopes!.some((p) => glob(p).test(s)));
      if (hit !== undefined) consider(r.to, `scope ${hit}`);
    } else if (r.field) {
      const [group, name] = r.field.split(".") as ["identity" | "resources" | "spend", string];
      const v = found[group]?.[name];
      const values = Array.isArray(v) ? v : [v];
      const hit = values.find((x) => r.equals!.some((e) => e === x || (typeof e === "string" && typeof x === "string" && e.toLowerCase() === x.toLowerCase())));
      if (hit !== undefined) consider(r.to, `${r.field} = ${String(hit)}`);
    }
  }
  return best;
}

/**
 * Blast radius, 0–100: the severity after the access map (critical 40 … info 0), plus up to 30 for scopes, up to
 * 20 for the resources it reaches (counts, on a log scale, and names), 5 for spend it can use and 5 for a known
 * identity. Only for live keys: the audit orders by it within the live group.
 */
export function blastRadius(severity: Severity, found: Pick<AccessMap, "identity" | "scopes" | "resources" | "spend">): number {
  let score = SEVERITY_RANK[severity] * 10;
  score += Math.min(30, (found.scopes?.length ?? 0) * 3);
  let reach = 0;
  for (const v of Object.values(found.resources ?? {})) {
    if (typeof v === "number" && v > 0) reach += Math.log2(1 + v) * 2;
    else if (Array.isArray(v)) reach += Math.min(8, v.length);
    else if (v !== null && v !== false && v !== undefined) reach += 1;
  }
  score += Math.min(20, Math.round(reach));
  if (found.spend) score += 5;
  if (found.identity) score += 5;
  return Math.min(100, score);
}

function show(v: unknown): string {
  return Array.isArray(v) ? v.map(String).join(", ") : String(v);
}

/** One line for people. */
export function accessSummary(found: Pick<AccessMap, "identity" | "scopes" | "resources" | "spend">): string {
  const parts: string[] = [];
  if (found.identity) parts.push(Object.entries(found.identity).map(([k, v]) => `${k} ${show(v)}`).join(", "));
  if (found.scopes) parts.push(`scopes ${found.scopes.slice(0, 12).join(", ")}${found.scopes.length > 12 ? ` (+${found.scopes.length - 12})` : ""}`);
  if (found.resources) parts.push(Object.entries(found.resources).map(([k, v]) => `${k}: ${show(v)}`).join(", "));
  if (found.spend) parts.push(Object.entries(found.spend).map(([k, v]) => `${k} ${show(v)}`).join(", "));
  return parts.length ? parts.join("; ") : "live; the provider reported nothing more";
}

/**
 * Build the access map from the answers: `answers[0]` is the verify answer, `answers[i]` the answer to
 * `requests[i-1]` (undefined when that request failed; `failures` says why).
 */
export function mapAccess(rule: Rule, answers: readonly (HttpAnswer | undefined)[], secrets: readonly string[], failures: readonly string[] = []): AccessMap {
  const spec = rule.access!;
  const parsed = new Map<number, unknown>();
  const identity = fields(spec.identity, answers, parsed, secrets);
  const resources = fields(spec.resources, answers, parsed, secrets);
  const spend = fields(spec.spend, answers, parsed, secrets);
  const scopes = scopesOf(spec, answers, parsed, secrets);
  const found = { ...(identity ? { identity } : {}), ...(scopes ? { scopes } : {}), ...(resources ? { resources } : {}), ...(spend ? { spend } : {}) };
  const raise = raised(spec, rule.severity, scopes ?? [], found);
  const severity = raise?.to ?? rule.severity;
  return {
    status: failures.length ? "partial" : "mapped",
    checkedAt: new Date().toISOString(),
    ...found,
    severity,
    blastRadius: blastRadius(severity, found),
    ...(raise ? { raisedFrom: rule.severity, raisedBy: raise.by } : {}),
    summary: accessSummary(found),
    ...(failures.length ? { reason: failures.join("; ") } : {}),
    endpoints: [...(rule.verify ? [`${rule.verify.request.method} ${rule.verify.request.url}`] : []), ...accessEndpoints(spec)],
  };
}

/**
 * Send the rule's access requests one after the other through `sendOne` (the Verifier's: safety contract, limiter,
 * test override) and map the answers. A request that cannot be built, is refused or fails leaves the map partial,
 * never the verification: the key is live either way.
 */
export async function runAccess(
  rule: Rule,
  values: TemplateValues,
  verifyAnswer: HttpAnswer,
  sendOne: (req: PreparedRequest) => Promise<HttpAnswer>,
): Promise<AccessMap> {
  const spec = rule.access!;
  const secrets = [values.secret, ...Object.values(values.companions)];
  const answers: (HttpAnswer | undefined)[] = [verifyAnswer];
  const failures: string[] = [];
  let requests: PreparedRequest[] = [];
  try {
    requests = accessRequests(spec, values);
  } catch (err) {
    failures.push(`access requests cannot be built (${err instanceof Error ? err.message : String(err)})`);
  }
  for (const [i, req] of requests.entries()) {
    try {
      const answer = await sendOne(req);
      if (answer.status >= 200 && answer.status < 300) answers[i + 1] = answer;
      else failures.push(`${spec.requests![i]!.method} ${spec.requests![i]!.url}: HTTP ${answer.status}`);
    } catch (err) {
      failures.push(`${spec.requests![i]!.method} ${spec.requests![i]!.url}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return mapAccess(rule, answers, secrets, failures);
}
