// The HTML report in a real headless Chromium (Debian `chromium`, driven by playwright-core): readable with
// JavaScript off, makes no request at all (not even for a crafted file name that tries to load an image or run a
// script), and shows repository text as text. A screenshot is kept in test-artifacts/ for a person to look at.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPORTERS } from "../../src/report/index.js";
import type { ScanResult } from "../../src/report/types.js";
import { fixtureScan } from "./fixture-scan.js";

const CHROMIUM = process.env.KEYSCAN_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = resolve(__dirname, "../../test-artifacts");
let browser: Browser;
let tmp: string;
let file: string;

beforeAll(async () => {
  const base = await fixtureScan();
  const hostile = ["<script>alert(1)</script>.env", '<img src="https://example.invalid/x.png" onerror="alert(2)">.env'];
  const result: ScanResult = { ...base, findings: [...base.findings, ...hostile.map((path) => ({ ...base.findings[0]!, path, verification: undefined }))] };
  tmp = mkdtempSync(join(tmpdir(), "keyscan-html-"));
  file = join(tmp, "report.html");
  writeFileSync(file, REPORTERS.html!(result, { redact: true, color: false }));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("HTML report in Chromium", () => {
  for (const javaScriptEnabled of [false, true]) {
    it(`renders with JavaScript ${javaScriptEnabled ? "on" : "off"}, requests nothing, runs nothing`, async () => {
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const requests: string[] = [];
      const dialogs: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: "load" });
      const text = await page.innerText("body");
      expect(text).toContain("keyscan: 15 secrets found");
      expect(text).toContain("docs/we|ird <b>&name*.md:1:6");
      expect(text).toContain("<script>alert(1)</script>.env");
      expect(text).toContain("LIVE");
      expect(text).toContain("exk_…(36 chars)");
      expect(await page.locator("td b").count()).toBe(0);
      expect(await page.locator("img, script").count()).toBe(0);
      expect(requests).toEqual([url]);
      expect(dialogs).toEqual([]);
      // The severity colours come from the inline stylesheet (it was applied, so the page is styled offline).
      const color = await page.locator(".sev-critical").first().evaluate((el) => getComputedStyle(el).color);
      expect(color).not.toBe("rgb(0, 0, 0)");
      if (!javaScriptEnabled) {
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, "scan-report.png"), fullPage: true });
      }
      await context.close();
    });
  }
});
