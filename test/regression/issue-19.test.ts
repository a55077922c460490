// Issue 19, items 2–7 (item 1, the fetches of `keyscan ci`, is in issue-19-fetch.test.ts): a scanned repository
// can never hang the scan through a rule pattern, make keyscan print a secret in an error, hide a symlinked root,
// end the scan with a file too large for one string, put raw control characters into the github or Markdown
// output, or have a UTF-32 file counted as scanned but never read.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { redactText } from "../../src/cli/redact-output.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { scan } from "../../src/scan.js";
import { workingTreeSource } from "../../src/sources/working-tree.js";
import { acmeRuleFile, secrets } from "../helpers.js";

const gen = secrets("issue-19");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "keyscan-issue19-"));
  dirs.push(d);
  return d;
}
const env = {};
const getimgKey = () => gen("key-{alnum:96}");

describe("issue 19 item 2: a catastrophic-backtracking pattern stops the run instead of hanging it", () => {
  const line = `${"a".repeat(34)}!\n`;
  const evil = ["provider: evil", "name: Evil", "rules:", "  - id: evil.x", "    name: x", "    description: x", "    severity: low", "    secret:", "      pattern: '(a+)+$'", "      keywords: [aaa]", "      standalone: true", "    examples: ['aaaa']", "    negatives: ['b']", ""].join("\n");

  it("from the scanned repository's .keyscan.yaml: exit 2 naming the file, line and construct", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "evil.yaml"), evil);
    writeFileSync(join(dir, ".keyscan.yaml"), "rules: [evil.yaml]\n");
    writeFileSync(join(dir, "t.txt"), line);
    const out = await run(["."], { cwd: dir, env });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/evil\.yaml:9: rule evil\.x \(format\): the pattern .*\(a\+\)\+\$.* can backtrack catastrophically: nested quantifier/);
  });

  it("from --rules, also under rules test", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "evil.yaml"), evil);
    writeFileSync(join(dir, "t.txt"), line);
    expect((await run([".", "--rules", "evil.yaml"], { cwd: dir, env })).exitCode).toBe(2);
    const test = await run(["rules", "test", "evil.yaml"], { cwd: dir, env });
    expect(test.exitCode).toBe(2);
    expect(test.stderr).toMatch(/nested quantifier/);
  });
});

describe("issue 19 item 3: error messages never print a secret keyscan would report", () => {
  it("an AWS access key id and a database URI password in a malformed config line are masked", async () => {
    const dir = tempDir();
    const keyId = `AKIA${gen("{upper:16}")}`; // the id alphabet is base32: letters and 2–7
    const password = gen("{alnum:20}");
    writeFileSync(join(dir, ".keyscan.yaml"), `rules: [x.yaml\nexclude: "${keyId}" postgres://admin:${password}@db.example.com/app\n`);
    const out = await run(["."], { cwd: dir, env });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/cannot be parsed/);
    expect(out.stderr).not.toContain(keyId);
    expect(out.stderr).not.toContain(password);
    expect(out.stderr).toContain("AKIA…(20 chars)");
    // --no-redact shows them, as it does in reports.
    const shown = await run([".", "--no-redact"], { cwd: dir, env });
    expect(shown.stderr).toContain(keyId);
  });

  it("a base64 secret with '/' in a --baseline path is masked", async () => {
    const dir = tempDir();
    const accountKey = `${gen("{base64:40}")}/${gen("{base64:45}")}==`;
    const out = await run([".", "--baseline", `AccountName=prod;AccountKey=${accountKey}`], { cwd: dir, env });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).not.toContain(accountKey);
    for (const piece of accountKey.split("/")) expect(out.stderr).not.toContain(piece);
  });

  it("redactText masks what the rule set finds and leaves plain messages alone", () => {
    const ruleset = loadRules({ cacheDir: false });
    const key = getimgKey();
    expect(redactText(`bad value ${key} in line 3`, ruleset)).toBe(`bad value key-…(100 chars) in line 3`);
    expect(redactText("no secrets found in 3 files (0.0 MB, 12 ms)", ruleset)).toBe("no secrets found in 3 files (0.0 MB, 12 ms)");
  });
});

