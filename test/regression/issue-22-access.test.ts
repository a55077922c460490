// Issue 22, part 1: the access map. Each provider's API is stood in for by a loopback server (the test override,
// as for verify) answering with the response shapes its public docs record (field names and structure; values made
// up). A key that verifies live gets `finding.access` — identity, scopes, resources, spend — read through the rule's
// `access` block, its severity raised by an admin or write scope, and a blast radius. The access requests go through
// the same safety contract: a redirect off the stand-in is refused with no connection there.
import { afterEach, describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import type { Finding } from "../../src/report/types.js";
import { verifyFindings } from "../../src/verify/index.js";
import { findingFor, resultOf, secretFrom, startServer, type TestServer } from "../verify/helpers.js";

const ruleset = loadRules();
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

interface Case {
  provider: string;
  rule: string;
  /** Request path (with query) → the recorded answer. */
  answers: Record<string, Answer>;
  companions?: Record<string, string>;
  expect: {
    identity?: Record<string, unknown>;
    scopes?: string[];
    resources?: Record<string, unknown>;
    spend?: Record<string, unknown>;
    severity: string;
    raisedFrom?: string;
  };
}

const CASES: Case[] = [
  {
    provider: "github",
    rule: "github.personal-access-token",
    answers: {
      // docs.github.com/rest/users/users#get-the-authenticated-user; scopes in X-OAuth-Scopes (docs: "scopes for OAuth apps")
      "/user": { headers: { "x-oauth-scopes": "repo, read:org, gist" }, body: { login: "octocat", id: 1, type: "User", name: "monalisa octocat", company: "GitHub", public_repos: 2, total_private_repos: 100, owned_private_repos: 100, plan: { name: "Medium", space: 400, private_repos: 20, collaborators: 0 } } },
      "/user/orgs?per_page=100": { body: [{ login: "github", id: 1, url: "https://api.github.com/orgs/github" }, { login: "acme-corp", id: 2 }] },
    },
    expect: { identity: { user: "octocat", name: "monalisa octocat", type: "User", company: "GitHub" }, scopes: ["repo", "read:org", "gist"], resources: { public_repos: 2, private_repos: 100, orgs: ["github", "acme-corp"] }, spend: { plan: "Medium" }, severity: "critical" },
  },
  {
    provider: "gitlab",
    rule: "gitlab.personal-access-token",
    answers: {
      // docs.gitlab.com/api/personal_access_tokens (get single token: self) and /api/v4/user
      "/api/v4/personal_access_tokens/self": { body: { id: 4, name: "deploy-bot", revoked: false, created_at: "2024-01-01T00:00:00Z", scopes: ["api", "read_repository"], user_id: 3, last_used_at: "2024-06-01T00:00:00Z", active: true, expires_at: "2025-01-01" } },
      "/api/v4/user": { body: { id: 3, username: "jdoe", email: "jdoe@example.com", name: "J Doe", is_admin: false } },
    },
    expect: { identity: { token: "deploy-bot", user: "jdoe", email: "jdoe@example.com", admin: false }, scopes: ["api", "read_repository"], severity: "critical" },
  },
  {
    provider: "slack",
    rule: "slack.bot-token",
    answers: {
      // api.slack.com/methods/auth.test; token scopes in the X-OAuth-Scopes response header (api.slack.com/scopes)
      "/api/auth.test": { headers: { "x-oauth-scopes": "chat:write,channels:read,users:read" }, body: { ok: true, url: "https://subarachnoid.slack.com/", team: "Subarachnoid Workspace", user: "grace", team_id: "T12345678", user_id: "W12345678", bot_id: "B12345678", is_enterprise_install: false } },
    },
    expect: { identity: { team: "Subarachnoid Workspace", team_id: "T12345678", user: "grace", bot_id: "B12345678", url: "https://subarachnoid.slack.com/" }, scopes: ["chat:write", "channels:read", "users:read"], severity: "critical", raisedFrom: "high" },
  },
  {
    provider: "stripe",
    rule: "stripe.restricted-key",
    answers: {
      // docs.stripe.com/api/balance/balance_object and /api/accounts/object
      "/v1/balance": { body: { object: "balance", available: [{ amount: 66666, currency: "usd", source_types: { card: 66666 } }], livemode: true, pending: [{ amount: 2000, currency: "usd" }] } },
      "/v1/account": { body: { id: "acct_1Nv0FGQ9RKHgCVdK", object: "account", business_profile: { name: "Acme Shop" }, country: "US", email: "ops@acme.example" } },
    },
    expect: { identity: { account: "acct_1Nv0FGQ9RKHgCVdK", business: "Acme Shop", email: "ops@acme.example", country: "US", livemode: true }, spend: { available: [66666], pending: [2000], currency: ["usd"] }, severity: "high" },
  },
  {
    provider: "huggingface",
    rule: "huggingface.access-token",
    answers: {
      // huggingface.co/docs/hub/api (whoami-v2; huggingface_hub's whoami() returns this shape)
      "/api/whoami-v2": { body: { type: "user", name: "jdoe", fullname: "J Doe", email: "jdoe@example.com", isPro: false, canPay: true, orgs: [{ name: "acme-ml", roleInOrg: "admin" }], auth: { type: "access_token", accessToken: { displayName: "ci", role: "fineGrained", fineGrained: { scoped: [{ entity: { type: "user", name: "jdoe" }, permissions: ["repo.content.read", "repo.write"] }] } } } } },
    },
    expect: { identity: { user: "jdoe", email: "jdoe@example.com", orgs: ["acme-ml"], org_roles: ["admin"], token: "ci" }, scopes: ["fineGrained", "repo.content.read", "repo.write"], spend: { pro: false, can_pay: true }, severity: "critical", raisedFrom: "high" },
  },
  {
    provider: "digitalocean",
    rule: "digitalocean.personal-access-token",
    answers: {
      // docs.digitalocean.com/reference/api: account_get, droplets_list (meta.total), balance_get
      "/v2/account": { body: { account: { droplet_limit: 25, floating_ip_limit: 5, email: "sammy@example.com", uuid: "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", email_verified: true, status: "active", team: { uuid: "5df3e3004a17e242b7c20ca6c9fc25b701a47ece", name: "My Team" } } } },
      "/v2/droplets?per_page=1": { body: { droplets: [{ id: 1, name: "web-1" }], links: {}, meta: { total: 7 } } },
      "/v2/customers/my/balance": { body: { month_to_date_balance: "23.44", account_balance: "12.23", month_to_date_usage: "11.21", generated_at: "2019-07-09T15:01:12Z" } },
    },
    expect: { identity: { email: "sammy@example.com", team: "My Team", status: "active" }, resources: { droplets: 7, droplet_limit: 25 }, spend: { month_to_date_usage: "11.21", account_balance: "12.23" }, severity: "critical" },
  },
  {
    provider: "heroku",
    rule: "heroku.api-key",
    answers: {
      // devcenter.heroku.com/articles/platform-api-reference#account-info and #app-list
      "/account": { body: { email: "username@example.com", id: "01234567-89ab-cdef-0123-456789abcdef", name: "Tina Edmonds", verified: true } },
      "/apps": { body: [{ id: "a1", name: "example-app" }, { id: "a2", name: "billing-api" }] },
    },
    expect: { identity: { email: "username@example.com", name: "Tina Edmonds" }, resources: { apps: 2, app_names: ["example-app", "billing-api"] }, severity: "critical" },
  },
  {
    provider: "cloudflare",
    rule: "cloudflare.api-token",
    answers: {
      // developers.cloudflare.com/api: user tokens verify, accounts list, zones list
      "/client/v4/user/tokens/verify": { body: { success: true, errors: [], messages: [], result: { id: "ed17574386854bf78a67040be0a770b0", status: "active", expires_on: "2030-01-01T00:00:00Z" } } },
      "/client/v4/accounts?per_page=50": { body: { success: true, result: [{ id: "023e105f4ecef8ad9ca31a8372d0c353", name: "Demo Account" }], result_info: { count: 1, total_count: 1 } } },
      "/client/v4/zones?per_page=50": { body: { success: true, result: [{ id: "z1", name: "example.com" }, { id: "z2", name: "example.org" }], result_info: { count: 2, total_count: 2 } } },
    },
    expect: { identity: { token_id: "ed17574386854bf78a67040be0a770b0", status: "active" }, resources: { expires_on: "2030-01-01T00:00:00Z", accounts: ["Demo Account"], zones: 2, zone_names: ["example.com", "example.org"] }, severity: "high" },
  },
  {
    provider: "vercel",
    rule: "vercel.access-token",
    answers: {
      // vercel.com/docs/rest-api: get the user, list teams, find projects
      "/v2/user": { body: { user: { id: "AEIIDYVk59zbFF2Sxfyxxmua", email: "me@example.com", name: "John Doe", username: "jdoe", billing: { plan: "pro" } } } },
      "/v2/teams": { body: { teams: [{ id: "team_1", slug: "acme", name: "Acme" }], pagination: { count: 1 } } },
      "/v9/projects?limit=100": { body: { projects: [{ id: "prj_1", name: "storefront" }], pagination: { count: 1 } } },
    },
    expect: { identity: { user: "jdoe", email: "me@example.com", name: "John Doe" }, resources: { teams: ["acme"], projects: ["storefront"] }, spend: { plan: "pro" }, severity: "critical", raisedFrom: "high" },
  },
  {
    provider: "fastly",
    rule: "fastly.api-token",
    answers: {
      // fastly.com/documentation/reference/api/account/user (current_user) and /tokens (get the current token)
      "/current_user": { body: { id: "x9KzsrACXZv8tPwlEDsKb6", login: "jdoe@example.com", name: "J Doe", role: "user", customer_id: "x4xCwxxJxGCx123Rx5xTx" } },
      "/tokens/self": { body: { id: "5Yo3XXnrQpjc20u0ybrf2g", name: "ci", scope: "global:read purge_select", services: [], expires_at: "2030-01-01T00:00:00Z" } },
    },
    expect: { identity: { user: "jdoe@example.com", name: "J Doe", role: "user", customer: "x4xCwxxJxGCx123Rx5xTx" }, scopes: ["global:read", "purge_select"], severity: "high" },
  },
  {
    provider: "buildkite",
    rule: "buildkite.api-token",
    answers: {
      // buildkite.com/docs/apis/rest-api/access-token (get the current token)
      "/v2/access-token": { body: { uuid: "b63254c0-3271-4a98-8270-7cfbd6c2f14e", scopes: ["read_builds", "write_builds"], description: "deploy bot", user: { name: "Jane", email: "jane@example.com" } } },
    },
    expect: { identity: { token: "deploy bot", user: "Jane", email: "jane@example.com" }, scopes: ["read_builds", "write_builds"], severity: "critical", raisedFrom: "high" },
  },
  {
    provider: "openrouter",
    rule: "openrouter.api-key",
    answers: {
      // openrouter.ai/docs/api-reference/limits (GET /api/v1/key)
      "/api/v1/key": { body: { data: { label: "sk-or-v1-au7...890", usage: 12.5, limit: 100, is_free_tier: false, limit_remaining: 87.5 } } },
    },
    expect: { identity: { label: "sk-or-v1-au7...890" }, spend: { usage: 12.5, limit: 100, remaining: 87.5, free_tier: false }, severity: "high" },
  },
  {
    provider: "getimg",
    rule: "getimg.api-key",
    answers: { "/v2/billing/balance": { body: { balance: "12.50", currency: "USD" } } }, // providers.md §3
    expect: { spend: { balance: "12.50", currency: "USD" }, scopes: ["generate images and videos billed to the balance"], severity: "high" },
  },
  {
    provider: "all-images",
    rule: "all-images.api-key",
    answers: {
      "/v1/api-keys/check": { body: { email: "owner@example.com", name: "Owner" } }, // providers.md §1
      "/v1/credit": { body: { credits: [{ type: "subscription", credit: 120, creditTotal: 500, unlimited: false }] } },
    },
    expect: { identity: { email: "owner@example.com", name: "Owner" }, spend: { credit_types: ["subscription"], credits: [120], credits_total: [500], unlimited: [false] }, severity: "high" },
  },
  {
    provider: "alttextai",
    rule: "alttextai.api-key",
    answers: { "/api/v1/verify-api-key": { body: { valid: true, user_id: "usr_42", credits_remaining: 310 } } }, // providers.md §2
    expect: { identity: { user: "usr_42" }, spend: { credits_remaining: 310 }, severity: "high" },
  },
  {
    provider: "twilio",
    rule: "twilio.auth-token",
    companions: { sid: "AC" + "0".repeat(31) + "1" },
    answers: {
      // twilio.com/docs/iam/api/account (fetch) and /docs/usage/api/account-balance
      [`/2010-04-01/Accounts/AC${"0".repeat(31)}1.json`]: { body: { sid: `AC${"0".repeat(31)}1`, friendly_name: "Acme Prod", status: "active", type: "Full" } },
      [`/2010-04-01/Accounts/AC${"0".repeat(31)}1/Balance.json`]: { body: { account_sid: `AC${"0".repeat(31)}1`, balance: "48.47", currency: "USD" } },
    },
    expect: { identity: { account: "Acme Prod", status: "active", type: "Full" }, spend: { balance: "48.47", currency: "USD" }, severity: "critical" },
  },
];

async function standIn(answers: Record<string, Answer>): Promise<TestServer> {
  const server = await startServer((req, res) => {
    const a = answers[req.path];
    if (!a) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"message":"Not Found"}');
      return;
    }
    res.writeHead(a.status ?? 200, { "content-type": "application/json", ...(a.headers ?? {}) });
    res.end(JSON.stringify(a.body));
  });
  servers.push(server);
  return server;
}

