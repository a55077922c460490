// Issue 9: the history audit. A fixture repository holds a key the loopback provider stand-in says is live, one it
// says is revoked, one it cannot decide on, one removed from HEAD but still in history, and a file named
// `<script>alert(1)</script>.env`. `keyscan history --verify` renders the audit; the HTML is opened in a real
// headless Chromium (Debian's chromium, driven by playwright-core) and checked on what a person sees, with a
// screenshot kept in test-artifacts/; the Markdown rendering of the same audit is compared with a golden file.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import { renderAuditMarkdown } from "../../src/report/audit/markdown.js";
import type { ScanResult } from "../../src/report/types.js";
import { startServer, type TestServer } from "../verify/helpers.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ARTIFACTS = join(ROOT, "test-artifacts");
const CHROMIUM = process.env.KEYSCAN_CHROMIUM ?? "/usr/bin/chromium";
const CRAFTED = "<script>alert(1)</script>.env";

const rand = seededRandom("issue-9-audit");
const LIVE = generateSecret("key-{alnum:96}", rand); // getimg: stand-in says 200
const REVOKED = generateSecret("{uuid4hex}", rand); // claid: stand-in says 401
const UNDECIDED = generateSecret("atai_{alnum:32}", rand); // alttext-ai: stand-in answers an HTML firewall page
const REMOVED = generateSecret("key-{alnum:95}", rand); // getimg, deleted later: stand-in says 401
const IN_CRAFTED = generateSecret("{alnum:40}", rand); // all-images: stand-in answers 500 (unknown)

let base: string;
let repo: string;
let server: TestServer;
let auditJson: ScanResult;
let html: string;
let markdown: string;

function git(args: string[], date?: string): void {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(base, "gitconfig"), HOME: base, ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}) };
  for (const k of Object.keys(env)) if (k.startsWith("GIT_") && !["GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"].includes(k)) delete env[k];
  execFileSync("git", args, { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"] });
}

function write(path: string, content: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), content);
}

function commit(message: string, date: string, author: string): void {
  git(["add", "-A"]);
  git(["-c", `user.name=${author}`, "-c", "user.email=dev@example.test", "commit", "-q", "--no-verify", "-m", message], date);
}

/** Make the saved audit independent of when the test ran (scan time, durations, rule-set hash, version). */
function normalise(r: ScanResult): ScanResult {
  return {
    ...r,
    startedAt: "2025-06-01T00:00:00.000Z",
    tool: { ...r.tool, version: "X.Y.Z" },
    rules: { ...r.rules, version: "RULESET" },
    stats: { ...r.stats, durationMs: 1234 },
    findings: r.findings.map((f) => (f.verification ? { ...f, verification: { ...f.verification, checkedAt: "2025-06-01T00:00:05.000Z" } } : f)),
  };
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "keyscan-audit-"));
  repo = join(base, "repo");
  mkdirSync(repo);
  writeFileSync(join(base, "gitconfig"), "");
  git(["init", "-q", "-b", "main"]);
  write("config/production.env", `GETIMG_API_KEY=${LIVE}\n`);
  write("src/upscale.js", `// claid upscaler\nconst CLAID_API_KEY = "${REVOKED}";\n`);
  commit("Add production config", "2024-01-15T10:00:00Z", "Dana Dev");
  write("scripts/old-gen.js", `const key = "${REMOVED}";\n`);
  write(".env.alttext", `ALTTEXT_API_KEY=${UNDECIDED}\n`);
  commit("Add generator script", "2024-03-01T09:30:00Z", "Eve Engineer");
  git(["tag", "v1.0"]);
  rmSync(join(repo, "scripts/old-gen.js"));
  write(CRAFTED, `ALL_IMAGES_API_KEY=${IN_CRAFTED}\n`);
  commit("Remove old generator; add <b>crafted</b> file", "2024-09-20T16:45:00Z", "Mallory <img src=x onerror=alert(2)>");

  server = await startServer((req, res) => {
    const auth = String(req.headers.authorization ?? "");
    if (req.path.startsWith("/v2/billing/balance")) {
      const ok = auth === `Bearer ${LIVE}`;
      res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
      res.end(ok ? '{"balance":"12.50","currency":"USD"}' : '{"error":{"code":"invalid_api_key"}}');
    } else if (req.path.startsWith("/v1/storage/storage-types")) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end('{"error_code":"111","error_type":"auth"}');
    } else if (req.path.startsWith("/v1/api-keys/check")) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end('{"statusCode":500}');
    } else {
      res.writeHead(403, { "content-type": "text/html" });
      res.end("<html><body><h1>Access denied</h1><p>Request blocked by firewall</p></body></html>");
    }
  });
  const common = ["history", "--verify", "--verify-retries", "0", "--verify-timeout", "5s", ...["getimg", "claid", "alttext-ai", "all-images"].flatMap((p) => ["--verify-endpoint-override", `${p}=${server.base}`])];
  const env = { HOME: base, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(base, "gitconfig"), NO_COLOR: "1" };
  const json = await run([...common, "--format", "json", "-o", join(base, "audit.json")], { cwd: repo, env });
  expect(json.exitCode, json.stderr).toBe(1);
  auditJson = normalise(JSON.parse(readFileSync(join(base, "audit.json"), "utf8")) as ScanResult);
  writeFileSync(join(base, "audit.json"), JSON.stringify(auditJson));
  // Re-render the saved audit without rescanning (the formats the history command itself produces).
  const h = await run([...common, "--format", "html", "-o", join(base, "audit.html")], { cwd: repo, env });
  expect(h.exitCode, h.stderr).toBe(1);
  html = readFileSync(join(base, "audit.html"), "utf8");
  markdown = renderAuditMarkdown(auditJson, { redact: true, color: false });
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(base, { recursive: true, force: true });
});

