// Each seed provider against a loopback stand-in serving its recorded answers (fixtures/<provider>/): a live key is
// `verified` with the rule's extracted fields, a dead one `invalid`; the request is the one the rule declares
// (method, path, auth header carrying the secret, keyscan's User-Agent).
import { afterEach, describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { verifyFindings, USER_AGENT } from "../../src/verify/index.js";
import { findingFor, resultOf, secretFrom, serve, startServer, type TestServer } from "./helpers.js";

const ruleset = loadRules();

interface Case {
  provider: string;
  rule: string;
  template: string;
  method: string;
  path: string;
  /** Header that must carry the secret, and how. */
  header: [string, (secret: string) => string];
  fields?: Record<string, unknown>;
}

const CASES: Case[] = [
  { provider: "all-images", rule: "all-images.api-key", template: "{alnum:40}", method: "GET", path: "/v1/api-keys/check", header: ["api-key", (s) => s], fields: { email: "dev@example.com", name: "Example Dev" } },
  { provider: "alttextai", rule: "alttextai.api-key", template: "{alnum:40}", method: "POST", path: "/api/v1/verify-api-key", header: ["authorization", (s) => `Bearer ${s}`], fields: { user_id: "usr_example", credits_remaining: 42 } },
  { provider: "alttext-ai", rule: "alttext-ai.api-key", template: "atai_{alnum:32}", method: "GET", path: "/api/v1/account", header: ["x-api-key", (s) => s], fields: { name: "Example Co", usage: 12, usage_limit: 100 } },
  { provider: "getimg", rule: "getimg.api-key", template: "key-{alnum:96}", method: "GET", path: "/v2/billing/balance", header: ["authorization", (s) => `Bearer ${s}`], fields: { balance: "12.50", currency: "USD" } },
  { provider: "autoenhance", rule: "autoenhance.api-key", template: "{alnum:32}", method: "GET", path: "/v3/orders/?per_page=1", header: ["x-api-key", (s) => s] },
  { provider: "claid", rule: "claid.api-key", template: "{uuid4hex}", method: "GET", path: "/v1/storage/storage-types", header: ["authorization", (s) => `Bearer ${s}`] },
];

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function verifyOne(c: Case, fixtureName: string, seed: string) {
  server = await startServer(serve(c.provider, fixtureName));
  const secret = secretFrom(c.template, seed);
  const result = resultOf([findingFor(ruleset, c.rule, secret)]);
  // Verification alone: the access map a live key also gets (issue 22) is tested in test/regression/issue-22-access.test.ts.
  const summary = await verifyFindings(result, ruleset, { endpointOverrides: { [c.provider]: server.base }, retries: 0, timeoutMs: 10_000, access: false }); // loopback: wide, so a loaded machine's stall is no timeout
  return { secret, v: result.findings[0]!.verification!, summary, requests: server.requests };
}

describe.each(CASES)("$provider", (c) => {
  it("valid key → verified, with the declared request and extracted fields", async () => {
    const { secret, v, requests } = await verifyOne(c, "valid", `${c.provider}:valid`);
    expect(v.status).toBe("verified");
    expect(v.httpStatus).toBe(200);
    expect(Date.parse(v.checkedAt)).not.toBeNaN();
    expect(v.fields).toEqual(c.fields);
    expect(requests).toHaveLength(1);
    const r = requests[0]!;
    expect(r.method).toBe(c.method);
    expect(r.path).toBe(c.path);
    expect(r.headers[c.header[0]]).toBe(c.header[1](secret));
    expect(r.headers["user-agent"]).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^keyscan\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\/keyscan-dev\/keyscan\)$/);
    expect(JSON.stringify(v)).not.toContain(secret);
  });

  it("invalid key → invalid", async () => {
    const { v, requests } = await verifyOne(c, "invalid", `${c.provider}:invalid`);
    expect(v.status).toBe("invalid");
    expect(v.httpStatus).toBe(401);
    expect(v.fields).toBeUndefined();
    expect(requests).toHaveLength(1);
  });
});

describe("provider-specific answers", () => {
  it("Claid 403 `Not enough permissions` (no Storage scope) → verified: the key is live", async () => {
    const { v } = await verifyOne(CASES.find((c) => c.provider === "claid")!, "scope-403", "claid:403");
    expect(v.status).toBe("verified");
    expect(v.httpStatus).toBe(403);
  });

  it("AltTextAI 200 with `valid: false` → invalid, not verified", async () => {
    const { v } = await verifyOne(CASES.find((c) => c.provider === "alttextai")!, "valid-false", "alttextai:false");
    expect(v.status).toBe("invalid");
  });
});
