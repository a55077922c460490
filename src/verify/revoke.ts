/**
 * Revocation (issue 22, `keyscan revoke`): send a rule's `revoke_request` — the provider's documented self-service
 * revocation of the presented credential — for findings of a saved report. It exists so that whoever is on call can
 * kill a leaked key from the same tool that found it, and it is built to do nothing by surprise: a dry run (the
 * default) builds and prints each request with the secret masked and sends nothing; with `send` each distinct secret
 * gets exactly one request, no retry, through the verify safety contract (HTTPS, declared hosts, public addresses
 * checked at the socket, the test override for a loopback stand-in) and stricter still: a redirect is never
 * followed, and rules from the scanned repository's own config never revoke unless the user allows it. It is never
 * part of a scan or of `keyscan ci`. Outcomes and reasons never contain the secret.
 */
import { TEMPLATE_PLACEHOLDER } from "../engine/template-placeholder.js";
import type { RevokeSpec } from "../engine/rule-schema.js";
import type { Rule, RuleSet } from "../engine/rule.js";
import { KeyscanError } from "../errors.js";
import { isRedacted, redactSecret } from "../report/redact.js";
import type { Finding, RevocationStatus } from "../report/types.js";
import { HttpFailure, createAgents, destroyAgents, send } from "./http.js";
import { scrub } from "./index.js";
import { applyOverride, checkUrl, type UrlPolicy } from "./safety.js";
import { expandRequest } from "./template.js";
import { VERIFY_DEFAULTS, type HttpAnswer, type PreparedRequest } from "./types.js";
import { answerMatches } from "./verify.js";
import { readPick } from "./access.js";

export interface RevokeOptions {
  /** Send the requests (`--yes`); otherwise a dry run that sends nothing. */
  send: boolean;
  /** Test override, as for verify: provider id → base URL of a loopback stand-in. */
  endpointOverrides?: Record<string, string>;
  /** Let rules from the scanned repository's own config revoke (off by default). */
  allowRepoRules?: boolean;
  timeoutMs?: number;
}

export interface RevokeOutcome {
  fingerprint: string;
  rule: string;
  provider: string;
  path: string;
  line: number;
  status: RevocationStatus;
  reason?: string;
  httpStatus?: number;
  /** The request as the rule declares it (`DELETE https://api.example.com/tokens/self`). */
  endpoint?: string;
  /** The request as built, secret and companions masked: what was (or, in a dry run, would be) sent. */
  request?: string;
  at: string;
  /** Where to revoke by hand when keyscan cannot. */
  manual?: string;
}

/** The request with every placeholder shown masked (`ghp_…(40 chars)`), for people. */
export function describeRevokeRequest(spec: RevokeSpec, secret: string, companions: Readonly<Record<string, string>>): string {
  const mask = (t: string) =>
    t.replace(TEMPLATE_PLACEHOLDER, (_m, name: string) => {
      if (name === "secret") return redactSecret(secret);
      const c = /^companion\.(.+)$/.exec(name)?.[1];
      return c !== undefined && companions[c] !== undefined ? redactSecret(companions[c]!) : `{{${name}}}`;
    });
  const r = spec.request;
  const headers = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${mask(v)}`);
  if (r.basic_auth) headers.push(`Authorization: Basic base64(${mask(r.basic_auth.username)}:${mask(r.basic_auth.password)})`);
  const text = `${r.method} ${mask(r.url)}${headers.length ? `  [${headers.join("; ")}]` : ""}${r.body !== undefined ? `  body ${mask(r.body)}` : ""}`;
  return scrub(text, [secret, ...Object.values(companions)]);
}

function refusalOf(rule: Rule, options: RevokeOptions): string | undefined {
  if (rule.provider.fromRepoConfig && !options.allowRepoRules) {
    return `the rule comes from the scanned repository's own config (${rule.provider.file}); pass --allow-repo-rules-verify to let it revoke`;
  }
  return undefined;
}

function companionsIn(spec: RevokeSpec): string[] {
  const r = spec.request;
  const texts = [r.url, ...Object.values(r.headers ?? {}), r.body ?? "", r.basic_auth?.username ?? "", r.basic_auth?.password ?? ""];
  const names = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(TEMPLATE_PLACEHOLDER)) {
    const c = /^companion\.(.+)$/.exec(m[1]!)?.[1];
    if (c !== undefined) names.add(c);
  }
  return [...names];
}

