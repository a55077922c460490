// Issue 21 (history near the floor): `keyscan history` gives its `git cat-file` a larger delta-base cache
// (core.deltaBaseCacheLimit) than git's 96 MiB, which halved the 1.5 GB bench history's time. What git is run with is
// checked through a stand-in `git` on PATH that logs its arguments and runs the real one.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { defaultDeltaCacheBytes, GIT_DELTA_CACHE_BYTES } from "../../src/sources/git-cat-file.js";
import { newKey, tempRepos } from "../git/repo.js";

const MiB = 1 << 20;

describe("issue 21: git's delta-base cache for history", { timeout: 60_000 }, () => {
  const repo = tempRepos();
  const bin = mkdtempSync(join(tmpdir(), "keyscan-git-log-"));
  const log = join(bin, "calls.log");
  const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
  writeFileSync(join(bin, "git"), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(realGit)} "$@"\n`);
  chmodSync(join(bin, "git"), 0o755);
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  /** `keyscan history` with the logging git first on PATH; the cat-file command lines it ran. */
  async function history(dir: string, env: NodeJS.ProcessEnv, ...flags: string[]) {
    writeFileSync(log, "");
    const out = await run(["history", "--format", "json", "--no-redact", ...flags], { cwd: dir, env: { ...env, PATH: `${bin}:${env.PATH ?? ""}` } });
    const catFiles = readFileSync(log, "utf8").split("\n").filter((l) => / cat-file --batch$/.test(l));
    return { out, catFiles };
  }

  it("is 1/16 of the machine's memory, at least git's own, at most 512 MiB", () => {
    expect(GIT_DELTA_CACHE_BYTES).toBe(96 * MiB);
    expect(defaultDeltaCacheBytes(1024 * MiB)).toBe(96 * MiB);
    expect(defaultDeltaCacheBytes(4096 * MiB)).toBe(256 * MiB);
    expect(defaultDeltaCacheBytes(24 * 1024 * MiB)).toBe(512 * MiB);
  });

  it("is passed to cat-file by default and as --git-delta-cache says; the findings are the same", async () => {
    const r = repo();
    const key = newKey();
    r.write("README.md", "# app\n");
    r.commitAll("initial");
    r.write("app.env", `GETIMG_API_KEY=${key}\n`);
    const added = r.commitAll("configure");
    r.write("app.env", "PORT=1\n");
    r.commitAll("remove the key");

    const byDefault = await history(r.dir, r.env);
    expect(byDefault.out.exitCode, byDefault.out.stderr).toBe(1);
    expect(byDefault.catFiles.length).toBeGreaterThan(0);
    for (const line of byDefault.catFiles) expect(line).toMatch(/-c core\.deltaBaseCacheLimit=\d+ cat-file --batch$/);
    const limit = Number(/deltaBaseCacheLimit=(\d+)/.exec(byDefault.catFiles[0]!)![1]);
    expect(limit).toBeGreaterThanOrEqual(96 * MiB);
    expect(limit).toBeLessThanOrEqual(512 * MiB);

    const small = await history(r.dir, r.env, "--git-delta-cache", "3MB");
    expect(small.catFiles.length).toBeGreaterThan(0);
    for (const line of small.catFiles) expect(line.endsWith(` -c core.deltaBaseCacheLimit=${3 * MiB} cat-file --batch`), line).toBe(true);
    const shape = (o: typeof byDefault) => (JSON.parse(o.out.stdout) as { findings: Array<{ path: string; secret: string; commit?: { sha?: string } }> }).findings.map((f) => [f.path, f.secret, JSON.stringify(f.commit)]);
    expect(shape(small)).toEqual(shape(byDefault));
    expect(JSON.stringify(shape(small))).toContain(added.slice(0, 12));
  });

  it("stops with exit 2 and what to fix on a value that is not a size", async () => {
    const r = repo();
    r.write("README.md", "# app\n");
    r.commitAll("initial");
    const { out } = await history(r.dir, r.env, "--git-delta-cache", "lots");
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/--git-delta-cache: "lots" is not a size/);
  });
});
