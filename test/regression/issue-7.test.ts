// Issue 7 (speed): the worker pool gives the same findings as the single-thread path, turns a failing input or a
// dying worker into that input's problem, and shuts down so the CLI exits; the rule-spec cache is used, invalidated
// when a rule file changes and ignored when corrupt; the Aho-Corasick prefilter finds exactly the keywords present.
// Pool tests run the built worker (dist/executor/pool-worker.js), so they need `npx tsc -p .` first, as CI does.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { companionsFor } from "../../src/engine/companions.js";
import { ScanPool } from "../../src/executor/pool.js";
import { buildKeywordAutomaton, buildPrefilter } from "../../src/engine/prefilter.js";
import { openRuleCache, ruleFileKey } from "../../src/engine/rule-cache.js";
import { exampleCases } from "../../src/engine/rule-examples.js";
import type { Matcher } from "../../src/engine/rule.js";
import { scanBytes } from "../../src/engine/scan-bytes.js";
import { scanText } from "../../src/engine/scan-text.js";
import { decodeBytes } from "../../src/engine/decode-bytes.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import { scan } from "../../src/scan.js";
import { workingTreeSource } from "../../src/sources/working-tree.js";
import { ruleFolderFixture, tempDir, writeTree } from "../helpers.js";

const root = resolve(__dirname, "../..");
const bin = join(root, "dist/cli/bin.js");

/** A tree of filler files with every shipped rule's examples planted in some of them, plus a binary file. */
function plantedTree(dir: string, fillers: number): number {
  const rs = loadRules({ cacheDir: false });
  const rand = seededRandom("issue-7-tree");
  const files: Record<string, string | Buffer> = {};
  const filler = (i: number) => `// module ${i}\nexport const value${i} = ${Math.floor(rand() * 1e6)};\nconst headers = { "Content-Type": "application/json" };\n`;
  for (let i = 0; i < fillers; i++) files[`src/f${String(i).padStart(4, "0")}.js`] = filler(i);
  let planted = 0;
  for (const rule of rs.rules) {
    for (const c of exampleCases(rule)) {
      if (c.kind !== "example" || c.secret === undefined) continue;
      const at = Math.floor(rand() * fillers);
      // A path-scoped rule's example (issue 17) is planted as the file it names.
      if (c.path !== undefined) files[`planted-${planted}/${c.path.replace(/^[A-Za-z]:\//, "")}`] = c.text;
      else files[`src/planted-${planted}-${at}.js`] = `${filler(at)}${c.text}\n${filler(at + 1)}`;
      planted++;
    }
  }
  files["img/logo.bin"] = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]);
  writeTree(dir, files);
  return planted;
}