/** `{{lookup.NAME}}` → `{{companion.__lookup_NAME}}`, so the template expander encodes looked-up values like companions. */
function withLookups(r: RevokeSpec["request"]): RevokeSpec["request"] {
  const swap = (t: string) => t.replace(/\{\{\s*lookup\.([A-Za-z0-9_]+)\s*\}\}/g, "{{companion.__lookup_$1}}");
  return {
    ...r,
    url: swap(r.url),
    ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, swap(v)])) } : {}),
    ...(r.body !== undefined ? { body: swap(r.body) } : {}),
    ...(r.basic_auth ? { basic_auth: { username: swap(r.basic_auth.username), password: swap(r.basic_auth.password) } } : {}),
  };
}

/** Send the rule's verify request (read-only) and read the lookup values from its answer; a string is why not. */
async function lookup(rule: Rule, spec: RevokeSpec, secret: string, companions: Readonly<Record<string, string>>, override: string | undefined, http: Parameters<typeof send>[1]): Promise<Record<string, string> | string> {
  if (!rule.verify) return "the revoke request needs values from the verify answer, but the rule has no verify request";
  let req: PreparedRequest;
  try {
    req = expandRequest(rule.verify, { secret, companions });
  } catch (err) {
    return err instanceof Error ? err.message : "the lookup request cannot be built";
  }
  if (override !== undefined) req = { ...req, url: applyOverride(req.url, override) };
  const refused = checkUrl(req.url, http.policy);
  if (refused) return `keyscan refused: ${refused}`;
  let answer: HttpAnswer;
  try {
    answer = await send(req, http);
  } catch (err) {
    return err instanceof HttpFailure && err.kind === "refused" ? `keyscan refused: ${err.message}` : `lookup failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (answer.status === 401) return `lookup: HTTP 401 (the key is already invalid?)`;
  if (answer.status < 200 || answer.status >= 300) return `lookup: HTTP ${answer.status}`;
  const out: Record<string, string> = {};
  const parsed = new Map<number, unknown>();
  for (const [name, pick] of Object.entries(spec.lookup ?? {})) {
    const v = readPick(pick, [answer], parsed);
    if (typeof v !== "string" && typeof v !== "number") return `lookup: the verify answer has no \`${pick}\``;
    out[name] = String(v);
  }
  return out;
}

function classifyRevoke(spec: RevokeSpec, answer: HttpAnswer): { status: RevocationStatus; reason?: string } {
  if (answerMatches(spec.revoked, answer)) return { status: "revoked" };
  if (answerMatches(spec.already_invalid, answer)) return { status: "already-invalid" };
  if (answerMatches(spec.refused, answer)) return { status: "refused", reason: `the provider refused (HTTP ${answer.status})` };
  return { status: "failed", reason: `HTTP ${answer.status}: the answer matches none of the rule's revoke outcomes; check by hand` };
}

/**
 * Revoke (or, without `send`, describe) each distinct secret among `findings`. `secrets` maps a fingerprint to the
 * full secret and its companions when the finding itself holds only the redacted form (a rescan found it).
 */
