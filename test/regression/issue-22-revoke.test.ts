// Issue 22, part 2: `keyscan revoke`. For each provider family a loopback server stands in for the provider (the
// same --verify-endpoint-override as verify) and counts connections and requests. A dry run (the default) prints the
// request it would send, secret masked, and sends nothing; --yes sends exactly one request per secret to the path the
// rule declares; a redirect is never followed and an undeclared host is refused, with no connection there. The
// counts of rules that map access and revoke are checked through `keyscan rules list --format json`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { loadRules } from "../../src/engine/load-rules.js";
import type { ScanResult } from "../../src/report/types.js";
import { findingFor, resultOf, secretFrom, startServer, type TestServer } from "../verify/helpers.js";

const ruleset = loadRules();
let dir: string;
const servers: TestServer[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keyscan-revoke-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const keyscan = (args: string[]) => run(args, { cwd: dir, env: {} });

interface Family {
  provider: string;
  rule: string;
  template: string;
  /** Method and path (with query) the rule declares, the secret as `SECRET`. */
  method: string;
  path: string;
  /** The provider's documented success answer. */
  status: number;
  body?: unknown;
  /** Checks on what arrived (headers, body). */
  check?: (req: { headers: Record<string, string | string[] | undefined>; body: string }, secret: string) => void;
  /** Answers to other paths (a lookup's verify request). */
  others?: Record<string, unknown>;
}

const FAMILIES: Family[] = [
  {
    provider: "github",
    rule: "github.personal-access-token",
    template: "ghp_{alnum:36}",
    method: "POST",
    path: "/credentials/revoke",
    status: 202,
    check: (req, secret) => {
      expect(JSON.parse(req.body)).toEqual({ credentials: [secret] });
      expect(req.headers.authorization).toBeUndefined(); // the API refuses authenticated requests
    },
  },
  {
    provider: "gitlab",
    rule: "gitlab.personal-access-token",
    template: "glpat-{b64url:20}",
    method: "DELETE",
    path: "/api/v4/personal_access_tokens/self",
    status: 204,
    check: (req, secret) => expect(req.headers["private-token"]).toBe(secret),
  },
  {
    provider: "slack",
    rule: "slack.bot-token",
    template: "xoxb-{digits:12}-{digits:13}-{alnum:24}",
    method: "POST",
    path: "/api/auth.revoke",
    status: 200,
    body: { ok: true, revoked: true },
    check: (req, secret) => expect(req.headers.authorization).toBe(`Bearer ${secret}`),
  },
  {
    provider: "vercel",
    rule: "vercel.access-token",
    template: "{alnum:24}",
    method: "DELETE",
    path: "/v3/user/tokens/current",
    status: 200,
    body: { tokenId: "5d9f2ebd38ddca62e5d51e9c1704c72530bdc8bfdd41e782a6687c48399e8391" },
  },
  {
    provider: "buildkite",
    rule: "buildkite.api-token",
    template: "bkua_{hex:40}",
    method: "DELETE",
    path: "/v2/access-token",
    status: 204,
  },
  {
    provider: "npm",
    rule: "npm.access-token",
    template: "npm_{alnum:36}",
    method: "DELETE",
    path: "/-/user/token/SECRET",
    status: 200,
    body: { ok: "logged out" },
  },
  {
    provider: "cloudflare",
    rule: "cloudflare.api-token",
    template: "{b64url:40}",
    method: "DELETE",
    path: "/client/v4/user/tokens/ed17574386854bf78a67040be0a770b0",
    status: 200,
    body: { success: true, errors: [], messages: [], result: { id: "ed17574386854bf78a67040be0a770b0" } },
    // The token's id comes from the verify answer (a read-only lookup, sent first with --yes only).
    others: { "/client/v4/user/tokens/verify": { success: true, result: { id: "ed17574386854bf78a67040be0a770b0", status: "active" } } },
  },
];

async function standIn(f: Family, secret: string): Promise<TestServer> {
  const path = f.path.replace("SECRET", encodeURIComponent(secret));
  const server = await startServer((req, res) => {
    if (req.method === f.method && req.path === path) {
      res.writeHead(f.status, { "content-type": "application/json" });
      res.end(f.body === undefined ? "" : JSON.stringify(f.body));
    } else if (f.others?.[req.path] !== undefined) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(f.others[req.path]));
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"message":"not found"}');
    }
  });
  servers.push(server);
  return server;
}

