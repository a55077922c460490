/**
 * Live verification of findings: `verifyFindings(result, ruleset, options)` asks each finding's provider, through
 * the rule's declared read-only endpoint, whether the key is live, and sets `finding.verification` to `verified`,
 * `invalid` or `unknown` (with a reason). It never throws for a finding: refusals, timeouts, throttling and odd
 * answers all become `unknown`, so a verify failure cannot abort a scan. Each distinct secret (fingerprint plus
 * companion values) is asked about once per run; requests are paced per provider (limiter.ts), retried with
 * exponential backoff on 429/5xx/timeouts, and sent through the safety contract (safety.ts, http.ts). Reasons and
 * warnings are scrubbed of the secret and its companions before they leave this module.
 */
import { isRedacted } from "../report/redact.js";
import type { Rule, RuleSet } from "../engine/rule.js";
import { KeyscanError } from "../errors.js";
import type { AccessMap, Finding, ScanResult } from "../report/types.js";
import { companionSpecs } from "../engine/companions.js";
import { companionsOf, describeCompanion } from "./companions.js";
import { HttpFailure, createAgents, destroyAgents, send, type Agents } from "./http.js";
import { Limiter, retryAfterMs, sleep } from "./limiter.js";
import { applyOverride, checkRuleMayVerify, checkUrl, type UrlPolicy } from "./safety.js";
import { companionsUsed, expandRequest } from "./template.js";
import { VERIFY_DEFAULTS, type HttpAnswer, type Outcome, type PerProvider, type PreparedRequest, type Verification, type VerifyOptions } from "./types.js";
import { classify } from "./verify.js";
import { runAccess } from "./access.js";

export type { VerifyOptions, PerProvider } from "./types.js";
export { USER_AGENT } from "./http.js";

export interface VerifySummary {
  /** Findings given a verification. */
  findings: number;
  /** Distinct secrets asked about (cache misses). */
  distinct: number;
  /** HTTP requests sent (attempts, including retries; redirect hops not counted). */
  requests: number;
  verified: number;
  invalid: number;
  unknown: number;
  durationMs: number;
}

function perProvider<T>(p: PerProvider<T> | undefined, provider: string, fallback: T): T {
  return p?.byProvider[provider] ?? p?.default ?? fallback;
}