export async function revokeFindings(
  findings: readonly Finding[],
  ruleset: RuleSet,
  options: RevokeOptions,
  secrets: ReadonlyMap<string, { secret: string; companions?: Record<string, string> }> = new Map(),
): Promise<RevokeOutcome[]> {
  const rules = new Map(ruleset.rules.map((r) => [r.id, r]));
  const agents = createAgents(8);
  const seen = new Set<string>();
  const out: RevokeOutcome[] = [];
  try {
    for (const f of findings) {
      if (seen.has(f.fingerprint)) continue;
      seen.add(f.fingerprint);
      const base = { fingerprint: f.fingerprint, rule: f.ruleId, provider: f.provider, path: f.path, line: f.line };
      const done = (status: RevocationStatus, extra: Partial<RevokeOutcome> = {}) => out.push({ ...base, status, ...extra, at: new Date().toISOString() });
      const rule = rules.get(f.ruleId);
      if (!rule) {
        done("failed", { reason: `rule ${f.ruleId} is not loaded (pass the same --rules/--config as the scan)` });
        continue;
      }
      const manual = rule.provider.revoke ? { manual: rule.provider.revoke } : {};
      const spec = rule.revokeRequest;
      if (!spec) {
        done("unsupported", { reason: `${rule.provider.name} documents no self-service revocation keyscan can send; revoke it by hand`, ...manual });
        continue;
      }
      const endpoint = `${spec.request.method} ${spec.request.url}`;
      const known = !isRedacted(f.secret) ? { secret: f.secret, companions: f.companions ?? {} } : secrets.get(f.fingerprint);
      if (!known) {
        done("skipped", { endpoint, reason: "the report holds only the redacted secret: use a report written with --no-redact, or --rescan the path", ...manual });
        continue;
      }
      const companions = known.companions ?? {};
      const hidden = [known.secret, ...Object.values(companions)];
      const missing = companionsIn(spec).filter((c) => companions[c] === undefined);
      if (missing.length) {
        done("skipped", { endpoint, reason: `the request needs companion ${missing.map((c) => `\`${c}\``).join(", ")}, which the report does not keep: --rescan the path`, ...manual });
        continue;
      }
      const request = describeRevokeRequest(spec, known.secret, companions);
      const refusal = refusalOf(rule, options);
      if (refusal) {
        done("refused", { endpoint, request, reason: `keyscan refused: ${refusal}`, ...manual });
        continue;
      }
      const override = options.endpointOverrides?.[rule.provider.id];
      const policy: UrlPolicy = { hosts: rule.provider.hosts };
      if (override !== undefined) policy.overrideOrigin = new URL(override).origin;
      const http = { policy, allowPrivate: override !== undefined, timeoutMs: options.timeoutMs ?? VERIFY_DEFAULTS.timeoutMs, maxRedirects: 0, agents };
      // Values from the verify answer (`lookup`): only when sending — a dry run sends nothing at all.
      const lookedUp: Record<string, string> = {};
      if (spec.lookup && options.send) {
        const got = await lookup(rule, spec, known.secret, companions, override, http);
        if (typeof got === "string") {
          done(got.startsWith("keyscan refused") ? "refused" : "failed", { endpoint, request, reason: scrub(got, hidden), ...manual });
          continue;
        }
        for (const [k, v] of Object.entries(got)) lookedUp[`__lookup_${k}`] = v;
      } else for (const k of Object.keys(spec.lookup ?? {})) lookedUp[`__lookup_${k}`] = "lookup"; // dry run: a stand-in value, only to check the URL
      let req: PreparedRequest;
      try {
        req = expandRequest({ request: withLookups(spec.request) as never, verified: { status: [200] } }, { secret: known.secret, companions: { ...companions, ...lookedUp } });
      } catch (err) {
        done("failed", { endpoint, request, reason: scrub(err instanceof KeyscanError ? err.message : "the revoke request cannot be built", hidden) });
        continue;
      }
      if (override !== undefined) req = { ...req, url: applyOverride(req.url, override) };
      const refused = checkUrl(req.url, policy);
      if (refused) {
        done("refused", { endpoint, request, reason: scrub(`keyscan refused: ${refused}`, hidden), ...manual });
        continue;
      }
      if (!options.send) {
        done("dry-run", { endpoint, request });
        continue;
      }
      try {
        const answer = await send(req, http);
        const c = classifyRevoke(spec, answer);
        done(c.status, { endpoint, request, httpStatus: answer.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.status === "revoked" || c.status === "already-invalid" ? {} : manual) });
      } catch (err) {
        if (!(err instanceof HttpFailure)) throw err;
        const why = /more than 0 redirects/.test(err.message) ? "the provider answered with a redirect, which keyscan never follows for a revoke request" : err.message;
        done(err.kind === "refused" ? "refused" : "failed", { endpoint, request, reason: scrub(err.kind === "refused" ? `keyscan refused: ${why}` : why, hidden), ...manual });
      }
    }
  } finally {
    destroyAgents(agents);
  }
  return out;
}
