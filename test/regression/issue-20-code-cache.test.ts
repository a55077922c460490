// Issue 20, start-up: the published bin compiles the CLI bundle (dist/bundle/cli.cjs) with a V8 code cache that a
// run writes when it ends (scripts/launcher.cjs), unless that run compiled the rule set (its cache would lack the
// start-up code V8 dropped on the way). The next run must reuse it (V8 refuses a cache made under other flags: the
// launcher's flags must be bin.ts's, in its order), a damaged or truncated cache must fall back to compiling and be
// replaced, `KEYSCAN_CACHE_DIR=off` writes nothing, and findings never depend on the cache. Run on this Node and on
// every runtime in KEYSCAN_REHEARSAL_NODES (see issue-20-release.test.ts).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ScanResult } from "../../src/report/types.js";
import { newKey, tempRepos } from "../git/repo.js";

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "dist", "bundle", "keyscan.js");
const NODES = [process.execPath, ...(process.env.KEYSCAN_REHEARSAL_NODES ?? "").split(",").filter(Boolean)];
const repo = tempRepos();
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "keyscan-code-cache-"));
  temps.push(dir);
  return dir;
}

/** The code cache files under a cache folder (one per copy of keyscan and Node). */
function codeCaches(dir: string): string[] {
  const sub = join(dir, "code-cache");
  return existsSync(sub) ? readdirSync(sub).filter((f) => f.endsWith(".bin")).map((f) => join(sub, f)) : [];
}

/** A repository with one staged file holding a key and one clean staged file. */
function stagedRepo(): { dir: string; env: NodeJS.ProcessEnv; key: string } {
  const r = repo();
  r.write("README.md", "# app\n");
  r.commitAll("initial");
  const key = newKey();
  r.write("config/app.env", `GETIMG_API_KEY=${key}\n`);
  r.write("src/main.ts", "export const retries = 3;\n");
  r.git("add", "-A");
  return { dir: r.dir, env: r.env, key };
}

describe.each(NODES)("issue 20: the CLI's code cache on %s", { timeout: 120_000 }, (node) => {
  const run = (cwd: string, env: NodeJS.ProcessEnv, cache: string): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(node, [BIN, "--staged", "--format", "json", "--no-redact"], { cwd, env: { ...env, KEYSCAN_CACHE_DIR: cache }, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const secrets = (out: string): [string, string][] => (JSON.parse(out) as ScanResult).findings.map((f) => [f.path, f.secret]);

  it("is written by the first run that did not compile the rules, then reused unchanged; the findings are the same", () => {
    const { dir, env, key } = stagedRepo();
    const cache = cacheDir();
    const first = run(dir, env, cache);
    expect(first.status, first.stderr).toBe(1);
    expect(secrets(first.stdout)).toEqual([["config/app.env", key]]);
    expect(readdirSync(cache).some((f) => f.startsWith("rule-set-"))).toBe(true);
    expect(codeCaches(cache)).toEqual([]); // it compiled the rule set
    const second = run(dir, env, cache);
    expect(second.status, second.stderr).toBe(1);
    expect(secrets(second.stdout)).toEqual([["config/app.env", key]]);
    const [file] = codeCaches(cache);
    expect(file).toBeDefined();
    expect(readFileSync(file!).subarray(0, 4).toString("latin1")).toBe("KSCC");
    const before = statSync(file!);
    for (let i = 0; i < 2; i++) {
      const again = run(dir, env, cache);
      expect(again.status, again.stderr).toBe(1);
      expect(secrets(again.stdout)).toEqual([["config/app.env", key]]);
    }
    // Not written again: V8 took it (had it refused it, as with other V8 flags, the run would have replaced it).
    const after = statSync(file!);
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
    expect(codeCaches(cache)).toEqual([file]);
  });

  it("falls back to compiling when the cache is damaged or cut short, and replaces it", () => {
    const { dir, env, key } = stagedRepo();
    const cache = cacheDir();
    for (let i = 0; i < 2; i++) expect(run(dir, env, cache).status).toBe(1);
    const [file] = codeCaches(cache);
    const good = readFileSync(file!);
    // Bytes flipped all through V8's data (the header, stamp and lengths intact): V8's checksum refuses it.
    const damaged = Buffer.from(good);
    for (let i = 256; i < damaged.length; i += 509) damaged[i] ^= 0x5a;
    for (const bad of [damaged, good.subarray(0, good.length >> 1), good.subarray(0, 10), Buffer.alloc(0)]) {
      writeFileSync(file!, bad);
      const r = run(dir, env, cache);
      expect(r.status, r.stderr).toBe(1);
      expect(secrets(r.stdout)).toEqual([["config/app.env", key]]);
      const replaced = readFileSync(file!);
      expect(replaced.equals(bad)).toBe(false);
      expect(replaced.subarray(0, 4).toString("latin1")).toBe("KSCC");
    }
  });

  it("writes nothing with KEYSCAN_CACHE_DIR=off", () => {
    const { dir, env, key } = stagedRepo();
    const home = cacheDir();
    const r = spawnSync(node, [BIN, "--staged", "--format", "json", "--no-redact"], { cwd: dir, env: { ...env, HOME: home, XDG_CACHE_HOME: join(home, "xdg"), KEYSCAN_CACHE_DIR: "off" }, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(1);
    expect(secrets(r.stdout)).toEqual([["config/app.env", key]]);
    expect(readdirSync(home)).toEqual([]);
  });
});