/** A report as `keyscan --verify --no-redact --format json -o` writes it: each finding verified live. */
function savedReport(name: string, findings: ScanResult["findings"], redacted = false): string {
  const result: ScanResult = { ...resultOf(findings), redacted };
  for (const f of result.findings) f.verification = { status: "verified", checkedAt: "2026-01-01T00:00:00Z" };
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(result));
  return name;
}

describe("keyscan revoke, per provider family (loopback stand-in)", () => {
  it("covers at least 5 families", () => {
    expect(new Set(FAMILIES.map((f) => f.provider)).size).toBeGreaterThanOrEqual(5);
  });

  for (const f of FAMILIES) {
    it(`${f.provider}: a dry run sends nothing and masks the secret; --yes sends exactly one ${f.method} ${f.path.replace("SECRET", "…")} per secret`, async () => {
      const secret = secretFrom(f.template, `revoke:${f.provider}:1`);
      const other = secretFrom(f.template, `revoke:${f.provider}:2`);
      const server = await standIn(f, secret);
      // The same secret twice (two places) and a second secret: two distinct secrets.
      const a = findingFor(ruleset, f.rule, secret, 1);
      const b = { ...findingFor(ruleset, f.rule, secret, 9), path: "other.env" };
      const c = findingFor(ruleset, f.rule, other, 3);
      const report = savedReport(`${f.provider}.json`, [a, b, c]);
      const override = ["--verify-endpoint-override", `${f.provider}=${server.base}`];

      const dry = await keyscan(["revoke", "--from", report, ...override]);
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(dry.stdout).toContain("would send");
      expect(dry.stdout).toContain("DRY RUN");
      expect(dry.stdout).toContain(`${secret.slice(0, 4)}…(${secret.length} chars)`);
      expect(dry.stdout + dry.stderr).not.toContain(secret);
      expect(server.connections()).toBe(0);
      expect(server.requests).toHaveLength(0);

      const out = join(dir, `${f.provider}-outcomes.json`);
      const sent = await keyscan(["revoke", "--from", report, "--yes", "--output", out, ...override]);
      const mine = server.requests.filter((r) => r.method === f.method && r.path.startsWith(f.path.split("SECRET")[0]!));
      expect(mine, sent.stdout).toHaveLength(2); // one per distinct secret, none for the repeat
      const carries = (r: (typeof mine)[number], s: string) => r.path.includes(encodeURIComponent(s)) || r.body.includes(s) || Object.values(r.headers).some((v) => String(v).includes(s));
      const forSecret = mine.find((r) => carries(r, secret));
      expect(mine.filter((r) => carries(r, other))).toHaveLength(1);
      expect(forSecret).toBeDefined();
      f.check?.(forSecret!, secret);
      const doc = JSON.parse(readFileSync(out, "utf8")) as { dryRun: boolean; outcomes: { status: string; fingerprint: string; request?: string }[] };
      expect(doc.dryRun).toBe(false);
      // The stand-in answers the declared path for `secret` only; `other` gets a 404, which is no revoke outcome.
      const bySecret = new Map(doc.outcomes.map((o) => [o.fingerprint, o.status]));
      expect(bySecret.get(a.fingerprint)).toBe("revoked");
      if (f.path.includes("SECRET")) expect(bySecret.get(c.fingerprint)).not.toBe("revoked");
      expect(doc.outcomes).toHaveLength(2);
      expect(readFileSync(out, "utf8")).not.toContain(secret);
      expect(sent.stdout).not.toContain(secret);
    });
  }

  it("exit 0 when every key is revoked; the annotated report shows the revocation in every format", async () => {
    const f = FAMILIES.find((x) => x.provider === "gitlab")!;
    const secret = secretFrom(f.template, "revoke:annotate");
    const server = await standIn(f, secret);
    const report = savedReport("annotate.json", [findingFor(ruleset, f.rule, secret)]);
    const r = await keyscan(["revoke", "--from", report, "--yes", "--write-scan", "annotated.json", "--verify-endpoint-override", `gitlab=${server.base}`]);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^revoked/m);
    const annotated = JSON.parse(readFileSync(join(dir, "annotated.json"), "utf8")) as ScanResult;
    expect(annotated.findings[0]!.revocation?.status).toBe("revoked");
    expect(JSON.stringify(annotated)).not.toContain(secret);
    const text = await keyscan(["report", "--from", "annotated.json"]);
    expect(text.stdout).toMatch(/revocation: revoked/);
    const sarif = JSON.parse((await keyscan(["report", "--from", "annotated.json", "--format", "sarif"])).stdout) as { runs: { results: { properties: Record<string, unknown> }[] }[] };
    expect(sarif.runs[0]!.results[0]!.properties.revocation).toBe("revoked");
  });

  it("a redirect from the revoke endpoint is not followed: refused, no connection to the target", async () => {
    const elsewhere = await startServer((_req, res) => res.end("{}"));
    servers.push(elsewhere);
    const server = await startServer((_req, res) => {
      res.writeHead(307, { location: `${elsewhere.base}/credentials/revoke` });
      res.end();
    });
    servers.push(server);
    const secret = secretFrom("ghp_{alnum:36}", "revoke:redirect");
    const report = savedReport("redirect.json", [findingFor(ruleset, "github.personal-access-token", secret)]);
    const r = await keyscan(["revoke", "--from", report, "--yes", "--format", "json", "--verify-endpoint-override", `github=${server.base}`]);
    const doc = JSON.parse(r.stdout) as { outcomes: { status: string; reason: string }[] };
    expect(doc.outcomes[0]!.status).toBe("refused");
    expect(doc.outcomes[0]!.reason).toMatch(/redirect/);
    expect(r.exitCode).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(elsewhere.connections()).toBe(0);
  });

  it("a revoke request to a host the provider does not declare is refused before any connection", async () => {
    const server = await startServer((_req, res) => res.end("{}"));
    servers.push(server);
    const rules = join(dir, "evil.yaml");
    writeFileSync(
      rules,
      `provider: evil\nname: Evil\nhosts: [api.evil.example]\nrules:\n  - id: evil.token\n    name: T\n    description: D\n    severity: high\n    secret: { pattern: 'evt_[A-Za-z0-9]{24}', keywords: [evt_], standalone: true }\n    revoke_request:\n      note: a revoke request to an undeclared host\n      docs: https://evil.example/docs\n      request: { method: POST, url: 'https://127.0.0.1:${server.port}/revoke', body: 'token={{secret}}' }\n      revoked: { status: [200] }\n    examples: ['evt_aB3dE5gH7jK9mN1pQ3sT5vW7']\n    negatives: ['evt_']\n`,
    );
    const secret = secretFrom("evt_{alnum:24}", "revoke:undeclared");
    const rs = loadRules({ extra: [{ path: rules }] });
    const report = savedReport("undeclared.json", [findingFor(rs, "evil.token", secret)]);
    for (const yes of [[], ["--yes"]]) {
      const r = await keyscan(["revoke", "--from", report, ...yes, "--rules", rules, "--allow-repo-rules-verify", "--format", "json"]);
      const doc = JSON.parse(r.stdout) as { outcomes: { status: string; reason: string }[] };
      expect(doc.outcomes[0]!.status).toBe("refused");
      expect(doc.outcomes[0]!.reason).toMatch(/host 127\.0\.0\.1 is not one the provider declares/);
    }
    expect(server.connections()).toBe(0);
  });

  it("a redacted report needs the secret: skipped without --rescan, revoked with --rescan of the path", async () => {
    const f = FAMILIES.find((x) => x.provider === "buildkite")!;
    const secret = secretFrom("bkua_{hex:40}", "revoke:rescan");
    const server = await standIn(f, secret);
    writeFileSync(join(dir, "ci.env"), `BUILDKITE_API_TOKEN=${secret}\n`);
    const found = findingFor(ruleset, f.rule, secret);
    const report = savedReport("redacted.json", [{ ...found, path: "ci.env", secret: `${secret.slice(0, 4)}…(${secret.length} chars)` }], true);
    const override = ["--verify-endpoint-override", `buildkite=${server.base}`];
    const skipped = await keyscan(["revoke", "--from", report, "--yes", "--format", "json", ...override]);
    expect((JSON.parse(skipped.stdout) as { outcomes: { status: string }[] }).outcomes[0]!.status).toBe("skipped");
    expect(server.requests).toHaveLength(0);
    const rescanned = await keyscan(["revoke", "--from", report, "--yes", "--format", "json", "--rescan", "ci.env", ...override]);
    expect((JSON.parse(rescanned.stdout) as { outcomes: { status: string }[] }).outcomes[0]!.status, rescanned.stderr).toBe("revoked");
    expect(server.requests).toHaveLength(1);
  });

  it("a rule without a documented revocation is `unsupported`, with where to revoke by hand; --fingerprint selects", async () => {
    const secret = secretFrom("key-{alnum:96}", "revoke:unsupported");
    const finding = findingFor(ruleset, "getimg.api-key", secret);
    const report = savedReport("unsupported.json", [finding]);
    const r = await keyscan(["revoke", "--from", report, "--fingerprint", finding.fingerprint, "--format", "json"]);
    const doc = JSON.parse(r.stdout) as { outcomes: { status: string; manual?: string }[] };
    expect(doc.outcomes[0]!.status).toBe("unsupported");
    expect(doc.outcomes[0]!.manual).toMatch(/^https:\/\//);
    const bad = await keyscan(["revoke", "--from", report, "--fingerprint", "0".repeat(32)]);
    expect(bad.exitCode).toBe(2);
  });

  it("revoke is never part of a scan or of keyscan ci: neither takes --yes", async () => {
    for (const cmd of [["."], ["ci"]]) {
      const r = await keyscan([...cmd, "--yes"]);
      expect(r.exitCode).toBe(2);
    }
  });
});