describe("issue 9: the history audit", () => {
  it("has one entry per secret, with status, location, attribution and refs", () => {
    const byRule = (secretPrefix: string, ruleId: string) => auditJson.findings.find((f) => f.ruleId === ruleId && f.secret.startsWith(secretPrefix.slice(0, 4)));
    expect(auditJson.findings).toHaveLength(5);
    const live = auditJson.findings.find((f) => f.verification?.status === "verified")!;
    expect(live).toMatchObject({ ruleId: "getimg.api-key", path: "config/production.env", atHead: true });
    expect(live.commit).toMatchObject({ author: "Dana Dev", date: expect.stringContaining("2024-01-15") });
    expect(live.verification?.fields).toEqual({ balance: "12.50", currency: "USD" });
    const removed = auditJson.findings.find((f) => f.path === "scripts/old-gen.js")!;
    expect(removed.atHead).toBe(false);
    expect(removed.refs).toEqual(["main", "v1.0"]);
    expect(removed.removedIn?.at(-1)?.commit.date).toContain("2024-09-20");
    expect(byRule("", "claid.api-key")?.verification?.status).toBe("invalid");
    expect(byRule("", "alttext-ai.api-key")?.verification).toMatchObject({ status: "unknown" });
    expect(auditJson.findings.find((f) => f.path === CRAFTED)?.ruleId).toBe("all-images.api-key");
    expect(auditJson.history).toMatchObject({ commits: 3, blobs: 5 });
    expect(auditJson.history?.refs.map((r) => r.replace(/^refs\/(heads|tags)\//, ""))).toEqual(["main", "v1.0"]);
  });

  it("HTML: self-contained, escaped, no script — and what a person sees in Chromium", async () => {
    // Static checks: nothing is fetched, nothing runs.
    expect(html).not.toMatch(/<script\b/i);
    expect(html).not.toMatch(/\b(?:src|href)="(?!#|https:\/\/getimg\.ai|https:\/\/claid\.ai|https:\/\/alttext\.ai|https:\/\/app\.all-images\.ai)/);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;.env");
    for (const s of [LIVE, REVOKED, UNDECIDED, REMOVED, IN_CRAFTED]) expect(html).not.toContain(s);

    expect(existsSync(CHROMIUM), `Debian chromium is required at ${CHROMIUM} (.ci/run installs it)`).toBe(true);
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      });
      const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
      const dialogs: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(`file://${join(base, "audit.html")}`);
      const text = await page.locator("body").innerText();

      // The live key is listed first, with its revoke link.
      const first = page.locator("section.entry").first();
      await expect.poll(() => first.innerText()).toContain("getimg.ai");
      const firstText = await first.innerText();
      expect(firstText).toMatch(/live/);
      expect(firstText).toContain("config/production.env");
      expect(await first.locator("a[href^='https://']").first().getAttribute("href")).toBe("https://getimg.ai/app/developer/api-keys");
      // The removed key is marked history-only, with when it was removed.
      const removedCard = page.locator("section.entry", { hasText: "scripts/old-gen.js" });
      expect(await removedCard.innerText()).toMatch(/history only[\s\S]*Removed\s+2024-09-20/);
      // The crafted file name is shown as text; no script ran, no element was injected.
      expect(text).toContain(CRAFTED);
      expect(text).toContain("Mallory");
      expect(dialogs).toEqual([]);
      expect(await page.evaluate(() => document.querySelectorAll("script, img").length)).toBe(0);
      expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
      // Summary and timeline are there.
      expect(text).toMatch(/5\s*distinct secrets/);
      expect(await page.locator("svg.timeline rect").count()).toBe(5);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "audit.png"), fullPage: true });
    } finally {
      await browser?.close();
    }
    expect(existsSync(join(ARTIFACTS, "audit.png"))).toBe(true);
  }, 60_000);

  it("orders by urgency: live, then unverified at HEAD, then unverified in history only, then invalid", () => {
    const order = [...markdown.matchAll(/^### \d+\. .*\((live|invalid|unknown|not checked), (HEAD|history only)\)$/gm)].map((m) => ({ status: m[1]!, where: m[2]! }));
    expect(order).toHaveLength(5);
    const group = (e: { status: string; where: string }) => (e.status === "live" ? 1 : e.status === "invalid" ? 4 : e.where === "HEAD" ? 2 : 3);
    const groups = order.map(group);
    expect(groups).toEqual([...groups].sort((a, b) => a - b));
    expect(groups).toEqual([1, 2, 2, 4, 4]);
  });

  it("Markdown rendering matches the golden file", async () => {
    await expect(markdown).toMatchFileSnapshot(join(ROOT, "test/golden/audit.md"));
  });

  it("`keyscan report --from` renders the saved audit again without rescanning", async () => {
    const r = await run(["report", "--from", join(base, "audit.json"), "--format", "markdown"], { cwd: base, env: {} });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(markdown);
  });
});