describe("issue 7: scan pool", () => {
  const t = tempDir("keyscan-issue7-");
  let planted = 0;
  beforeAll(() => {
    expect(existsSync(join(root, "dist/executor/pool-worker.js")), "build first: npx tsc -p .").toBe(true);
    planted = plantedTree(t.dir, 450);
  });
  afterAll(() => t.cleanup());

  const source = () => workingTreeSource({ paths: ["."], cwd: t.dir, maxFileSize: 10_000_000, deferRead: true });

  it("finds exactly what the single-thread path finds on a tree with planted secrets", async () => {
    const rs = loadRules({ cacheDir: false });
    const single = await scan(source(), rs, { threads: 1 });
    // The pool from the first file on, ready before the first is sent. The tree (~1,170 files) is larger than one
    // worker's queue (256), and the walk hands files out faster than the worker answers: this thread matches many
    // of them itself (scan.ts), so both paths and their hand-over are covered, each file exactly once.
    const pooled = await scan(source(), rs, { threads: 2, poolAfter: { items: 0, bytes: 0 } });
    const view = (r: typeof single) => r.findings.map((f) => ({ ...f }));
    expect(single.findings.length).toBeGreaterThanOrEqual(planted);
    expect(view(pooled)).toEqual(view(single));
    expect(pooled.stats.scanned).toBe(single.stats.scanned);
    expect(pooled.stats.bytes).toBe(single.stats.bytes);
    expect(pooled.stats.skipped).toEqual(single.stats.skipped);
    expect(single.stats.skipped.E_BINARY).toBe(1);
    expect(pooled.errors).toEqual([]);
  });

  it("returns the same findings as scanText for texts and for transferred bytes", async () => {
    const rs = loadRules({ cacheDir: false });
    const pool = new ScanPool(rs, { threads: 2 });
    try {
      for (const rule of rs.rules) {
        for (const c of exampleCases(rule)) {
          const found = scanText(c.text, rs);
          const companions = companionsFor(found, c.text);
          const expected = found.map(({ rule: r, ...rest }, i) => ({ ...rest, ruleId: r.id, ...(companions[i] ? { companions: companions[i] } : {}) }));
          const fromText = await pool.scan(c.text);
          const fromBytes = await pool.scan(Buffer.from(c.text, "utf8"));
          expect(fromText).toEqual({ ok: true, findings: expected });
          expect(fromBytes).toEqual({ ok: true, findings: expected });
        }
      }
      expect(await pool.scan(Buffer.from([1, 0, 2]))).toMatchObject({ ok: false, code: "E_BINARY", skipped: true });
    } finally {
      await pool.close();
    }
  });

  it("resolves verify companions in the worker, as the single-thread path does", async () => {
    const rs = loadRules({ builtin: false, extra: [{ path: join(root, "test/verify/fixtures/rules/acme.yaml") }], cacheDir: false });
    const token = generateSecret("acmetok_{alnum:32}", seededRandom("issue-7-companions"));
    const text = `# shop: corner-store\nACME_ACCOUNT=AC0a1b2c3d4e5f6a7b\nACME_TOKEN=${token}\n`;
    const pool = new ScanPool(rs, { threads: 1 });
    try {
      const out = await pool.scan(Buffer.from(text));
      expect(out.ok).toBe(true);
      const found = out.ok ? out.findings.find((f) => f.ruleId === "acme.token") : undefined;
      expect(found?.secret).toBe(token);
      expect(found?.companions).toEqual({ account: "AC0a1b2c3d4e5f6a7b", shop: "corner-store" });
    } finally {
      await pool.close();
    }
  });

  it("turns an input a worker cannot handle into that input's problem and keeps going", async () => {
    const rs = loadRules({ cacheDir: false });
    const pool = new ScanPool(rs, { threads: 1 });
    try {
      const bad = await pool.scan(42 as unknown as string);
      expect(bad).toMatchObject({ ok: false, code: "E_SCAN", skipped: false });
      const good = await pool.scan("nothing to see");
      expect(good).toEqual({ ok: true, findings: [] });
    } finally {
      await pool.close();
    }
  });

  it("answers the inputs of a worker that dies with a problem, and replaces the worker", async () => {
    const rs = loadRules({ cacheDir: false });
    const pool = new ScanPool(rs, { threads: 1 });
    try {
      const slots = (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots;
      const big = "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789\n".repeat(400_000);
      const pending = pool.scan(big);
      await slots[0]!.worker.terminate();
      expect(await pending).toMatchObject({ ok: false, code: "E_WORKER" });
      expect(await pool.scan("still working")).toEqual({ ok: true, findings: [] });
    } finally {
      await pool.close();
    }
    expect(await pool.scan("after close")).toMatchObject({ ok: false, code: "E_WORKER" });
  });

  it("lets the CLI exit after a pooled scan, with the same result as --threads 1", () => {
    const run = (threads: string) => spawnSync(process.execPath, [bin, ".", "--threads", threads, "--format", "json", "--no-redact"], { cwd: t.dir, encoding: "utf8", timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
    const one = run("1");
    const two = run("2");
    expect(two.error).toBeUndefined(); // a pool left open would keep the process alive until the timeout
    expect(two.status).toBe(1);
    expect(one.status).toBe(1);
    const strip = (s: string) => {
      const r = JSON.parse(s) as { findings: unknown[]; stats: { scanned: number } };
      return { findings: r.findings, scanned: r.stats.scanned };
    };
    expect(strip(two.stdout)).toEqual(strip(one.stdout));
    expect(strip(one.stdout).scanned).toBeGreaterThan(400); // large enough that the default threshold starts the pool
  });
});

describe("issue 7: rule-spec cache", () => {
  const { dir: cacheTestDir, rulesDir, cacheDir } = ruleFolderFixture("keyscan-issue7-cache-");
  const load = (dir: string | false) => loadRules({ builtin: false, extra: [{ path: rulesDir }], cacheDir: dir });
  const shape = (rs: ReturnType<typeof load>) => rs.matchers.map((m) => [m.rule.id, m.rule.name, m.usage, m.regex.source, m.regex.flags, [...m.keywords]]);
  // These tests are about the spec cache, the layer under the compiled rule-set cache (issue-7-startup.test.ts):
  // remove compiled sets so that a load goes down to it.
  const dropCompiled = () => {
    for (const f of readdirSync(cacheDir)) if (f.startsWith("rule-set-")) rmSync(join(cacheDir, f));
  };

  it("writes validated specs and compiles the same rule set from them", () => {
    const fresh = load(false);
    const first = load(cacheDir);
    expect(existsSync(join(cacheDir, "rule-specs.json.gz"))).toBe(true);
    const cached = load(cacheDir);
    expect(shape(first)).toEqual(shape(fresh));
    expect(shape(cached)).toEqual(shape(fresh));
    expect(cached.version).toBe(fresh.version);
  });

  it("is read: an entry under the file's key is used instead of parsing", () => {
    load(cacheDir);
    const file = join(cacheDir, "rule-specs.json.gz");
    const data = JSON.parse(gunzipSync(readFileSync(file)).toString()) as { entries: Record<string, { rules: Array<{ name: string }> }> };
    const key = ruleFileKey(readFileSync(join(rulesDir, "getimg.yaml"), "utf8"));
    data.entries[key]!.rules[0]!.name = "name from the cache";
    writeFileSync(file, gzipSync(JSON.stringify(data)));
    dropCompiled();
    expect(load(cacheDir).rules[0]!.name).toBe("name from the cache");
    rmSync(file);
    dropCompiled(); // it was compiled from the doctored entry
  });

  it("is invalidated when the rule file changes", () => {
    load(cacheDir);
    const path = join(rulesDir, "getimg.yaml");
    const before = readFileSync(path, "utf8");
    writeFileSync(path, before.replace("name: getimg.ai API key", "name: getimg.ai API key (edited)"));
    try {
      expect(load(cacheDir).rules[0]!.name).toBe("getimg.ai API key (edited)");
    } finally {
      writeFileSync(path, before);
    }
    expect(load(cacheDir).rules[0]!.name).toBe("getimg.ai API key");
  });

  it("ignores a corrupt cache file or a damaged entry and rewrites it", () => {
    const file = join(cacheDir, "rule-specs.json.gz");
    writeFileSync(file, "{ this is not json");
    dropCompiled();
    expect(shape(load(cacheDir))).toEqual(shape(load(false)));
    expect(() => JSON.parse(gunzipSync(readFileSync(file)).toString())).not.toThrow();
    const data = JSON.parse(gunzipSync(readFileSync(file)).toString()) as { entries: Record<string, unknown> };
    const key = ruleFileKey(readFileSync(join(rulesDir, "getimg.yaml"), "utf8"));
    data.entries[key] = { provider: "getimg", rules: [{ id: 7 }] };
    writeFileSync(file, gzipSync(JSON.stringify(data)));
    dropCompiled();
    expect(shape(load(cacheDir))).toEqual(shape(load(false)));
  });

  it("holds the rules' examples compressed, so a cache inside a scanned folder is not reported", async () => {
    const home = join(cacheTestDir, "home-cache");
    const rs = loadRules({ cacheDir: home }); // every shipped rule, examples included
    expect(existsSync(join(home, "rule-specs.json.gz"))).toBe(true);
    // …and the compiled rule set beside it (specs included), deflated too (issue 21: rule-set-image.ts).
    expect(readdirSync(home).filter((f) => /^rule-set-[0-9a-f]+\.bin$/.test(f))).toHaveLength(1);
    const result = await scan(workingTreeSource({ paths: [home], cwd: cacheTestDir, maxFileSize: 50_000_000 }), rs, { threads: 1 });
    expect(result.findings).toEqual([]);
    expect(result.stats.skipped.E_BINARY).toBe(2);
  });

  it("ignores a cache written by another keyscan version", () => {
    const cache = openRuleCache(cacheDir);
    cache.set("k", { provider: "p", rules: [] } as never);
    cache.save();
    const file = join(cacheDir, "rule-specs.json.gz");
    const data = JSON.parse(gunzipSync(readFileSync(file)).toString()) as { version: string };
    data.version = "0.0.0-other";
    writeFileSync(file, gzipSync(JSON.stringify(data)));
    expect(openRuleCache(cacheDir).get("k")).toBeUndefined();
  });
});

describe("issue 7: Aho-Corasick prefilter", () => {
  it("reports exactly the keywords that occur, case-insensitively, with many overlapping keywords", () => {
    const rand = seededRandom("issue-7-ac");
    const pick = (n: number, alphabet: string) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
    for (let round = 0; round < 40; round++) {
      const keywords = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 300) }, () => pick(1 + Math.floor(rand() * 6), "ab-_c")))];
      const ac = buildKeywordAutomaton(keywords);
      for (let j = 0; j < 10; j++) {
        const text = pick(Math.floor(rand() * 200), "aAbB-_cC x\n");
        const expected = keywords.filter((k) => text.toLowerCase().includes(k)).sort();
        expect(ac.find(text).map((i) => keywords[i]!).sort()).toEqual(expected);
      }
    }
  });

  it("selects the matchers of every keyword present among thousands", () => {
    const ms = Array.from({ length: 3000 }, (_, i) => ({ usage: `m${i}`, keywords: [`provider${i}_api_key`, `provider${i}apikey`] }) as unknown as Matcher);
    const pf = buildPrefilter(ms);
    expect(pf.keywords.length).toBe(6000);
    const picked = pf.select("const a = PROVIDER17_API_KEY; b = provider2999ApiKey; c = provider3000_api_key").map((m) => m.usage).sort();
    expect(picked).toEqual(["m17", "m2999"]);
  });
});

