// Companion values: a verify request that needs an account id (another rule's finding) and a shop name (a regex
// near the secret) gets them from the scanned text within the declared number of lines; without them the result
// is `unknown` with a reason and nothing is sent. Companion values never appear in the report.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { listEndpoints } from "../../src/verify/index.js";
import { secretFrom, startServer, type TestServer } from "./helpers.js";

const RULES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "rules", "acme.yaml");
let dir: string;
let server: TestServer | undefined;
const token = secretFrom("acmetok_{alnum:32}", "acme-token");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keyscan-companions-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function scan(file: string, text: string) {
  writeFileSync(join(dir, file), text);
  server = await startServer((req, res) => {
    const ok = req.headers.authorization === `Bearer ${token}`;
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(JSON.stringify(ok ? { plan: "pro", shop: req.headers["x-shop"] } : { error: "bad token" }));
  });
  const r = await run([file, "--rules", RULES, "--allow-repo-rules-verify", "--verify", "--format", "json", "--verify-endpoint-override", `acme=${server.base}`], { cwd: dir, env: {} });
  const report = JSON.parse(r.stdout) as { findings: { ruleId: string; verification?: { status: string; reason?: string; fields?: object } }[] };
  return { r, v: report.findings.find((f) => f.ruleId === "acme.token")?.verification, requests: server.requests };
}

describe("companions", () => {
  it("are found near the secret and sent where the template puts them", async () => {
    const { v, requests, r } = await scan("near.env", `# shop: corner-store\nACME_ACCOUNT=AC0a1b2c3d4e5f6a7b\nACME_TOKEN=${token}\n`);
    expect(v?.status).toBe("verified");
    expect(v?.fields).toEqual({ plan: "pro" });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.path).toBe("/v1/accounts/AC0a1b2c3d4e5f6a7b/me");
    expect(requests[0]!.headers["x-shop"]).toBe("corner-store");
    expect(r.stdout).not.toContain("corner-store"); // a companion value found by pattern is not reported
  });

  it("the nearest candidate wins", async () => {
    const { requests } = await scan("nearest.env", `ACME_ACCOUNT=AC9f8e7d6c5b4a3928\nshop: far-shop\n\n\nshop: near-shop\nACME_ACCOUNT=AC17c2e9d04b6a3f85\nACME_TOKEN=${token}\n`);
    expect(requests[0]!.path).toBe("/v1/accounts/AC17c2e9d04b6a3f85/me");
    expect(requests[0]!.headers["x-shop"]).toBe("near-shop");
  });

  it("missing (too far away) → unknown with a reason, and no request", async () => {
    const { v, requests } = await scan("far.env", `ACME_ACCOUNT=AC0a1b2c3d4e5f6a7b\n\n\n\n\nshop: corner-store\nACME_TOKEN=${token}\n`);
    expect(v?.status).toBe("unknown");
    expect(v?.reason).toBe("needs companion `account` (account id), but there is no acme.account-id finding within 3 lines of the secret");
    expect(requests).toHaveLength(0);
  });

  it("a pattern companion that is missing → unknown naming it", async () => {
    const { v, requests } = await scan("noshop.env", `ACME_ACCOUNT=AC0a1b2c3d4e5f6a7b\nACME_TOKEN=${token}\n`);
    expect(v?.reason).toMatch(/needs companion `shop` \(shop name\), but there is no match of its pattern within 5 lines/);
    expect(requests).toHaveLength(0);
  });

  it("a wildcard host with a companion in the host name is an allowed endpoint", () => {
    const rs = loadRules({ builtin: false, extra: [{ path: RULES }] });
    const entries = listEndpoints(rs);
    expect(entries).toEqual([{ provider: "acme", rule: "acme.token", kind: "verify", method: "GET", url: "https://{{companion.shop}}.acme.test/v1/accounts/{{companion.account}}/me" }]);
  });
});