async function mapOne(c: Case, options: { access?: boolean } = {}): Promise<{ finding: Finding; server: TestServer; secret: string }> {
  const server = await standIn(c.answers);
  const secret = secretFrom("k{alnum:40}", `issue-22:${c.rule}`);
  const finding = findingFor(ruleset, c.rule, secret);
  if (c.companions) finding.companions = { ...c.companions }; // plain data on the finding (issue 18)
  const result = resultOf([finding]);
  await verifyFindings(result, ruleset, { endpointOverrides: { [c.provider]: server.base }, retries: 0, ...options });
  return { finding: result.findings[0]!, server, secret };
}

describe("issue 22: access map through a loopback stand-in, per provider", () => {
  it("covers at least 10 providers", () => {
    expect(new Set(CASES.map((c) => c.provider)).size).toBeGreaterThanOrEqual(10);
  });

  for (const c of CASES) {
    it(`${c.rule}: identity, scopes, resources, spend and severity from the documented answers`, async () => {
      const { finding, server, secret } = await mapOne(c);
      expect(finding.verification?.status, finding.verification?.reason).toBe("verified");
      const a = finding.access!;
      expect(a, "no access map").toBeDefined();
      expect(a.status, a.reason).toBe("mapped");
      if (c.expect.identity) expect(a.identity).toEqual(c.expect.identity);
      if (c.expect.scopes) expect(a.scopes).toEqual(c.expect.scopes);
      if (c.expect.resources) expect(a.resources).toEqual(c.expect.resources);
      if (c.expect.spend) expect(a.spend).toEqual(c.expect.spend);
      expect(finding.severity).toBe(c.expect.severity);
      expect(a.severity).toBe(c.expect.severity);
      expect(a.raisedFrom).toBe(c.expect.raisedFrom);
      expect(a.blastRadius).toBeGreaterThan(0);
      expect(a.summary.length).toBeGreaterThan(0);
      // One request per declared request: the verify request, then each access request once.
      const rule = ruleset.rules.find((r) => r.id === c.rule)!;
      expect(server.requests).toHaveLength(1 + (rule.access?.requests?.length ?? 0));
      expect(new Set(server.requests.map((r) => r.path))).toEqual(new Set(Object.keys(c.answers)));
      expect(JSON.stringify(a)).not.toContain(secret);
    });
  }

  it("--no-access (access: false) sends only the verify request and maps nothing", async () => {
    const c = CASES.find((x) => x.provider === "digitalocean")!;
    const { finding, server } = await mapOne(c, { access: false });
    expect(finding.verification?.status).toBe("verified");
    expect(finding.access).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it("a key that is not live gets no access map and no access request", async () => {
    const c: Case = { ...CASES.find((x) => x.provider === "heroku")!, answers: { "/account": { status: 401, body: { id: "unauthorized", message: "Invalid credentials provided." } } } };
    const { finding, server } = await mapOne(c);
    expect(finding.verification?.status).toBe("invalid");
    expect(finding.access).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it("a field that echoes the key is dropped, and a failed access request leaves the map partial, the key live", async () => {
    const c = CASES.find((x) => x.provider === "heroku")!;
    const secret = secretFrom("k{alnum:40}", "issue-22:echo");
    const echo = await standIn({ "/account": { body: { email: secret, name: "Tina" } }, "/apps": { status: 500, body: { id: "internal_error" } } });
    const finding = findingFor(ruleset, c.rule, secret);
    const result = resultOf([finding]);
    await verifyFindings(result, ruleset, { endpointOverrides: { heroku: echo.base }, retries: 0 });
    const a = result.findings[0]!.access!;
    expect(result.findings[0]!.verification?.status).toBe("verified");
    expect(a.status).toBe("partial");
    expect(a.reason).toMatch(/GET https:\/\/api\.heroku\.com\/apps: HTTP 500/);
    expect(a.identity).toEqual({ name: "Tina" });
    expect(JSON.stringify(result)).not.toContain(`"email":"${secret}"`);
  });

  it("an access request redirected off the stand-in is refused: no connection reaches the redirect target", async () => {
    const elsewhere = await startServer((_req, res) => res.end("{}"));
    servers.push(elsewhere);
    const c = CASES.find((x) => x.provider === "heroku")!;
    const server = await startServer((req, res) => {
      if (req.path === "/account") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(c.answers["/account"]!.body));
      } else {
        res.writeHead(302, { location: `${elsewhere.base}/apps` });
        res.end();
      }
    });
    servers.push(server);
    const finding = findingFor(ruleset, c.rule, secretFrom("k{alnum:40}", "issue-22:redirect"));
    const result = resultOf([finding]);
    await verifyFindings(result, ruleset, { endpointOverrides: { heroku: server.base }, retries: 0 });
    const a = result.findings[0]!.access!;
    expect(a.status).toBe("partial");
    expect(a.reason).toMatch(/redirect to .* refused/);
    expect(elsewhere.connections()).toBe(0);
    expect(elsewhere.requests).toHaveLength(0);
  });
});