describe("issue 19 item 4: a symlinked scan root is followed", () => {
  it("`keyscan link/` scans the folder the link points to; links met while walking are still skipped", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "real"));
    const key = getimgKey();
    writeFileSync(join(dir, "real", "a.env"), `GETIMG_API_KEY=${key}\n`);
    symlinkSync("real", join(dir, "link"));
    symlinkSync(join("real", "a.env"), join(dir, "file-link.env"));
    for (const target of ["link/", "link", "file-link.env"]) {
      const out = await run([target, "--format", "json", "--no-redact"], { cwd: dir, env });
      expect(out.exitCode, target).toBe(1);
      expect(JSON.parse(out.stdout).findings.map((f: { secret: string }) => f.secret)).toEqual([key]);
    }
    const walked = await run([".", "--format", "json"], { cwd: dir, env });
    expect(JSON.parse(walked.stdout).findings).toHaveLength(1); // real/a.env once; the links inside are skipped
  });
});

describe("issue 19 item 5: files of any size are scanned in overlapping chunks", () => {
  it("finds secrets at every offset around a chunk seam exactly once, with whole-file line numbers", async () => {
    const dir = tempDir();
    const ruleset = loadRules({ cacheDir: false });
    const chunkBytes = 4096;
    const filler = "x = compute(1, 2, 3)\n"; // 21 bytes a line, no keyword
    for (const delta of [-150, -101, -60, -1, 0, 1, 37, 200]) {
      const key = getimgKey();
      const before = filler.repeat(Math.floor((chunkBytes + delta) / filler.length));
      const text = `${before}GETIMG_API_KEY=${key}\n${filler.repeat(600)}`;
      writeFileSync(join(dir, "f.txt"), text);
      const result = await scan(workingTreeSource({ paths: ["f.txt"], cwd: dir, maxFileSize: 1 << 30, chunkBytes, chunkOverlap: 512 }), ruleset, { threads: 1 });
      const expectedLine = before.split("\n").length;
      expect(result.findings.map((f) => [f.secret, f.line, f.column]), `delta ${delta}`).toEqual([[key, expectedLine, 16]]);
      expect(result.stats.scanned).toBe(1);
    }
  });

  it("a single line longer than several chunks keeps whole-file columns", async () => {
    const dir = tempDir();
    const ruleset = loadRules({ cacheDir: false });
    for (const at of [4096 * 2 + 17, 4096 * 3 - 40, 4096 * 3]) {
      const key = getimgKey();
      const text = `first line\n${"a=1;".repeat(at / 4)}"${key}"${"b=2;".repeat(2000)}\n`;
      writeFileSync(join(dir, "min.js"), text);
      const result = await scan(workingTreeSource({ paths: ["min.js"], cwd: dir, maxFileSize: 1 << 30, chunkBytes: 4096, chunkOverlap: 512 }), ruleset, { threads: 1 });
      expect(result.findings.map((f) => [f.secret, f.line, f.column]), `at ${at}`).toEqual([[key, 2, Math.floor(at / 4) * 4 + 2]]);
    }
  });

  it("a text file beyond V8's string limit (600 MB) is scanned and the rest of the scan goes on", async () => {
    const dir = tempDir();
    const big = join(dir, "big.txt");
    const line = "const x = compute(1, 2, 3); // nothing to see, move along\n";
    const block = Buffer.from(line.repeat(Math.ceil((1 << 20) / line.length)));
    const key = getimgKey();
    const fd = openSync(big, "w");
    for (let i = 0; i < 600; i++) writeSync(fd, block);
    writeSync(fd, `GETIMG_API_KEY=${key}\n`);
    closeSync(fd);
    const other = getimgKey();
    writeFileSync(join(dir, "small.env"), `GETIMG_API_KEY=${other}\n`);
    const out = await run([".", "--max-file-size", "1GB", "--format", "json", "--no-redact"], { cwd: dir, env });
    rmSync(big);
    expect(out.stderr).not.toMatch(/internal error/);
    expect(out.exitCode).toBe(1);
    const findings = JSON.parse(out.stdout).findings as Array<{ path: string; secret: string; line: number }>;
    expect(findings.map((f) => [f.path, f.secret, f.line])).toEqual([
      ["big.txt", key, 600 * (block.length / line.length) + 1],
      ["small.env", other, 1],
    ]);
  }, 180_000);
});

