// Issue 6's engine features (decoding, parsed details, gitleaks imports with allowlists and path scoping) on issue 7's
// fast paths: the bytes path that skips decoding files without a keyword, and the worker pool, whose workers rebuild
// the rule set from plain specs. Each must give exactly what the single-thread text path gives.
// Pool tests run the built worker (dist/executor/pool-worker.js), so they need `npx tsc -p .` first, as CI does.
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { exampleCases } from "../../src/engine/rule-examples.js";
import { scanBytes } from "../../src/engine/scan-bytes.js";
import { scanText } from "../../src/engine/scan-text.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import { scan } from "../../src/scan.js";
import { decodeBytes } from "../../src/engine/decode-bytes.js";
import { workingTreeSource } from "../../src/sources/working-tree.js";
import { tempDir, writeTree } from "../helpers.js";

const root = resolve(__dirname, "../..");
const rs = loadRules({ cacheDir: false });
const b64 = (s: string) => Buffer.from(s).toString("base64");
const hex = (s: string) => Buffer.from(s).toString("hex");

/** Every shipped rule's examples, each wrapped in base64, hex and percent-encoding inside keyword-free text. */
function encodedExamples(): string[] {
  const out: string[] = [];
  for (const rule of rs.rules) {
    for (const c of exampleCases(rule)) {
      if (c.kind !== "example") continue;
      out.push(`blob: ${b64(c.text)}\n`, `payload=${hex(c.text)}\n`, `u=${encodeURIComponent(c.text)}\n`);
    }
  }
  return out;
}

describe("issue 6 on the bytes path", () => {
  it("decodes and scans a file that holds no keyword but an encoded secret, exactly as scanText does", () => {
    let noKeyword = 0;
    let found = 0;
    for (const text of encodedExamples()) {
      const data = Buffer.from(text, "utf8");
      const decoded = decodeBytes(data);
      expect(decoded.ok).toBe(true);
      const expected = scanText(text, rs);
      const outcome = scanBytes(data, rs);
      expect(outcome.ok && outcome.findings).toEqual(expected);
      if (!rs.prefilter.mayMatchBytes(data) && expected.length > 0) {
        noKeyword++;
        expect(expected.every((f) => f.decoded !== undefined)).toBe(true);
      }
      found += expected.length;
    }
    // The keyword-free case is the one the bytes fast path used to drop: it must actually occur here.
    expect(noKeyword).toBeGreaterThan(20);
    expect(found).toBeGreaterThan(100);
    // And plain code with neither keywords nor encoded runs still skips decoding and finds nothing.
    expect(scanBytes(Buffer.from("const total = items.reduce((a, b) => a + b, 0);\n"), rs)).toEqual({ ok: true, findings: [] });
  });
});

describe("issue 6 through the worker pool", () => {
  const t = tempDir("keyscan-issue6-pool-");
  afterAll(() => t.cleanup());

  it("returns decoded and details fields from workers, the same as the single-thread path", async () => {
    expect(existsSync(join(root, "dist/executor/pool-worker.js")), "build first: npx tsc -p .").toBe(true);
    const dir = join(t.dir, "tree");
    const files: Record<string, string> = {};
    let i = 0;
    for (const rule of rs.rules) {
      for (const c of exampleCases(rule)) {
        if (c.kind !== "example") continue;
        files[`plain/${i}.txt`] = `${c.text}\n`;
        files[`encoded/${i}.yaml`] = `data:\n  env: ${b64(c.text)}\n`;
        i++;
      }
    }
    writeTree(dir, files);
    const source = () => workingTreeSource({ paths: ["."], cwd: dir, maxFileSize: 10_000_000, deferRead: true });
    const single = await scan(source(), rs, { threads: 1 });
    const pooled = await scan(source(), rs, { threads: 2, poolAfter: { items: 0, bytes: 0 } });
    expect(pooled.errors).toEqual([]);
    expect(pooled.findings).toEqual(single.findings);
    expect(single.findings.filter((f) => f.decoded?.includes("base64")).length).toBeGreaterThan(20);
    expect(single.findings.filter((f) => f.details !== undefined).length).toBeGreaterThan(0);
  });

  it("rebuilds imported gitleaks rules in each worker, allowlists and path scoping included", async () => {
    const dir = join(t.dir, "gitleaks");
    const rand = seededRandom("issue-6-pool-gitleaks");
    const config = [
      "[[rules]]",
      'id = "acme-token"',
      "regex = '''(?i)\\bacme[_-]?token\\s*[:=]\\s*[\"']?([[:alnum:]]{32})\\b'''",
      'keywords = ["acme"]',
      "  [[rules.allowlists]]",
      '  stopwords = ["deadbeef"]',
      "  [[rules.allowlists]]",
      '  regexTarget = "line"',
      "  regexes = ['''# ?test fixture''']",
      "",
      "[[rules]]",
      'id = "conf-key"',
      "path = '''\\.conf$'''",
      "regex = '''confkey=([a-f0-9]{24})'''",
      'keywords = ["confkey"]',
      "",
      "[allowlist]",
      "paths = ['''(^|/)vendor/''']",
      "",
    ].join("\n");
    const acme = () => generateSecret("{alnum:32}", rand);
    const keep = acme();
    const confKey = generateSecret("{hex:24}", rand);
    writeTree(dir, {
      "app.py": `ACME_TOKEN = "${keep}"\n`,
      "fixture.py": `ACME_TOKEN = "${acme()}"  # test fixture\n`,
      "stop.py": `ACME_TOKEN = "deadbeef${generateSecret("{alnum:24}", rand)}"\n`,
      "vendor/lib.py": `ACME_TOKEN = "${acme()}"\n`,
      "svc.conf": `confkey=${confKey}\n`,
      "svc.txt": `confkey=${generateSecret("{hex:24}", rand)}\n`,
    });
    writeFileSync(join(t.dir, "gitleaks.toml"), config);
    const gl = loadRules({ builtin: false, extra: [{ path: join(t.dir, "gitleaks.toml") }], cacheDir: false });
    const source = () => workingTreeSource({ paths: ["."], cwd: dir, maxFileSize: 10_000_000, deferRead: true });
    const single = await scan(source(), gl, { threads: 1 });
    const pooled = await scan(source(), gl, { threads: 2, poolAfter: { items: 0, bytes: 0 } });
    expect(pooled.errors).toEqual([]);
    expect(single.findings.map((f) => [f.ruleId, f.path, f.secret]).sort()).toEqual(
      [
        ["gitleaks.acme-token", "app.py", keep],
        ["gitleaks.conf-key", "svc.conf", confKey],
      ].sort(),
    );
    expect(pooled.findings).toEqual(single.findings);
  });
});
