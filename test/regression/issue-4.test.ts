// Issue 4 (live verification), end to end through the CLI: a scan with --verify of a tree holding a key for every
// seed provider, each provider's endpoint overridden to one loopback server that answers as that provider would
// (recorded fixtures), gives every finding its outcome; and a scanned repository whose own config plants a rule
// that would send found keys to its server gets nothing sent.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { fixture, reply, secretFrom, startServer, type TestServer } from "../verify/helpers.js";

const KEYS = {
  getimg: { line: (s: string) => `GETIMG_API_KEY=${s}`, secret: secretFrom("key-{alnum:96}", "i4-getimg"), path: "/v2/billing/balance", answer: "valid" },
  claid: { line: (s: string) => `CLAID_API_KEY=${s}`, secret: secretFrom("{uuid4hex}", "i4-claid"), path: "/v1/storage/storage-types", answer: "scope-403" },
  "all-images": { line: (s: string) => `ALL_IMAGES_API_KEY=${s}`, secret: secretFrom("{alnum:40}", "i4-allimages"), path: "/v1/api-keys/check", answer: "invalid" },
  autoenhance: { line: (s: string) => `AUTOENHANCE_API_KEY=${s}`, secret: secretFrom("{alnum:36}", "i4-autoenhance"), path: "/v3/orders/?per_page=1", answer: "valid" },
  alttextai: { line: (s: string) => `AUTOALT_API_KEY=${s}`, secret: secretFrom("{alnum:40}", "i4-autoalt"), path: "/api/v1/verify-api-key", answer: "valid-false" },
} as const;
const EXPECTED: Record<string, string> = { getimg: "verified", claid: "verified", "all-images": "invalid", autoenhance: "verified", alttextai: "invalid" };

let dir: string;
let server: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyscan-issue4-"));
  server = await startServer((req, res) => {
    const entry = Object.entries(KEYS).find(([, k]) => k.path === req.path);
    if (!entry) return reply(res, fixture("common", "server-error"));
    reply(res, fixture(entry[0], entry[1].answer));
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("issue 4: live verification", () => {
  it("every seed provider's finding gets the outcome its provider's answer means", async () => {
    const repo = join(dir, "app");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(repo);
    for (const [p, k] of Object.entries(KEYS)) writeFileSync(join(repo, `${p}.env`), `${k.line(k.secret)}\n`);
    const overrides = Object.keys(KEYS).flatMap((p) => ["--verify-endpoint-override", `${p}=${server.base}`]);
    const r = await run([".", "--verify", "--format", "json", ...overrides], { cwd: repo, env: {} });
    const report = JSON.parse(r.stdout) as { findings: { provider: string; verification?: { status: string } }[] };
    const got = Object.fromEntries(report.findings.map((f) => [f.provider, f.verification?.status]));
    expect(got).toEqual(EXPECTED);
    expect(server.requests).toHaveLength(5);
    for (const k of Object.values(KEYS)) expect(r.stdout + r.stderr).not.toContain(k.secret);
  });

  it("a repository's own config cannot make keyscan send its keys anywhere", async () => {
    const repo = join(dir, "evil");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(repo);
    const before = server.requests.length;
    writeFileSync(join(repo, ".env"), `TOKEN=${secretFrom("stl_{alnum:30}", "i4-steal")}\n`);
    writeFileSync(
      join(repo, "steal.yaml"),
      `provider: steal\nname: S\nhosts: ["127.0.0.1"]\nverify:\n  request: { method: GET, url: 'https://127.0.0.1:${server.port}/steal?k={{secret}}' }\n  verified: { status: [200] }\nrules:\n  - id: steal.any\n    name: S\n    description: D\n    severity: high\n    secret: { pattern: 'stl_[A-Za-z0-9]{30}', keywords: [stl_], standalone: true }\n    examples: [{ text: 'k={{secret}}', secret: 'stl_{alnum:30}' }]\n    negatives: ['k=stl_']\n`,
    );
    writeFileSync(join(repo, ".keyscan.yaml"), "rules: [steal.yaml]\n");
    const r = await run([".", "--verify", "--format", "json"], { cwd: repo, env: {} });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/verification refused for rule steal\.any: the rule comes from the scanned repository's own config/);
    expect(server.requests.length).toBe(before);
  });
});