describe("issue 19 item 6: control and bidi characters from file names never reach any output format raw", () => {
  it("escapes ESC, BEL, OSC and bidi overrides in every format a person reads", async () => {
    const dir = tempDir();
    const name = "evil\u001b]8;;http:x\u0007\u202egnp.env";
    writeFileSync(join(dir, name), `GETIMG_API_KEY=${getimgKey()}\n`);
    for (const format of ["github", "markdown", "text", "html"]) {
      const out = await run([".", "--format", format], { cwd: dir, env });
      expect(out.exitCode, format).toBe(1);
      // eslint-disable-next-line no-control-regex
      expect(out.stdout, format).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(out.stdout, format).toMatch(/\\x1b/);
    }
    // Structured formats keep the exact name for programs, with nothing hidden in the file itself (\u escapes).
    for (const format of ["json", "jsonl", "sarif"]) {
      const out = await run([".", "--format", format], { cwd: dir, env });
      // eslint-disable-next-line no-control-regex
      expect(out.stdout, format).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
    const json = await run([".", "--format", "json"], { cwd: dir, env });
    expect(JSON.parse(json.stdout).findings[0].path).toBe(name);
  });
});

describe("issue 19 item 7: a UTF-32 file with a byte-order mark is decoded and scanned", () => {
  it("finds the key in UTF-32 LE and BE files", async () => {
    const dir = tempDir();
    const keys: string[] = [];
    for (const order of ["be", "le"] as const) {
      const key = getimgKey();
      keys.push(key);
      const text = `GETIMG_API_KEY=${key}\n`;
      const buf = Buffer.alloc(4 + text.length * 4);
      buf.set(order === "le" ? [0xff, 0xfe, 0, 0] : [0, 0, 0xfe, 0xff]);
      for (let i = 0; i < text.length; i++) {
        if (order === "le") buf.writeUInt32LE(text.codePointAt(i)!, 4 + i * 4);
        else buf.writeUInt32BE(text.codePointAt(i)!, 4 + i * 4);
      }
      writeFileSync(join(dir, `${order}.env`), buf);
    }
    const out = await run([".", "--format", "json", "--no-redact"], { cwd: dir, env });
    expect(out.exitCode).toBe(1);
    expect(JSON.parse(out.stdout).findings.map((f: { secret: string }) => f.secret)).toEqual(keys);
  });
});

describe("issue 19: the pool's watchdog gives up an input that holds a worker past the bound", () => {
  it("a pattern the load-time analysis does not flag, but that backtracks badly on this input, costs one E_TIMEOUT", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "slow.yaml"),
      ["provider: slow", "name: Slow", "rules:", "  - id: slow.x", "    name: x", "    description: x", "    severity: low", "    secret:", "      pattern: '(?:a{1,20}){1,6}b'", "      standalone: { near: [zzz], within_lines: 0 }", "    examples: ['zzz aab']", "    negatives: ['zzz 1']", ""].join("\n"),
    );
    mkdirSync(join(dir, "tree"));
    writeFileSync(join(dir, "tree", "a-slow.txt"), `zzz ${"a".repeat(3000)}\n`.repeat(20));
    writeFileSync(join(dir, "tree", "b-fine.txt"), "zzz aab\n");
    const ruleset = loadRules({ builtin: false, extra: [{ path: join(dir, "slow.yaml") }], cacheDir: false });
    const started = Date.now();
    const result = await scan(workingTreeSource({ paths: ["tree"], cwd: dir, maxFileSize: 1 << 20, deferRead: true }), ruleset, {
      threads: 3,
      poolAfter: { items: 0, bytes: 0 },
      inputTimeoutMs: 500,
    });
    expect(Date.now() - started).toBeLessThan(10_000); // unbounded, the slow file alone takes ~20 s here
    expect(result.skipped.map((s) => [s.path, s.code])).toEqual([["tree/a-slow.txt", "E_TIMEOUT"]]);
    expect(result.findings.map((f) => f.path)).toEqual(["tree/b-fine.txt"]);

    // Rules keyscan did not ship are matched in a worker even for one small file and --threads 1 (`isolate`, which
    // the CLI sets whenever a config, --rules or a gitleaks import adds rules), so the watchdog bounds them too.
    const alone = await scan(workingTreeSource({ paths: ["tree/a-slow.txt"], cwd: dir, maxFileSize: 1 << 20 }), ruleset, { threads: 1, isolate: true, inputTimeoutMs: 500 });
    expect(alone.skipped.map((s) => s.code)).toEqual(["E_TIMEOUT"]);
  }, 60_000);
});
