// Golden-file tests of every output format on one fixture scan (test/helpers/fixture-scan.ts), plus the checks a
// golden file cannot make by itself: SARIF valid against the official 2.1.0 schema and shaped as GitHub code
// scanning wants it, JSON valid against docs/scan-result.schema.json, no format leaking a secret, and
// `keyscan report --from` giving the same bytes as rendering the scan directly. Update goldens: `npx vitest run -u`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { REPORTERS, formatNames } from "../../src/report/index.js";
import { escapeMarkdown } from "../../src/report/markdown.js";
import { scanResultJsonSchema } from "../../src/report/saved-scan.js";
import type { ScanResult } from "../../src/report/types.js";
import { fixtureScan } from "./fixture-scan.js";

const EXT: Record<string, string> = { text: "txt", json: "json", jsonl: "jsonl", sarif: "sarif", github: "github.log", markdown: "md", html: "html" };
const OPTIONS = { redact: true, color: false, stopToken: "golden-stop-token" };

let result: ScanResult;
let tmp: string;
beforeAll(async () => {
  result = await fixtureScan();
  tmp = mkdtempSync(join(tmpdir(), "keyscan-report-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("golden files", () => {
  it("the fixture scan has enough variety to exercise the formats", () => {
    expect(result.findings.length).toBeGreaterThan(10);
    expect(new Set(result.findings.map((f) => f.severity)).size).toBeGreaterThan(1);
    expect(result.stats.skipped.E_BINARY).toBe(1);
  });

  for (const format of Object.keys(EXT)) {
    it(`${format} matches test/golden/scan.${EXT[format]}`, async () => {
      const out = REPORTERS[format]!(result, OPTIONS);
      await expect(out).toMatchFileSnapshot(`../golden/scan.${EXT[format]}`);
    });
  }

  it("every registered format has a golden file", () => {
    expect(formatNames().sort()).toEqual(Object.keys(EXT).sort());
  });

  it("no format shows a secret unless --no-redact", () => {
    for (const format of formatNames()) {
      // Markdown escapes `_` in secrets; look for the form each format prints.
      const printed = (secret: string) => (format === "markdown" ? escapeMarkdown(secret) : secret);
      const redacted = REPORTERS[format]!(result, OPTIONS);
      for (const f of result.findings) {
        expect(redacted, `${format} leaks ${f.ruleId}`).not.toContain(f.secret);
        expect(redacted, `${format} leaks ${f.ruleId}`).not.toContain(printed(f.secret));
      }
      const shown = REPORTERS[format]!(result, { ...OPTIONS, redact: false });
      expect(shown, `${format} --no-redact`).toContain(printed(result.findings[0]!.secret));
    }
  });
});

describe("sarif", () => {
  const schema = JSON.parse(readFileSync(resolve(__dirname, "../schemas/sarif-schema-2.1.0.json"), "utf8"));
  // unicodeRegExp off: the schema's `language` pattern has a stray `]` that only non-unicode RegExp accepts.
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);

  it("is valid against the SARIF 2.1.0 JSON schema", () => {
    const log = JSON.parse(REPORTERS.sarif!(result, OPTIONS));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the validator rejects a broken log (the check can fail)", () => {
    const log = JSON.parse(REPORTERS.sarif!(result, OPTIONS));
    log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(log)).toBe(false);
    delete log.version;
    expect(validate(log)).toBe(false);
  });

  it("has what GitHub code scanning needs, and never the secret", () => {
    const text = REPORTERS.sarif!(result, OPTIONS);
    const unredacted = REPORTERS.sarif!(result, { ...OPTIONS, redact: false });
    const log = JSON.parse(text);
    const run0 = log.runs[0];
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(run0.automationDetails.id).toBe("keyscan/tree/");
    for (const rule of run0.tool.driver.rules) {
      expect(rule.shortDescription.text).toBeTruthy();
      expect(rule.fullDescription.text).toBeTruthy();
      expect(rule.help.text).toBeTruthy();
      expect(rule.help.markdown).toBeTruthy();
      expect(rule.properties.tags).toContain("security");
      expect(rule.properties.precision).toMatch(/^(very-high|high|medium|low)$/);
      expect(typeof rule.properties["security-severity"]).toBe("string");
    }
    const sev = Object.fromEntries(run0.tool.driver.rules.map((r: { id: string; properties: Record<string, string> }) => [r.id, Number(r.properties["security-severity"])]));
    expect(sev["examplecorp.api-key"]).toBeGreaterThanOrEqual(9);
    expect(sev["examplecorp.webhook-secret"]).toBeGreaterThanOrEqual(4);
    expect(sev["examplecorp.webhook-secret"]).toBeLessThan(7);
    const hashes = new Set<string>();
    for (const [i, r] of run0.results.entries()) {
      const f = result.findings[i]!;
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).not.toMatch(/^(\/|file:)/);
      expect(loc.region).toEqual({ startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn });
      expect(loc.region.snippet).toBeUndefined();
      expect(JSON.stringify(r.partialFingerprints)).not.toContain(f.secret);
      hashes.add(r.partialFingerprints.primaryLocationLineHash);
    }
    expect(hashes.size).toBe(run0.results.length);
    // Not even with --no-redact do fingerprints or regions carry the secret (only the message shows it).
    for (const r of JSON.parse(unredacted).runs[0].results) {
      expect(JSON.stringify({ ...r, message: undefined })).not.toMatch(/exk_|exw_/);
    }
    const uris = run0.results.map((r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain("docs/we%7Cird%20%3Cb%3E%26name*.md");
    expect(uris).toContain("deploy/a%2Cb%3Ac.yaml");
  });

  it("keeps the most severe 25,000 results (GitHub's limit per run) and says how many were left out", () => {
    const many = { ...result, findings: Array.from({ length: 25_003 }, (_, i) => ({ ...result.findings[i % result.findings.length]!, line: i + 1, endLine: i + 1 })) };
    const run0 = JSON.parse(REPORTERS.sarif!(many, OPTIONS)).runs[0];
    expect(run0.results).toHaveLength(25_000);
    expect(run0.results.filter((r: { level: string }) => r.level === "warning")).toHaveLength(many.findings.filter((f) => f.severity === "medium").length - 3);
    expect(run0.invocations[0].toolExecutionNotifications[0].message.text).toMatch(/^3 less severe findings were left out/);
  });

  it("partial fingerprints survive a line move and change with the secret", () => {
    const moved = { ...result, findings: result.findings.map((f) => ({ ...f, line: f.line + 5, endLine: f.endLine + 5 })) };
    const a = JSON.parse(REPORTERS.sarif!(result, OPTIONS)).runs[0].results;
    const b = JSON.parse(REPORTERS.sarif!(moved, OPTIONS)).runs[0].results;
    expect(b.map((r: { partialFingerprints: unknown }) => r.partialFingerprints)).toEqual(a.map((r: { partialFingerprints: unknown }) => r.partialFingerprints));
    const changed = { ...result, findings: result.findings.map((f, i) => (i === 0 ? { ...f, fingerprint: "0".repeat(32) } : f)) };
    const c = JSON.parse(REPORTERS.sarif!(changed, OPTIONS)).runs[0].results;
    expect(c[0].partialFingerprints.primaryLocationLineHash).not.toBe(a[0].partialFingerprints.primaryLocationLineHash);
  });
});

describe("terminal and log safety", () => {
  it("text and github logs show control characters in repo text as escapes", () => {
    const evil = "evil\u001b[2J\u001b]8;;https://x.invalid\u0007name\nforged line.env";
    const r = { ...result, findings: [{ ...result.findings[0]!, path: evil, commit: { commit: "a".repeat(40), author: "m\u001b[8mallory", date: "2026-01-01" } }] };
    for (const format of ["text", "github"]) {
      const out = REPORTERS[format]!(r, OPTIONS);
      // An annotation's file= property keeps the exact (escaped) path so it lands on the file; the runner does not print it.
      const shown = out.split("\n").map((l) => l.replace(/^::error file=[^,]*,/, "::error ")).join("\n");
      expect(shown, format).not.toMatch(/\u001b|\u0007/);
      expect(out, format).toContain("evil\\x1b[2J\\x1b]8;;https://x.invalid\\x07name\\x0aforged line.env");
      expect(out.split("\n").some((l) => l.startsWith("forged line")), format).toBe(false);
    }
  });
});

describe("html", () => {
  it("is self-contained: no script, no resource loaded from anywhere, repo text escaped", () => {
    const html = REPORTERS.html!(result, OPTIONS);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|@import|url\(/i);
    expect(html).not.toMatch(/\son\w+=/i); // no event handler attributes
    // Only links the reader clicks (revoke pages), never a fetched resource; a crafted name is text.
    for (const m of html.matchAll(/\s(src|href)="([^"]*)"/g)) expect(m[1]).toBe("href");
    expect(html).toContain("docs/we|ird &lt;b&gt;&amp;name*.md");
    expect(html).not.toContain("<b>&name");
    expect(html).toContain("Example Corp &lt;Test&gt; &amp; Co");
  });
});

describe("json", () => {
  it("is valid against docs/scan-result.schema.json, which matches the code", () => {
    const committed = JSON.parse(readFileSync(resolve(__dirname, "../../docs/scan-result.schema.json"), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(scanResultJsonSchema())));
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    const validate = ajv.compile(committed);
    expect(validate(JSON.parse(REPORTERS.json!(result, OPTIONS))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...JSON.parse(REPORTERS.json!(result, OPTIONS)), version: 2 })).toBe(false);
  });
});

