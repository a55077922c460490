// Issue 18, "tests run what they test": the test run builds dist/ when it is stale (test/setup/build.ts), keeps rule
// caches in a temp folder, and the rule-cache key is the build's stamp (dist/build-stamp.json, written by
// scripts/build-stamp.mjs) instead of a hash of the engine's source files taken on every start.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildStamp } from "../../src/engine/rule-cache.js";
import { VERSION } from "../../src/version.js";
// @ts-expect-error -- a plain ES module script without type declarations
import { STAMP_FILE, sourceStamp } from "../../scripts/build-stamp.mjs";
import { acmeRuleFile, tempDir } from "../helpers.js";

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "dist/cli/bin.js");
const t = tempDir("keyscan-issue18-build-");
afterAll(() => t.cleanup());

describe("issue 18: the test run uses a fresh build and its own cache folder", () => {
  it("dist/ is the build of the current sources (the global setup rebuilt it if not)", () => {
    const stamp = (JSON.parse(readFileSync(STAMP_FILE as string, "utf8")) as { stamp: string }).stamp;
    expect(stamp).toBe((sourceStamp as (root: string) => string)(ROOT));
    expect(statSync(STAMP_FILE as string).mtimeMs).toBeGreaterThanOrEqual(statSync(join(ROOT, "dist/engine/rule-cache.js")).mtimeMs);
  });

  it("every test process keeps rule caches in a temp folder of this run, never the user's", () => {
    const dir = process.env.KEYSCAN_CACHE_DIR;
    expect(dir).toMatch(/keyscan-test-cache-/);
    expect(resolve(dir!).startsWith(resolve(homedir(), ".cache"))).toBe(false);
  });
});

describe("issue 18: the rule-cache key is stamped at build time", () => {
  it("the built CLI keys its caches by dist/build-stamp.json; the sources, unstamped, by a per-process value", async () => {
    const stamp = (JSON.parse(readFileSync(STAMP_FILE as string, "utf8")) as { stamp: string }).stamp;
    const built = (await import(pathToFileURL(join(ROOT, "dist/engine/rule-cache.js")).href)) as { buildStamp(): string };
    expect(built.buildStamp()).toBe(`${VERSION}+${stamp}`);
    expect(buildStamp()).toMatch(new RegExp(`^${VERSION.replace(/\./g, "\\.")}\\+unstamped-`));
    expect(buildStamp()).toBe(buildStamp()); // reused within the process
  });

  it("a stamp older than the build output (a bare `tsc` after the stamp) is not trusted", async () => {
    // Copies of the built module, each beside its own stamp, so the shared dist/ is left alone.
    const copy = (from: string, to: string) => writeFileSync(to, readFileSync(from, "utf8").replace(/^\/\/# sourceMappingURL=.*$/m, ""));
    const install = (name: string) => {
      const dist = join(t.dir, name, "dist");
      mkdirSync(join(dist, "engine"), { recursive: true });
      copyFileSync(join(ROOT, "package.json"), join(t.dir, name, "package.json"));
      copy(join(ROOT, "dist/version.js"), join(dist, "version.js"));
      copy(join(ROOT, "dist/engine/rule-cache.js"), join(dist, "engine", "rule-cache.js"));
      return dist;
    };
    const load = async (dist: string) => ((await import(pathToFileURL(join(dist, "engine", "rule-cache.js")).href)) as { buildStamp(): string }).buildStamp();
    const older = new Date(Date.now() - 60_000);
    const fresh = install("fresh");
    utimesSync(join(fresh, "engine", "rule-cache.js"), older, older);
    writeFileSync(join(fresh, "build-stamp.json"), '{"stamp":"feedface"}\n'); // written after the build: trusted
    expect(await load(fresh)).toBe(`${VERSION}+feedface`);
    const stale = install("stale");
    writeFileSync(join(stale, "build-stamp.json"), '{"stamp":"feedface"}\n');
    utimesSync(join(stale, "build-stamp.json"), older, older); // older than the module: a tsc ran after it
    expect(await load(stale)).toMatch(/\+unstamped-/);
  });

  it("across CLI runs: the same rules hit the cache, a new or edited rule file misses", () => {
    const cache = join(t.dir, "cli-cache");
    const work = join(t.dir, "work");
    mkdirSync(work);
    writeFileSync(join(work, "a.txt"), "nothing here\n");
    const keyscan = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, KEYSCAN_CACHE_DIR: cache } });
    const sets = () => readdirSync(cache).filter((f) => f.startsWith("rule-set-")).map((f) => [f, statSync(join(cache, f)).mtimeMs] as const);
    expect(keyscan(".").status).toBe(0);
    const first = sets();
    expect(first).toHaveLength(1);
    expect(keyscan(".").status).toBe(0);
    expect(sets()).toEqual(first); // restored, not compiled and written again
    writeFileSync(join(work, "acme.yaml"), acmeRuleFile("acme_[a-z0-9]{24}", ["x = acme_abcdefghijklmnopqrstuvwx"], ["acme"]));
    expect(keyscan(".", "--rules", "acme.yaml").status).toBe(0);
    expect(sets()).toHaveLength(2);
    writeFileSync(join(work, "acme.yaml"), acmeRuleFile("acme_[a-z0-9]{20}", ["x = acme_abcdefghijklmnopqrst"], ["acme"]));
    expect(keyscan(".", "--rules", "acme.yaml").status).toBe(0);
    expect(sets()).toHaveLength(3);
  });
});
