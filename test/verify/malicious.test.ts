// Rule files that try to send found keys somewhere they should not go: an undeclared host, plain HTTP, a private or
// loopback address (by name and by literal), a state-changing POST, and a rule planted in the scanned repository's
// own config. Each is refused with a message that says why, the scan still finishes, and the loopback server the
// rule points at receives no connection at all.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { secretFrom, startServer, type TestServer } from "./helpers.js";

let dir: string;
let server: TestServer;
let secret: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keyscan-malicious-"));
  secret = secretFrom("evil_{alnum:24}", "malicious");
  writeFileSync(join(dir, "app.txt"), `token = "${secret}"\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  rmSync(join(dir, ".keyscan.yaml"), { force: true });
});

function ruleFile(name: string, hosts: string[], method: string, url: string, extra = ""): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `provider: ${name}
name: Evil
hosts: [${hosts.map((h) => JSON.stringify(h)).join(", ")}]
rules:
  - id: ${name}.token
    name: Evil token
    description: A rule that tries to exfiltrate what it finds.
    severity: high
    secret:
      pattern: 'evil_[A-Za-z0-9]{24}'
      keywords: [evil_]
      standalone: true
    verify:
      request:
        method: ${method}
        url: '${url}'
        headers: { x-key: '{{secret}}' }
${extra}      verified: { status: [200] }
    examples: [{ text: 'token = "{{secret}}"', secret: 'evil_{alnum:24}' }]
    negatives: ['token = "evil_"']
`,
  );
  return file;
}

async function scan(args: string[]) {
  const r = await run(["app.txt", "--verify", "--format", "json", ...args], { cwd: dir, env: {} });
  expect((r.stdout + r.stderr).toLowerCase()).not.toContain(secret.toLowerCase());
  const report = JSON.parse(r.stdout) as { findings: { ruleId: string; verification?: { status: string; reason?: string } }[] };
  const f = report.findings.find((x) => x.ruleId.endsWith(".token"));
  return { r, v: f?.verification };
}

describe("refused rule files (passed with --rules)", () => {
  const cases: [string, (port: number) => [string[], string, string, string?], RegExp][] = [
    ["an undeclared host", (p) => [["api.example.com"], "GET", `https://localhost:${p}/steal?k={{secret}}`], /host localhost is not one the provider declares \(api\.example\.com\)/],
    ["plain HTTP", (p) => [["127.0.0.1"], "GET", `http://127.0.0.1:${p}/steal`], /http:\/\/127\.0\.0\.1:\d+ is not HTTPS/],
    ["a name resolving to loopback", (p) => [["localhost"], "GET", `https://localhost:${p}/steal`], /localhost resolves to (127\.0\.0\.1|::1), a loopback address; refused/],
    ["a loopback literal", (p) => [["127.0.0.1"], "GET", `https://127.0.0.1:${p}/steal`], /127\.0\.0\.1 is a loopback address; refused/],
    ["a secret spliced into an undeclared host name", (p) => [["api.example.com"], "GET", `https://{{secret}}.localhost:${p}/`], /host \[REDACTED\]\.localhost is not one the provider declares/],
    ["a POST not marked read_only", (p) => [["localhost"], "POST", `https://localhost:${p}/steal`], /method POST is refused/],
  ];

  it.each(cases)("%s is refused and the server receives nothing", async (_name, make, why) => {
    server = await startServer((_req, res) => res.end("{}"));
    const [hosts, method, url] = make(server.port);
    const file = ruleFile("evil", hosts, method, url);
    const { r, v } = await scan(["--rules", file, "--allow-repo-rules-verify"]);
    expect(r.exitCode).toBe(1); // the scan finished and reported the finding
    expect(v?.status).toBe("unknown");
    expect(v?.reason).toMatch(/^verification refused: /);
    expect(v?.reason).toMatch(why);
    expect(r.stderr).toMatch(new RegExp(`verification refused for rule evil\\.token: .*${why.source}`));
    expect(server.connections()).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it("the cloud metadata address is refused before any connection", async () => {
    const file = ruleFile("meta", ["169.254.169.254"], "GET", "https://169.254.169.254/latest/meta-data/");
    const { v } = await scan(["--rules", file, "--allow-repo-rules-verify"]);
    expect(v?.reason).toMatch(/169\.254\.169\.254 is a link-local or cloud-metadata address; refused/);
  });
});

describe("a rule from the scanned repository's own config", () => {
  it("may not verify unless --allow-repo-rules-verify is given", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
    ruleFile("evil", ["127.0.0.1"], "GET", `https://127.0.0.1:${server.port}/steal`);
    writeFileSync(join(dir, ".keyscan.yaml"), "rules: [evil.yaml]\n");

    const denied = await scan([]);
    expect(denied.v?.status).toBe("unknown");
    expect(denied.v?.reason).toMatch(/scanned repository's own config .*pass --allow-repo-rules-verify/);
    expect(server.connections()).toBe(0);

    // Allowed by the user, it is still held to the contract: a loopback address is refused.
    const allowed = await scan(["--allow-repo-rules-verify"]);
    expect(allowed.v?.reason).toMatch(/loopback address; refused/);
    expect(server.connections()).toBe(0);

    // Only allowed *and* pointed at the test server by the explicit override does a request go out — which shows
    // that the refusals above, not an unreachable server, kept the key home.
    const overridden = await scan(["--allow-repo-rules-verify", "--verify-endpoint-override", `evil=${server.base}`]);
    expect(overridden.r.stderr).toMatch(/WARNING: TEST OVERRIDE ACTIVE: evil verification goes to http:\/\/127\.0\.0\.1:\d+/);
    expect(overridden.v?.status).toBe("verified");
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers["x-key"]).toBe(secret);
  });
});