describe("issue 7: matching bytes without decoding files that hold no keyword", () => {
  it("gives what decoding first and scanning the text gives, for every kind of input", () => {
    const rs = loadRules({ cacheDir: false });
    const inputs: Buffer[] = [Buffer.from("plain code without any of the words\n"), Buffer.from([0x61, 0, 0x62]), Buffer.from([0xff, 0xfe, 0x41, 0])];
    for (const rule of rs.rules) {
      for (const c of exampleCases(rule)) {
        inputs.push(Buffer.from(c.text, "utf8"));
        inputs.push(Buffer.concat([Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(c.text, "utf8")])); // invalid UTF-8 first
        inputs.push(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(c.text, "utf16le")])); // UTF-16 with a BOM
      }
    }
    let withFindings = 0;
    for (const data of inputs) {
      const decoded = decodeBytes(data);
      const expected = decoded.ok ? { ok: true, findings: scanText(decoded.text, rs) } : { ok: false, code: decoded.code, message: decoded.message, skipped: true };
      const outcome = scanBytes(data, rs);
      const { text: _text, ...got } = outcome as typeof outcome & { text?: string };
      expect(got).toEqual(expected);
      if (got.ok && got.findings.length > 0) withFindings++;
    }
    expect(withFindings).toBeGreaterThan(10);
  });

  it("says a keyword may match only when one occurs, in any case", () => {
    const pf = buildPrefilter([{ usage: "a", keywords: ["x-api-key"] }, { usage: "b", keywords: ["getimg"] }] as unknown as Matcher[]);
    expect(pf.mayMatchBytes(Buffer.from("nothing here"))).toBe(false);
    expect(pf.mayMatchBytes(Buffer.from("const c = new GETIMG()"))).toBe(true);
    expect(pf.mayMatchBytes(Buffer.from("héllo X-Api-Key: 1"))).toBe(true);
    const always = buildPrefilter([{ usage: "c", keywords: [] }] as unknown as Matcher[]);
    expect(always.mayMatchBytes(Buffer.from("nothing"))).toBe(true);
  });
});
