// Issue 20: `keyscan --staged` reads keyscan's own files (.keyscanignore, the config) from the index, not the working
// tree: an unstaged `fingerprint:` line, path pattern or config `exclude` must not let a staged key through; the same
// lines staged do.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { fingerprint } from "../../src/engine/fingerprint.js";
import { loadRules, loadRulesAhead } from "../../src/engine/load-rules.js";
import { BIN, newKey, tempRepos } from "../git/repo.js";

const repo = tempRepos();

/** A repository with one commit and a getimg key staged in app.env. */
function stagedKey() {
  const r = repo();
  r.write("README.md", "# app\n");
  r.commitAll("initial");
  const key = newKey();
  r.write("app.env", `GETIMG_API_KEY=${key}\n`);
  r.git("add", "app.env");
  return { r, key };
}

describe("issue 20: --staged takes .keyscanignore and the config from the index", { timeout: 120_000 }, () => {
  it("an unstaged fingerprint line does not let a staged key through; a staged one does", async () => {
    const { r, key } = stagedKey();
    r.write(".keyscanignore", `fingerprint:${fingerprint("getimg.api-key", key)}\n`);
    const unstaged = await r.keyscan("--staged");
    expect(unstaged.exitCode, unstaged.stderr).toBe(1);
    expect(unstaged.result?.findings.map((f) => f.path)).toEqual(["app.env"]);

    r.git("add", ".keyscanignore");
    const staged = await r.keyscan("--staged");
    expect(staged.exitCode, staged.stderr).toBe(0);
    expect(staged.result?.stats.suppressed).toEqual({ ignore: 1 });

    // Staged, then taken out of the working tree: the staged line still counts.
    r.remove(".keyscanignore");
    expect((await r.keyscan("--staged")).exitCode).toBe(0);
  });

  it("unstaged path patterns and config excludes do not apply; staged ones do", async () => {
    const r = repo();
    r.write("README.md", "# app\n");
    r.commitAll("initial");
    r.write("secrets/app.env", `GETIMG_API_KEY=${newKey()}\n`);
    r.git("add", "secrets/app.env");
    r.write(".keyscanignore", "secrets/\n");
    r.write(".keyscan.yaml", "exclude: ['*.env']\n");
    expect((await r.keyscan("--staged")).exitCode).toBe(1);
    r.git("add", ".keyscan.yaml");
    expect((await r.keyscan("--staged")).exitCode).toBe(0);
    r.git("rm", "-q", "--cached", ".keyscan.yaml");
    expect((await r.keyscan("--staged")).exitCode).toBe(1);
    r.git("add", ".keyscanignore");
    expect((await r.keyscan("--staged")).exitCode).toBe(0);
  });

  it("a config only in the index that turns a rule off counts, though keyscan's own rules were read ahead", async () => {
    const { r } = stagedKey();
    const ruleIds = (out: Awaited<ReturnType<typeof r.keyscan>>): string[] => (out.result?.findings ?? []).map((f) => (f as { ruleId?: string; rule?: { id: string } }).ruleId ?? (f as { rule?: { id: string } }).rule!.id);
    expect(ruleIds(await r.keyscan("--staged"))).toContain("getimg.api-key"); // and the rule cache is warm now
    r.write(".keyscan.yaml", "disable: [getimg.api-key]\n");
    r.git("add", ".keyscan.yaml");
    r.remove(".keyscan.yaml"); // nothing on disk says a config is coming: the run reads keyscan's own rules ahead
    expect(ruleIds(await r.keyscan("--staged"))).not.toContain("getimg.api-key");
    r.git("rm", "-q", "--cached", ".keyscan.yaml");
    expect(ruleIds(await r.keyscan("--staged"))).toContain("getimg.api-key");
  });
});

describe("issue 20: keyscan's own rules read ahead (loadRulesAhead)", () => {
  it("are taken by loadRules only when it asks for exactly them", () => {
    loadRules(); // the cache of this test run (test/setup/build.ts), warm
    const ahead = loadRulesAhead();
    expect(ahead).toBeDefined();
    expect(loadRules({ ahead })).toBe(ahead!.ruleset);
    expect(ahead!.ruleset.rules.map((r) => r.id)).toEqual(loadRules().rules.map((r) => r.id));
    const extra = join(mkdtempSync(join(tmpdir(), "keyscan-ahead-")), "demo.yaml");
    writeFileSync(extra, ["provider: demo", "name: Demo", "rules:", "  - id: demo.token", "    name: Demo token", "    description: x", "    severity: high", "    secret:", "      pattern: 'demo_[a-z0-9]{24}'", "      standalone: { near: [demo], within_lines: 0 }", "    examples: ['demo_abcdefghij0123456789klmn']", "    negatives: ['demo_1']", ""].join("\n"));
    for (const other of [loadRules({ ahead, disable: ["getimg.api-key"] }), loadRules({ ahead, cacheDir: false }), loadRules({ ahead, extra: [{ path: extra }] })]) {
      expect(other).not.toBe(ahead!.ruleset);
    }
  });
});

describe("issue 20: the hook's start-up stays lean", { timeout: 60_000 }, () => {
  it("`keyscan --staged` on a clean change loads none of yargs, zod, yaml or smol-toml (the new flags and files included)", () => {
    const r = repo();
    r.write("README.md", "# app\n");
    r.git("add", "README.md");
    // A module-resolution hook, written at test time, that names the heavy dependencies as they load.
    const hook = join(r.home, "hook.mjs");
    writeFileSync(hook, `export async function resolve(s, c, next) { const r = await next(s, c); if (/node_modules\\/(yargs|zod|yaml|smol-toml)\\//.test(r.url)) process.stderr.write("LOADED " + r.url + "\\n"); return r; }\n`);
    const register = join(r.home, "register.mjs");
    writeFileSync(register, `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hook).href)});\n`);
    const out = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, BIN, "--staged"], { cwd: r.dir, env: r.env, encoding: "utf8" });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stderr.split("\n").filter((l) => l.startsWith("LOADED"))).toEqual([]);
    // The check can fail: a flag off the fast path brings yargs.
    const parsed = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, BIN, "--staged", "--quiet"], { cwd: r.dir, env: r.env, encoding: "utf8" });
    expect(parsed.stderr).toMatch(/LOADED .*node_modules\/yargs\//);
  });
});
