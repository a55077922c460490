// Issue 20, the report's small ones: the summary counts files with findings (of the files scanned), inline allows
// are counted among "not shown", and a history scan's text lists the most urgent findings first.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { renderText } from "../../src/report/text.js";
import type { AuditEntry } from "../../src/report/audit/model.js";
import { timeTicks, timelineSvg } from "../../src/report/audit/timeline.js";
import type { Finding, ScanResult } from "../../src/report/types.js";
import { fixtureScan } from "../report/fixture-scan.js";
import { getimgKey } from "../trust/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "keyscan-issue20-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("issue 20: the summary line", () => {
  it("says how many files hold findings, of how many scanned, and counts inline allows as not shown", async () => {
    const key = getimgKey();
    writeFileSync(join(dir, "a.env"), `GETIMG_API_KEY=${key}\nOTHER=${key}\n`);
    writeFileSync(join(dir, "b.env"), `GETIMG_API_KEY=${getimgKey()} # keyscan:allow\n`);
    writeFileSync(join(dir, "c.txt"), "nothing here\n");
    const out = await run([".", "--no-color"], { cwd: dir, env: {} });
    expect(out.exitCode, out.stderr).toBe(1);
    expect(out.stdout).toMatch(/\n2 secrets found in 1 of 3 files \(.*\); not shown: 1 allowed inline\n$/);
    const json = await run([".", "--format", "json"], { cwd: dir, env: {} });
    expect((JSON.parse(json.stdout) as ScanResult).stats.suppressed).toEqual({ inline: 1 });
    // --ignore-inline-allow shows it, and nothing is "not shown".
    const all = await run([".", "--no-color", "--ignore-inline-allow"], { cwd: dir, env: {} });
    expect(all.stdout).toMatch(/\n3 secrets found in 2 of 3 files \([^)]*\)\n$/);
  });
});

describe("issue 20: history text ordered by urgency", () => {
  it("severity first, then verified live, then still at HEAD, then the newest commit; not by path", async () => {
    const base = await fixtureScan();
    const f0 = base.findings[0]!;
    const commit = (date: string) => ({ commit: `${date.replace(/\D/g, "").padEnd(40, "0")}`, author: "A", date });
    const mk = (path: string, severity: Finding["severity"], extra: Partial<Finding>): Finding => {
      const { verification: _v, ...rest } = f0;
      return { ...rest, path, severity, source: "commit", ...extra } as Finding;
    };
    const findings: Finding[] = [
      mk("a-low.env", "low", { commit: commit("2025-06-01T00:00:00Z"), atHead: true }),
      mk("b-high-old-gone.env", "high", { commit: commit("2020-01-01T00:00:00Z"), atHead: false }),
      mk("c-high-new-gone.env", "high", { commit: commit("2024-01-01T00:00:00Z"), atHead: false }),
      mk("d-high-at-head.env", "high", { commit: commit("2019-01-01T00:00:00Z"), atHead: true }),
      mk("e-high-live.env", "high", { commit: commit("2018-01-01T00:00:00Z"), atHead: false, verification: { status: "verified", checkedAt: "2026-01-01T00:00:00Z" } }),
      mk("f-critical.env", "critical", { commit: commit("2017-01-01T00:00:00Z"), atHead: false }),
    ];
    const history: ScanResult = { ...base, target: "history: all refs", findings };
    const order = (r: ScanResult) => [...renderText(r, { redact: true, color: false }).matchAll(/^(\S+\.env):\d+:\d+/gm)].map((m) => m[1]);
    expect(order(history)).toEqual(["f-critical.env", "e-high-live.env", "d-high-at-head.env", "c-high-new-gone.env", "b-high-old-gone.env", "a-low.env"]);
    // A tree scan keeps path order.
    expect(order({ ...history, target: "files: ." })).toEqual(findings.map((f) => f.path));
  });
});

describe("issue 20: the audit timeline's ticks", () => {
  const entry = (rank: number, introduced: string, removed?: string): AuditEntry =>
    ({
      rank,
      finding: { providerName: "Example", ruleName: "Example key" },
      status: "not checked",
      introduced: { commit: "a".repeat(40), author: "A", date: introduced },
      ...(removed ? { removed: { commit: "b".repeat(40), author: "B", date: removed } } : {}),
    }) as unknown as AuditEntry;
  const labels = (svg: string) => [...svg.matchAll(/text-anchor="middle" fill="#555">([^<]*)<\/text>/g)].map((m) => m[1]);

  it("a history within one year gets month ticks, a few weeks day ticks, several years year ticks", () => {
    const months = timelineSvg([entry(1, "2024-02-10T10:00:00Z", "2024-05-01T00:00:00Z"), entry(2, "2024-04-02T00:00:00Z")], "2024-09-03T00:00:00Z");
    expect(labels(months)).toEqual(["Mar 2024", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]);
    const days = timelineSvg([entry(1, "2024-02-10T05:00:00Z")], "2024-02-19T00:00:00Z");
    expect(labels(days)).toEqual(["Feb 11", "Feb 12", "Feb 13", "Feb 14", "Feb 15", "Feb 16", "Feb 17", "Feb 18", "Feb 19"]);
    const years = timelineSvg([entry(1, "2019-02-10T05:00:00Z")], "2024-03-29T00:00:00Z");
    expect(labels(years)).toEqual(["2020", "2021", "2022", "2023", "2024"]);
  });

  it("month ticks name the year where it changes, and stay about ten", () => {
    expect(timeTicks(Date.parse("2023-11-10T00:00:00Z"), Date.parse("2024-09-03T00:00:00Z")).map((t) => t.label)).toEqual(["Dec 2023", "Feb 2024", "Apr", "Jun", "Aug"]);
    expect(timeTicks(Date.parse("2024-01-01T00:00:00Z"), Date.parse("2024-03-01T00:00:00Z")).length).toBeLessThanOrEqual(11);
  });
});
