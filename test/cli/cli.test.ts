// The CLI contract: exit codes (0 clean, 1 findings, 2 bad flag/config/rule with a message saying what to fix),
// formats, stdin, ignore files, size caps, colour, and the built binary itself.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { secrets, tempDir, writeTree } from "../helpers.js";

const gen = secrets("cli-tests");
let t: { dir: string; cleanup: () => void };
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

const io = (extra: Partial<Parameters<typeof run>[1]> = {}) => ({ cwd: t.dir, env: {}, ...extra });

describe("exit codes and messages", () => {
  it("0 and a summary for a clean tree", async () => {
    writeTree(t.dir, { "a.txt": "nothing to see\n" });
    const r = await run(["."], io());
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("no secrets found in 1 file");
  });

  it("1 with the finding for a leaky tree; the secret is redacted unless --no-redact", async () => {
    const key = gen("key-{alnum:96}");
    writeTree(t.dir, { "src/a.js": `const k = "${key}";\n` });
    const r = await run(["."], io());
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("src/a.js:1:12");
    expect(r.stdout).toContain("getimg.api-key");
    expect(r.stdout).not.toContain(key);
    const shown = await run([".", "--no-redact"], io());
    expect(shown.stdout).toContain(key);
  });

  it("2 for an unknown flag, an unknown format and a missing path", async () => {
    for (const argv of [["--no-such-flag"], ["--format", "xml", "."], ["does-not-exist"]]) {
      const r = await run(argv, io());
      expect(r.exitCode, argv.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^keyscan: /);
      expect(r.stdout).toBe("");
    }
  });

  it("2 for a bad rule file, naming the file, line and field", async () => {
    writeTree(t.dir, {
      "my-rules/acme.yaml": "provider: acme\nname: Acme\nrules:\n  - id: acme.token\n    name: Acme token\n    description: d\n    severity: urgent\n    secret: { pattern: 'acme_[a-z]{10}', keywords: [acme_], standalone: true }\n    examples: ['x']\n    negatives: ['y']\n",
    });
    const r = await run([".", "--rules", "my-rules"], io());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/acme\.yaml:7:\d+: field `rules\.0\.severity`/);
  });

  it("2 for a rule whose regex is not valid JavaScript, with the rule id", async () => {
    writeTree(t.dir, {
      "r/acme.yaml": "provider: acme\nname: Acme\nrules:\n  - id: acme.token\n    name: Acme token\n    description: d\n    severity: high\n    secret: { pattern: '(?i)acme_[a-z]{10}', keywords: [acme_], standalone: true }\n    examples: ['x']\n    negatives: ['y']\n",
    });
    const r = await run([".", "--rules", "r/acme.yaml"], io());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("rule acme.token");
    expect(r.stderr).toContain("not a valid JavaScript regular expression");
  });

  it("2 for a config file with an unknown field", async () => {
    writeTree(t.dir, { ".keyscan.yaml": "exclude: [dist]\nbogus: 1\n" });
    const r = await run(["."], io());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(".keyscan.yaml");
  });
});

describe("formats", () => {
  it("json is versioned, parses, and redacts by default", async () => {
    const key = gen("atai_{alnum:32}");
    writeTree(t.dir, { ".env": `ALTTEXT_API_KEY=${key}\n` });
    const r = await run([".", "--format", "json"], io());
    expect(r.exitCode).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.format).toBe("keyscan-scan");
    expect(j.version).toBe(1);
    expect(j.redacted).toBe(true);
    expect(j.findings).toHaveLength(1);
    expect(j.findings[0]).toMatchObject({ ruleId: "alttext-ai.api-key", path: ".env", line: 1, column: 17 });
    expect(r.stdout).not.toContain(key);
    expect(j.findings[0].fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it("--output writes the report and prints a summary on stderr", async () => {
    writeTree(t.dir, { "a.txt": `k=${gen("key-{alnum:95}")}\n` });
    const r = await run([".", "-f", "json", "-o", "out.json"], io());
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("1 secret found");
    expect(existsSync(join(t.dir, "out.json"))).toBe(true);
  });

  it("colour only when asked or on a TTY, never with NO_COLOR", async () => {
    writeTree(t.dir, { "a.txt": `k=${gen("key-{alnum:95}")}\n` });
    expect((await run(["."], io({ stdoutIsTTY: true }))).stdout).toContain("\u001b[");
    expect((await run(["."], io({ stdoutIsTTY: true, env: { NO_COLOR: "1" } }))).stdout).not.toContain("\u001b[");
    expect((await run(["."], io({ stdoutIsTTY: false }))).stdout).not.toContain("\u001b[");
  });
});

describe("inputs", () => {
  it("reads standard input with `-`", async () => {
    const key = gen("key-{alnum:94}");
    const r = await run(["-", "--stdin-filename", "pasted.env"], io({ stdin: Readable.from([Buffer.from(`GETIMG=${key}\n`)]) }));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("pasted.env:1:8");
  });

  it("honours .gitignore and .keyscanignore (paths and fingerprints), but scans paths named explicitly", async () => {
    const a = gen("key-{alnum:96}");
    const b = gen("key-{alnum:96}");
    const c = gen("key-{alnum:96}");
    writeTree(t.dir, {
      ".gitignore": "build/\n",
      "build/out.js": `x="${a}"\n`,
      "fixtures/f.js": `x="${b}"\n`,
      "src/c.js": `x="${c}"\n`,
    });
    const first = await run([".", "-f", "json", "--no-redact"], io());
    const found = JSON.parse(first.stdout).findings as Array<{ secret: string; fingerprint: string }>;
    expect(found.map((f) => f.secret).sort()).toEqual([b, c].sort());
    const fp = found.find((f) => f.secret === c)!.fingerprint;
    writeFileSync(join(t.dir, ".keyscanignore"), `fixtures/\nfingerprint:${fp}\n`);
    expect((await run(["."], io())).exitCode).toBe(0);
    // Named explicitly: scanned despite the ignore file (ripgrep's rule); --no-gitignore brings build/ back.
    expect((await run(["fixtures"], io())).exitCode).toBe(1);
    const all = await run([".", "--no-gitignore", "-f", "json", "--no-redact"], io());
    expect(JSON.parse(all.stdout).findings.map((f: { secret: string }) => f.secret)).toEqual([a]);
  });

  it("skips binary and oversized files, reports them, and goes on", async () => {
    const key = gen("key-{alnum:96}");
    writeTree(t.dir, {
      "bin.dat": Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(key)]),
      "big.txt": "a".repeat(3000) + key,
      "ok.txt": `x=${key}\n`,
    });
    const r = await run([".", "--max-file-size", "2KB", "-f", "json"], io());
    const j = JSON.parse(r.stdout);
    expect(j.findings.map((f: { path: string }) => f.path)).toEqual(["ok.txt"]);
    expect(j.stats.skipped).toEqual({ E_BINARY: 1, E_TOO_LARGE: 1 });
    expect(r.exitCode).toBe(1);
  });

  it("2 for a malformed --max-file-size", async () => {
    const r = await run([".", "--max-file-size", "lots"], io());
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("--max-file-size");
  });
});

describe("the built binary", () => {
  const bin = resolve(__dirname, "../../dist/cli/bin.js");
  it.runIf(existsSync(bin))("runs, prints help and sets the exit code", () => {
    const help = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Exit codes: 0 no secrets found, 1 secrets found, 2");
    writeTree(t.dir, { "a.txt": `x=${gen("atai_{alnum:30}")}\n` });
    const r = spawnSync(process.execPath, [bin, "."], { cwd: t.dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("a.txt:1:3");
  });
});
