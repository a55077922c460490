// Issue 22, part 3: reports. A live key's access map (built by the real mapAccess from documented answer shapes) and
// its revocation show in text, JSON and SARIF result properties; the HTML audit, opened in a real headless Chromium
// (Debian `chromium`, as test/report/audit.test.ts), gains a "Blast radius" column and lists live keys by it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { renderAuditHtml } from "../../src/report/audit/html.js";
import { buildAudit } from "../../src/report/audit/model.js";
import { REPORTERS } from "../../src/report/index.js";
import type { Finding, ScanResult } from "../../src/report/types.js";
import { mapAccess } from "../../src/verify/access.js";
import { findingFor, resultOf, secretFrom } from "../verify/helpers.js";

const ruleset = loadRules();
const rule = (id: string) => ruleset.rules.find((r) => r.id === id)!;
const answer = (body: unknown, headers: Record<string, string> = {}) => ({ status: 200, headers, body: JSON.stringify(body), url: "https://x" });

function live(id: string, seed: string, answers: ReturnType<typeof answer>[], path: string): Finding {
  const secret = secretFrom("k{alnum:40}", seed);
  const f = findingFor(ruleset, id, secret);
  f.path = path;
  f.verification = { status: "verified", checkedAt: "2026-01-01T00:00:00Z" };
  f.access = mapAccess(rule(id), answers, [secret]);
  f.severity = f.access.severity;
  return f;
}

// A Slack bot token with chat:write (raised to critical), a getimg key (spend only), a GitHub token with repo scope
// and three organisations, and one key that is not live.
const slack = live("slack.bot-token", "r22-slack", [answer({ ok: true, team: "Acme", user: "deploybot", team_id: "T1" }, { "x-oauth-scopes": "chat:write,channels:history" })], "slack.env");
const getimg = live("getimg.api-key", "r22-getimg", [answer({ balance: "3.10", currency: "USD" })], "getimg.env");
const github = live("github.personal-access-token", "r22-github", [answer({ login: "octocat", public_repos: 2, total_private_repos: 300 }, { "x-oauth-scopes": "repo, admin:org, workflow" }), answer([{ login: "a" }, { login: "b" }, { login: "c" }])], "github.env");
const dead = { ...findingFor(ruleset, "heroku.api-key", secretFrom("k{alnum:40}", "r22-dead")), path: "dead.env", verification: { status: "invalid" as const, checkedAt: "2026-01-01T00:00:00Z" } };
github.revocation = { status: "refused", at: "2026-01-02T00:00:00Z", reason: "the provider refused (HTTP 422)" };
const result: ScanResult = { ...resultOf([getimg, dead, slack, github]), startedAt: "2026-01-03T00:00:00Z" };

describe("issue 22: what a live key can reach, in every report", () => {
  it("the access maps rank GitHub (admin scope, repositories) over Slack (write scope) over getimg (spend)", () => {
    expect(github.severity).toBe("critical");
    expect(slack.severity).toBe("critical");
    expect(slack.access!.raisedFrom).toBe("high");
    expect(github.access!.blastRadius).toBeGreaterThan(slack.access!.blastRadius);
    expect(slack.access!.blastRadius).toBeGreaterThan(getimg.access!.blastRadius);
  });

  it("text, JSON and SARIF show the access summary and the revocation", () => {
    const text = REPORTERS.text!(result, { redact: true, color: false });
    expect(text).toMatch(/can reach: user octocat; scopes repo, admin:org, workflow; public_repos: 2, private_repos: 300, orgs: a, b, c {2}\(blast radius \d+\)/);
    expect(text).toMatch(/can reach: team Acme, team_id T1, user deploybot; scopes chat:write, channels:history {2}\(blast radius \d+; raised from high by scope chat:write\)/);
    expect(text).toMatch(/revocation: refused 2026-01-02T00:00:00Z \(the provider refused \(HTTP 422\)\)/);
    const json = JSON.parse(REPORTERS.json!(result, { redact: true, color: false })) as ScanResult;
    expect(json.findings.find((f) => f.path === "github.env")!.access!.scopes).toEqual(["repo", "admin:org", "workflow"]);
    const sarif = JSON.parse(REPORTERS.sarif!(result, { redact: true, color: false })) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; properties: Record<string, unknown> }[] }[] };
    const props = (p: string) => sarif.runs[0]!.results.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === p)!.properties;
    expect(props("github.env").access).toMatchObject({ blastRadius: github.access!.blastRadius, scopes: ["repo", "admin:org", "workflow"], identity: { user: "octocat" } });
    expect(props("github.env").revocation).toBe("refused");
    expect(props("slack.env").access).toMatchObject({ raisedFrom: "high" });
    expect(props("dead.env").access).toBeUndefined();
  });

  it("the audit orders live keys by blast radius; other groups keep their order", () => {
    const audit = buildAudit(result);
    expect(audit.entries.map((e) => e.finding.path)).toEqual(["github.env", "slack.env", "getimg.env", "dead.env"]);
    expect(audit.entries.map((e) => e.blastRadius)).toEqual([github.access!.blastRadius, slack.access!.blastRadius, getimg.access!.blastRadius, 0]);
  });
});

describe("issue 22: the HTML audit's blast radius column in Chromium", () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keyscan-blast-"));
    writeFileSync(join(dir, "audit.html"), renderAuditHtml(result, { redact: true, color: false }));
    browser = await chromium.launch({ executablePath: process.env.KEYSCAN_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows a Blast radius column, live keys ordered by it, each card saying what the key can reach", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    const url = pathToFileURL(join(dir, "audit.html")).href;
    await page.goto(url, { waitUntil: "load" });
    const overview = page.locator("table").filter({ has: page.locator("th", { hasText: "Blast radius" }) });
    const headers = await overview.locator("thead th").allInnerTexts();
    expect(headers).toContain("Blast radius");
    const col = headers.indexOf("Blast radius");
    const rows = overview.locator("tbody tr");
    expect(await rows.count()).toBe(4);
    const cells = await Promise.all([0, 1, 2, 3].map(async (i) => (await rows.nth(i).locator("td").nth(col).innerText()).trim()));
    const scores = cells.slice(0, 3).map((c) => Number(c.split(/\s/)[0]));
    expect(scores).toEqual([github.access!.blastRadius, slack.access!.blastRadius, getimg.access!.blastRadius]);
    expect(cells[0]).toContain("user octocat");
    expect(cells[3]).toBe("—");
    const firstCard = await page.locator("section.entry").first().innerText();
    expect(firstCard).toContain("Can reach");
    expect(firstCard).toContain("admin:org");
    expect(firstCard).toContain("Revocation");
    expect(requests).toEqual([url]);
    await context.close();
  });
});