describe("rules list --format json: verifies, access, revokes", () => {
  it("at least 50 rules map access and 25 revoke, from at least 25 provider families", async () => {
    const r = await keyscan(["rules", "list", "--format", "json"]);
    const rules = (JSON.parse(r.stdout) as { rules: { id: string; provider: string; verifies: boolean; access: boolean; revokes: boolean }[] }).rules;
    expect(rules.every((x) => typeof x.verifies === "boolean" && typeof x.access === "boolean" && typeof x.revokes === "boolean")).toBe(true);
    expect(rules.filter((x) => x.access).length).toBeGreaterThanOrEqual(50);
    expect(new Set(rules.filter((x) => x.access).map((x) => x.provider)).size).toBeGreaterThanOrEqual(50);
    expect(rules.filter((x) => x.revokes).length).toBeGreaterThanOrEqual(25);
    expect(new Set(rules.filter((x) => x.revokes).map((x) => x.provider)).size).toBeGreaterThanOrEqual(25);
    // access only where the rule verifies (it runs only for keys verified live)
    expect(rules.filter((x) => x.access && !x.verifies)).toEqual([]);
  });

  it("verify --list-endpoints lists access and revoke endpoints beside verify ones", async () => {
    const r = await keyscan(["verify", "--list-endpoints", "--format", "json"]);
    const entries = (JSON.parse(r.stdout) as { endpoints: { kind: string; method: string; url: string; rule: string }[] }).endpoints;
    expect(entries.filter((e) => e.kind === "verify").length).toBeGreaterThan(300);
    expect(entries).toContainEqual(expect.objectContaining({ kind: "access", method: "GET", url: "https://api.github.com/user/orgs?per_page=100", rule: "github.personal-access-token" }));
    expect(entries).toContainEqual(expect.objectContaining({ kind: "revoke", method: "POST", url: "https://api.github.com/credentials/revoke", rule: "github.personal-access-token" }));
    const text = await keyscan(["verify", "--list-endpoints"]);
    expect(text.stdout).toMatch(/^DELETE https:\/\/gitlab\.com\/api\/v4\/personal_access_tokens\/self {3}# gitlab\.personal-access-token \(revoke\)$/m);
  });
});