/**
 * Replace every occurrence of the given values (raw, URL-encoded, JSON-escaped; any letter case, since a URL
 * parser lowercases a host name) with `[REDACTED]`.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])) {
      out = out.replace(new RegExp(form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), "[REDACTED]");
    }
  }
  return out;
}

export class Verifier {
  private readonly rules: Map<string, Rule>;
  private readonly limiters = new Map<string, Limiter>();
  private readonly cache = new Map<string, Promise<Outcome>>();
  private readonly warned = new Set<string>();
  private readonly agents: Agents = createAgents(64);
  readonly counts = { distinct: 0, requests: 0 };

  constructor(
    ruleset: RuleSet,
    private readonly options: VerifyOptions = {},
  ) {
    this.rules = new Map(ruleset.rules.map((r) => [r.id, r]));
  }

  /** Release sockets. Call once the run is over. */
  close(): void {
    destroyAgents(this.agents);
  }

  /** Warn once per distinct (scrubbed) message; `secrets` are removed first, as a URL in a message may hold them. */
  private warnOnce(message: string, secrets: readonly string[] = []): void {
    const clean = scrub(message, secrets);
    if (this.warned.has(clean)) return;
    this.warned.add(clean);
    this.options.warn?.(clean);
  }

  private limiter(provider: string): Limiter {
    let l = this.limiters.get(provider);
    if (!l) {
      const rate = perProvider(this.options.rate, provider, VERIFY_DEFAULTS.rate);
      const concurrency = perProvider(this.options.concurrency, provider, VERIFY_DEFAULTS.concurrency);
      l = new Limiter({ rate, concurrency });
      this.limiters.set(provider, l);
    }
    return l;
  }

  /** The verification of one finding; never throws. */
  async verify(finding: Finding): Promise<Verification & { access?: AccessMap }> {
    const rule = this.rules.get(finding.ruleId);
    const done = (o: Outcome, secrets: readonly string[] = [finding.secret]): Verification & { access?: AccessMap } => ({
      ...o,
      ...(o.reason !== undefined ? { reason: scrub(o.reason, secrets) } : {}),
      checkedAt: new Date().toISOString(),
    });
    if (!rule) return done({ status: "unknown", reason: `rule ${finding.ruleId} is not loaded` });
    const spec = rule.verify;
    if (!spec) return done({ status: "unknown", reason: "this rule has no verify endpoint" });
    const endpoint = `${spec.request.method} ${spec.request.url}`;
    const refusal = checkRuleMayVerify(rule, this.options);
    if (refusal) {
      this.warnOnce(`verification refused for rule ${rule.id}: ${refusal}`);
      return done({ status: "unknown", reason: `verification refused: ${refusal}`, endpoint });
    }
    const companions = companionsOf(finding);
    const needed = new Set([...companionSpecs(rule).map((c) => c.name), ...companionsUsed(spec)]);
    for (const name of needed) {
      if (companions[name] === undefined) return done({ status: "unknown", reason: `needs ${describeCompanion(rule, name)}`, endpoint });
    }
    const secrets = [finding.secret, ...Object.values(companions)];
    const key = `${finding.fingerprint}\0${JSON.stringify(Object.entries(companions).sort())}`;
    let pending = this.cache.get(key);
    if (!pending) {
      this.counts.distinct++;
      pending = this.ask(rule, finding.secret, companions).catch((err: unknown) => ({
        status: "unknown" as const,
        reason: `internal error during verification (${err instanceof Error ? err.message : String(err)})`,
      }));
      this.cache.set(key, pending);
    }
    return done({ ...(await pending), endpoint }, secrets);
  }

  private backoff(attempt: number): number {
    const base = this.options.backoffMs ?? VERIFY_DEFAULTS.backoffMs;
    return base * 2 ** attempt * (1 + Math.random() * 0.25);
  }

  private async ask(rule: Rule, secret: string, companions: Readonly<Record<string, string>>): Promise<Outcome> {
    const spec = rule.verify!;
    const provider = rule.provider;
    let req: PreparedRequest;
    try {
      req = expandRequest(spec, { secret, companions });
    } catch (err) {
      return { status: "unknown", reason: err instanceof KeyscanError ? err.message : "the verify request cannot be built" };
    }
    const override = this.options.endpointOverrides?.[provider.id];
    const policy: UrlPolicy = { hosts: provider.hosts };
    if (override !== undefined) {
      req = { ...req, url: applyOverride(req.url, override) };
      policy.overrideOrigin = new URL(override).origin;
    }
    const secrets = [secret, ...Object.values(companions)];
    const refused = checkUrl(req.url, policy);
    if (refused) {
      this.warnOnce(`verification refused for rule ${rule.id}: ${refused}`, secrets);
      return { status: "unknown", reason: `verification refused: ${refused}` };
    }
    const retries = this.options.retries ?? VERIFY_DEFAULTS.retries;
    const maxWait = this.options.maxRetryAfterMs ?? VERIFY_DEFAULTS.maxRetryAfterMs;
    const limiter = this.limiter(provider.id);
    const httpOptions = {
      policy,
      allowPrivate: override !== undefined,
      timeoutMs: this.options.timeoutMs ?? VERIFY_DEFAULTS.timeoutMs,
      maxRedirects: this.options.maxRedirects ?? VERIFY_DEFAULTS.maxRedirects,
      agents: this.agents,
    };
    let last: Outcome = { status: "unknown", reason: "no attempt was made" };
    for (let attempt = 0; attempt <= retries; attempt++) {
      const tries = `${attempt + 1} attempt${attempt === 0 ? "" : "s"}`;
      let answer;
      try {
        this.counts.requests++;
        answer = await limiter.run(() => send(req, httpOptions));
      } catch (err) {
        if (!(err instanceof HttpFailure)) throw err;
        if (err.kind === "refused") {
          this.warnOnce(`verification refused for rule ${rule.id}: ${err.message}`, secrets);
          return { status: "unknown", reason: `verification refused: ${err.message}` };
        }
        last = { status: "unknown", reason: `${err.message} (${tries})` };
        if (!err.retryable) break;
        if (attempt < retries) await sleep(this.backoff(attempt));
        continue;
      }
      if (answer.status === 429) {
        const wait = retryAfterMs(answer.headers["retry-after"]);
        if (wait !== undefined && wait > maxWait) {
          return { status: "unknown", reason: `rate limited by the provider (HTTP 429; it asks to wait ${Math.ceil(wait / 1000)} s, more than the ${Math.ceil(maxWait / 1000)} s keyscan waits)`, httpStatus: 429 };
        }
        last = { ...classify(spec, answer, secrets), reason: `rate limited by the provider (HTTP 429, ${tries})` };
        if (attempt < retries) limiter.pauseFor(wait ?? this.backoff(attempt));
        continue;
      }
      if (answer.status >= 500) {
        last = { ...classify(spec, answer, [secret]), reason: `provider error (HTTP ${answer.status}, ${tries})` };
        if (attempt < retries) await sleep(this.backoff(attempt));
        continue;
      }
      const outcome = classify(spec, answer, secrets);
      if (outcome.status === "verified" && rule.access && this.options.access !== false) {
        // Issue 22: what the live key can reach, through the same contract, limiter and override (access.ts).
        outcome.access = await runAccess(rule, { secret, companions }, answer, (r) => this.sendRead(r, override, policy, limiter, httpOptions, secrets));
      }
      return outcome;
    }
    return last;
  }

  /** One access request (issue 22): overridden like the verify request, checked, paced, sent once. */
  private async sendRead(req: PreparedRequest, override: string | undefined, policy: UrlPolicy, limiter: Limiter, httpOptions: Parameters<typeof send>[1], secrets: readonly string[]): Promise<HttpAnswer> {
    const r = override !== undefined ? { ...req, url: applyOverride(req.url, override) } : req;
    const refused = checkUrl(r.url, policy);
    if (refused) throw new Error(scrub(`refused: ${refused}`, secrets));
    this.counts.requests++;
    try {
      return await limiter.run(() => send(r, httpOptions));
    } catch (err) {
      throw new Error(scrub(err instanceof Error ? err.message : String(err), secrets));
    }
  }
}