describe("keyscan report --from", () => {
  it("re-renders a saved scan in every format exactly as a direct render", async () => {
    const saved = join(tmp, "scan.json");
    writeFileSync(saved, REPORTERS.json!(result, { ...OPTIONS, redact: false }));
    for (const format of formatNames().filter((f) => f !== "github")) {
      const out = await run(["report", "--from", saved, "--format", format], { cwd: tmp, env: {} });
      // Structured formats repeat unreadable inputs on stderr; the text format lists them itself.
      expect(out.stderr).toBe(format === "text" ? "" : "keyscan: private/<locked>.env: EACCES: permission denied (E_READ)\n");
      expect(out.exitCode).toBe(1);
      expect(out.stdout, format).toBe(REPORTERS[format]!(result, OPTIONS));
    }
  });

  it("keeps a redacted saved scan redacted, even with --no-redact", async () => {
    const saved = join(tmp, "redacted.json");
    writeFileSync(saved, REPORTERS.json!(result, OPTIONS));
    const out = await run(["report", "--from", saved, "--format", "markdown", "--no-redact"], { cwd: tmp, env: {} });
    expect(out.stdout).toBe(REPORTERS.markdown!(result, OPTIONS));
    expect(out.stderr).toMatch(/saved redacted/);
    const json = await run(["report", "--from", saved, "--format", "json"], { cwd: tmp, env: {} });
    expect(json.stdout).toBe(REPORTERS.json!(result, OPTIONS));
  });

  it("rejects what is not a keyscan scan of this version with exit 2 and a clear message", async () => {
    const cases: Array<[string, string, RegExp]> = [
      ["notjson.json", "{oops", /is not JSON/],
      ["sarif.json", REPORTERS.sarif!(result, OPTIONS), /is not a keyscan scan .*"format" is null/],
      ["lines.jsonl", REPORTERS.jsonl!(result, OPTIONS), /is not JSON|is not a keyscan scan/],
      ["v2.json", JSON.stringify({ ...result, version: 2 }), /format version 2; this keyscan reads version 1/],
      ["damaged.json", JSON.stringify({ ...result, findings: [{ path: 3 }] }), /damaged keyscan scan/],
    ];
    for (const [name, body, message] of cases) {
      writeFileSync(join(tmp, name), body);
      const out = await run(["report", "--from", name, "--format", "html"], { cwd: tmp, env: {} });
      expect(out.exitCode, name).toBe(2);
      expect(out.stdout).toBe("");
      expect(out.stderr, name).toMatch(message);
    }
    const missing = await run(["report", "--from", "nope.json"], { cwd: tmp, env: {} });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/cannot read --from nope\.json/);
    const badFormat = await run(["report", "--from", "scan.json", "--format", "pdf"], { cwd: tmp, env: {} });
    expect(badFormat.exitCode).toBe(2);
    expect(badFormat.stderr).toMatch(/unknown --format pdf/);
  });
});
