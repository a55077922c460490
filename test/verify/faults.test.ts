// Faults a provider (or what sits in front of it) can throw at verification, each against a loopback server that
// counts what it receives: throttling with Retry-After, transient 5xx, a response slower than the timeout, a
// redirect to another host, firewall HTML pages, a dead server. None may yield `verified`; all end in an outcome;
// the secret appears in no reason or warning.
import { afterEach, describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import type { Finding } from "../../src/report/types.js";
import { verifyFindings, type VerifyOptions } from "../../src/verify/index.js";
import { findingFor, fixture, reply, resultOf, secretFrom, startServer, type Handler, type TestServer } from "./helpers.js";

const ruleset = loadRules();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(handler: Handler, host?: string): Promise<TestServer> {
  const s = await startServer(handler, host);
  servers.push(s);
  return s;
}

async function verifyGetimg(handler: Handler, options: VerifyOptions = {}, findings?: Finding[]) {
  const s = await server(handler);
  const secret = secretFrom("key-{alnum:96}", "faults");
  const result = resultOf(findings ?? [findingFor(ruleset, "getimg.api-key", secret)]);
  const warnings: string[] = [];
  const summary = await verifyFindings(result, ruleset, {
    endpointOverrides: { getimg: s.base },
    retries: 2,
    backoffMs: 10,
    // A loopback answer takes milliseconds; the bound only ends a test whose server never answers, so it is wide
    // enough that a stalled test process on a loaded 2-core machine is not a timeout (the timeout case sets 150 ms).
    timeoutMs: 10_000,
    warn: (m) => warnings.push(m),
    ...options,
  });
  const v = result.findings[0]!.verification!;
  expect(JSON.stringify(v)).not.toContain(secret);
  expect(warnings.join("\n")).not.toContain(secret);
  return { v, s, summary, warnings, result, secret };
}

describe("throttling and transient failures", () => {
  it("429 with Retry-After: waits as told, then verifies", async () => {
    const { v, s } = await verifyGetimg((req, res) => (req.n === 1 ? reply(res, fixture("common", "rate-limited")) : reply(res, fixture("getimg", "valid"))));
    expect(v.status).toBe("verified");
    expect(s.requests).toHaveLength(2);
    const gap = s.requests[1]!.at - s.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(950); // Retry-After: 1
  });

  it("429 on every attempt → unknown with the reason, after the bounded retries", async () => {
    const { v, s } = await verifyGetimg((_req, res) => reply(res, fixture("common", "rate-limited"), { "retry-after": "0" }));
    expect(v.status).toBe("unknown");
    expect(v.reason).toMatch(/rate limited.*429/);
    expect(s.requests).toHaveLength(3);
  });

  it("429 asking for a wait longer than keyscan's cap → unknown at once, no retry", async () => {
    const { v, s } = await verifyGetimg((_req, res) => reply(res, fixture("common", "rate-limited"), { "retry-after": "3600" }));
    expect(v.status).toBe("unknown");
    expect(v.reason).toMatch(/wait 3600 s/);
    expect(s.requests).toHaveLength(1);
  });

  it("500 then success → verified after one retry", async () => {
    const { v, s } = await verifyGetimg((req, res) => (req.n === 1 ? reply(res, fixture("common", "server-error")) : reply(res, fixture("getimg", "valid"))));
    expect(v.status).toBe("verified");
    expect(s.requests).toHaveLength(2);
  });

  it("500 on every attempt → unknown, never verified or invalid", async () => {
    const { v, s } = await verifyGetimg((_req, res) => reply(res, fixture("common", "server-error")));
    expect(v.status).toBe("unknown");
    expect(v.reason).toMatch(/provider error \(HTTP 500, 3 attempts\)/);
    expect(s.requests).toHaveLength(3);
  });

  it("a response slower than the timeout → unknown (timed out), retried a bounded number of times", async () => {
    const { v, s } = await verifyGetimg(
      (_req, res) => {
        const t = setTimeout(() => reply(res, fixture("getimg", "valid")), 2000);
        res.on("close", () => clearTimeout(t));
      },
      { timeoutMs: 150, retries: 1 },
    );
    expect(v.status).toBe("unknown");
    expect(v.reason).toMatch(/did not answer within 150 ms \(2 attempts\)/);
    expect(s.requests).toHaveLength(2);
  });

  it("a dead server (connection refused) → unknown; verification does not throw", async () => {
    const dead = await server(() => undefined);
    const base = dead.base;
    await dead.close();
    servers.splice(servers.indexOf(dead), 1);
    const secret = secretFrom("key-{alnum:96}", "dead");
    const result = resultOf([findingFor(ruleset, "getimg.api-key", secret)]);
    await verifyFindings(result, ruleset, { endpointOverrides: { getimg: base }, retries: 1, backoffMs: 5 });
    expect(result.findings[0]!.verification!.status).toBe("unknown");
    expect(result.findings[0]!.verification!.reason).toMatch(/cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});

describe("redirects", () => {
  it("a redirect to another host is refused, and the other host receives nothing", async () => {
    const elsewhere = await server((_req, res) => reply(res, fixture("getimg", "valid")), "localhost");
    const { v, s, warnings } = await verifyGetimg((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.base}/collect` });
      res.end();
    });
    expect(v.status).toBe("unknown");
    expect(v.reason).toMatch(/redirect to http:\/\/localhost:\d+\/collect refused/);
    expect(warnings.some((w) => w.includes("redirect to"))).toBe(true);
    expect(s.requests).toHaveLength(1);
    expect(elsewhere.connections()).toBe(0);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it("a redirect on the same (declared/override) origin is followed", async () => {
    const { v, s } = await verifyGetimg((req, res) => {
      if (req.path === "/v2/billing/balance") {
        res.writeHead(301, { location: "/v2/billing/balance/" });
        return void res.end();
      }
      reply(res, fixture("getimg", "valid"));
    });
    expect(v.status).toBe("verified");
    expect(s.requests.map((r) => r.path)).toEqual(["/v2/billing/balance", "/v2/billing/balance/"]);
  });

  it("redirect loops stop after the hop limit", async () => {
    const { v, s } = await verifyGetimg((req, res) => {
      res.writeHead(302, { location: `/hop${req.n}` });
      res.end();
    }, { maxRedirects: 3 });
    expect(v.status).toBe("unknown");
    expect(v.reason).toMatch(/more than 3 redirects/);
    expect(s.requests).toHaveLength(4);
  });
});

describe("firewall and challenge pages", () => {
  it("an HTML 403 block page in front of Claid (where 403 means live) → unknown, not verified", async () => {
    const s = await server((_req, res) => reply(res, fixture("common", "html-firewall")));
    const result = resultOf([findingFor(ruleset, "claid.api-key", secretFrom("{uuid4hex}", "waf"))]);
    await verifyFindings(result, ruleset, { endpointOverrides: { claid: s.base }, retries: 0 });
    const v = result.findings[0]!.verification!;
    expect(v.status).toBe("unknown");
    expect(v.reason).toMatch(/HTML page/);
  });

  it("an HTML 403 page where the rule says 403 = invalid (AltText.ai) → unknown, not invalid", async () => {
    const s = await server((_req, res) => reply(res, fixture("common", "html-firewall")));
    const result = resultOf([findingFor(ruleset, "alttext-ai.api-key", secretFrom("atai_{alnum:32}", "waf2"))]);
    await verifyFindings(result, ruleset, { endpointOverrides: { "alttext-ai": s.base }, retries: 0 });
    expect(result.findings[0]!.verification!.status).toBe("unknown");
  });

  it("a 200 HTML challenge page → unknown, even where the rule needs only status 200", async () => {
    const { v } = await verifyGetimg((_req, res) => reply(res, fixture("common", "html-200")));
    expect(v.status).toBe("unknown");
    expect(v.reason).toMatch(/HTTP 200 with an HTML page/);
  });

  it("a 200 that is not the JSON the rule expects (AltTextAI `valid: true`) → unknown", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("OK");
    });
    const result = resultOf([findingFor(ruleset, "alttextai.api-key", secretFrom("{alnum:40}", "plain"))]);
    await verifyFindings(result, ruleset, { endpointOverrides: { alttextai: s.base }, retries: 0 });
    expect(result.findings[0]!.verification!.status).toBe("unknown");
    expect(result.findings[0]!.verification!.reason).toMatch(/not the JSON the rule expects/);
  });
});

describe("once per secret, and never leaking it", () => {
  it("the same secret found in several places is asked about once", async () => {
    const secret = secretFrom("key-{alnum:96}", "dup");
    const findings = [1, 2, 3].map((line) => findingFor(ruleset, "getimg.api-key", secret, line));
    const { s, summary, result } = await verifyGetimg((_req, res) => reply(res, fixture("getimg", "valid")), {}, findings);
    expect(s.requests).toHaveLength(1);
    expect(summary.distinct).toBe(1);
    expect(result.findings.every((f) => f.verification?.status === "verified")).toBe(true);
  });

  it("an extracted field that echoes the secret is dropped", async () => {
    const { v, secret } = await verifyGetimg((req, res) => {
      const key = String(req.headers.authorization).replace(/^Bearer /, "");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ balance: `echo ${key}`, currency: key.slice(0, 20) }));
    });
    expect(v.status).toBe("verified");
    expect(v.fields).toBeUndefined();
    expect(JSON.stringify(v)).not.toContain(secret.slice(0, 20));
  });
});
