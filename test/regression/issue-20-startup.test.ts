// Issue 20, start-up (what bench/startup.mjs times): the published bin answers `--version` without loading the CLI
// bundle, as CommonJS (an ES module entry costs Node 22 a fifth of its start), and `keyscan --staged` runs two git
// processes instead of six on a plain change (a merge, a first commit or a failure also asks rev-parse; those cases
// are test/git/staged.test.ts's), with the same answers from any folder of the work tree.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ScanResult } from "../../src/report/types.js";
import { newKey, tempRepos } from "../git/repo.js";

const ROOT = resolve(__dirname, "../..");
const BUNDLE = join(ROOT, "dist", "bundle");
const repo = tempRepos();
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("issue 20: start-up of the published bin", { timeout: 120_000 }, () => {
  it("answers --version from the launcher alone (no CLI bundle beside it), with package.json's version", () => {
    const dir = mkdtempSync(join(tmpdir(), "keyscan-launcher-"));
    temps.push(dir);
    mkdirSync(join(dir, "dist", "bundle"), { recursive: true });
    for (const f of ["keyscan.js", "package.json"]) copyFileSync(join(BUNDLE, f), join(dir, "dist", "bundle", f));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "@keyscan-dev/keyscan", version: "7.8.9", type: "module" }));
    const bin = join(dir, "dist", "bundle", "keyscan.js");
    const r = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("7.8.9\n");
    // Anything else needs the CLI bundle, which is not there: the check can fail.
    expect(spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" }).status).not.toBe(0);
    // The real package: the launcher's answer is the CLI's (`--version` among other arguments goes through yargs).
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    expect(spawnSync(process.execPath, [join(BUNDLE, "keyscan.js"), "--version"], { encoding: "utf8" }).stdout).toBe(`${version}\n`);
    expect(spawnSync(process.execPath, [join(BUNDLE, "keyscan.js"), "--version", "--quiet"], { encoding: "utf8" }).stdout).toBe(`${version}\n`);
  });

  it("is CommonJS (its folder says so), runs the CLI bundle cli.cjs, and the library and worker are ES modules", () => {
    expect(JSON.parse(readFileSync(join(BUNDLE, "package.json"), "utf8"))).toEqual({ type: "commonjs" });
    const launcher = readFileSync(join(BUNDLE, "keyscan.js"), "utf8");
    expect(launcher).not.toMatch(/^\s*import\s/m);
    expect(launcher).toContain('"cli.cjs"');
    expect(launcher).toBe(readFileSync(join(ROOT, "scripts", "launcher.cjs"), "utf8"));
    // The CLI bundle is a script for the launcher's wrapper: no ES module syntax, no `#!` line.
    const cli = readFileSync(join(BUNDLE, "cli.cjs"), "utf8");
    expect(cli.startsWith("#!")).toBe(false);
    expect(cli).not.toMatch(/\bimport\s*\(|\bimport\.meta\b/);
    for (const f of ["index.mjs", "pool-worker.mjs"]) expect(readFileSync(join(BUNDLE, f), "utf8")).toMatch(/^import |;import |export\{/m);
  });
});

/** The published bin, run as a hook runs it. */
function keyscan(cwd: string, env: NodeJS.ProcessEnv, ...argv: string[]): { exitCode: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(BUNDLE, "keyscan.js"), ...argv], { cwd, env, encoding: "utf8" });
  return { exitCode: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("issue 20: keyscan --staged runs two git processes on a plain change", { timeout: 120_000 }, () => {
  /** The repository's env with a `git` first on PATH that logs each invocation's subcommand, then runs git. */
  function countingGit(r: ReturnType<typeof repo>): { env: NodeJS.ProcessEnv; calls: () => string[] } {
    const bin = join(r.home, "counting-bin");
    mkdirSync(bin, { recursive: true });
    const log = join(r.home, "git-calls.log");
    const real = spawnSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(join(bin, "git"), `#!/bin/sh\nfor a in "$@"; do case "$a" in -c|*=*) ;; *) echo "$a" >> ${JSON.stringify(log)}; break;; esac; done\nexec ${JSON.stringify(real)} "$@"\n`);
    chmodSync(join(bin, "git"), 0o755);
    writeFileSync(log, "");
    return { env: { ...r.env, PATH: `${bin}:${process.env.PATH ?? ""}` }, calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean) };
  }

  it("spawns diff-index and cat-file once each on a clean change, and finds a staged key from a subfolder", () => {
    const r = repo();
    r.write("README.md", "# app\n");
    r.write("src/main.txt", "hello\n");
    r.commitAll("initial");
    r.write("src/main.txt", "hello again\n");
    r.git("add", "src/main.txt");
    const { env, calls } = countingGit(r);
    const clean = keyscan(r.dir, env, "--staged");
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(calls().sort()).toEqual(["cat-file", "diff-index"]);
    // From a subfolder: the whole index, paths from the top, the top .keyscanignore as staged.
    const key = newKey();
    r.write("config/app.env", `GETIMG_API_KEY=${key}\n`);
    r.write("docs/notes.env", `GETIMG_API_KEY=${newKey()}\n`);
    r.write(".keyscanignore", "docs/\n");
    r.git("add", "-A");
    const sub = keyscan(join(r.dir, "src"), env, "--staged", "--format", "json", "--no-redact");
    expect(sub.exitCode, sub.stderr).toBe(1);
    expect((JSON.parse(sub.stdout) as ScanResult).findings.map((f) => [f.path, f.secret])).toEqual([["config/app.env", key]]);
  });
});