/**
 * Verify every finding of a scan result in place (sets `verification`). Findings of one provider are paced by its
 * limiter; different providers proceed in parallel.
 */
export async function verifyFindings(result: ScanResult, ruleset: RuleSet, options: VerifyOptions = {}): Promise<VerifySummary> {
  const started = Date.now();
  const verifier = new Verifier(ruleset, options);
  try {
    await Promise.all(
      result.findings.map(async (f) => {
        if (isRedacted(f.secret)) {
          // Re-read from a --state file or a redacted saved scan: only the redacted form is known, nothing to send.
          f.verification = { status: "unknown", checkedAt: new Date().toISOString(), reason: "only the redacted secret is known (re-reported from a --state file or a redacted scan); rescan without --state to verify it" };
          return;
        }
        const { access, ...verification } = await verifier.verify(f);
        f.verification = verification;
        if (access) {
          f.access = access;
          f.severity = access.severity;
        }
      }),
    );
  } finally {
    verifier.close();
  }
  const count = (s: string) => result.findings.filter((f) => f.verification?.status === s).length;
  return {
    findings: result.findings.length,
    distinct: verifier.counts.distinct,
    requests: verifier.counts.requests,
    verified: count("verified"),
    invalid: count("invalid"),
    unknown: count("unknown"),
    durationMs: Date.now() - started,
  };
}

export interface EndpointEntry {
  provider: string;
  rule: string;
  /** What the request is for: `verify`, `access` (what a live key can reach) or `revoke` (`keyscan revoke --yes`). */
  kind: "verify" | "access" | "revoke";
  method: string;
  url: string;
  /** Why keyscan would refuse to call it (so it need not be allowed through an egress filter). */
  refused?: string;
  override?: boolean;
}

/** One endpoint of a rule, checked as keyscan would check it at run time (templates unexpanded). */
function endpointEntry(rule: Rule, kind: EndpointEntry["kind"], method: string, template: string, options: VerifyOptions): EndpointEntry {
  const override = options.endpointOverrides?.[rule.provider.id];
  let url = template;
  let refused = kind === "revoke" ? (rule.provider.fromRepoConfig && !options.allowRepoRules ? `the rule comes from the scanned repository's own config (${rule.provider.file}); pass --allow-repo-rules-verify to let it revoke` : undefined) : checkRuleMayVerify(rule, options);
  // Check the URL with placeholders filled by a harmless label (hosts with a companion match `*.` entries).
  // A host that is all placeholder (`https://{{companion.host}}/…`, a workspace's own host) is checked as one of the
  // declared hosts would be; at run time the companion's value must still be a declared host.
  const wholeHost = /^https?:\/\/\{\{[^{}]*\}\}(?=[/:?#]|$)/i.test(url) ? rule.provider.hosts[0]?.replace(/^\*\./, "x.") : undefined;
  const sample = (wholeHost ? url.replace(/\{\{[^{}]*\}\}/, wholeHost) : url).replace(/\{\{[^{}]*\}\}/g, "x");
  try {
    let u = new URL(sample);
    if (override !== undefined) {
      u = applyOverride(u, override);
      url = `${new URL(override).origin}${new URL(override).pathname.replace(/\/$/, "")}${url.replace(/^[a-z]+:\/\/[^/]*/i, "")}`;
    }
    refused ??= checkUrl(u, { hosts: rule.provider.hosts, ...(override !== undefined ? { overrideOrigin: new URL(override).origin } : {}) });
  } catch {
    refused ??= "the URL template does not give a valid URL";
  }
  return { provider: rule.provider.id, rule: rule.id, kind, method, url, ...(refused ? { refused } : {}), ...(override !== undefined ? { override: true } : {}) };
}

/**
 * Every method + URL keyscan may call for these rules (templates unexpanded), for egress allowlists: each rule's
 * verify request, its access requests (sent with --verify for live keys) and its revoke request (`keyscan revoke`).
 */
export function listEndpoints(ruleset: RuleSet, options: VerifyOptions = {}): EndpointEntry[] {
  const out: EndpointEntry[] = [];
  for (const rule of ruleset.rules) {
    const spec = rule.verify;
    if (spec) {
      out.push(endpointEntry(rule, "verify", spec.request.method, spec.request.url, options));
      for (const r of rule.access?.requests ?? []) out.push(endpointEntry(rule, "access", r.method, r.url, options));
    }
    const revoke = rule.revokeRequest?.request;
    if (revoke) out.push(endpointEntry(rule, "revoke", revoke.method, revoke.url, options));
  }
  return out;
}
