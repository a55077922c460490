// Issue 20: `keyscan --staged` reads keyscan's own files (.keyscanignore, the config) from the index, not the working
// tree: an unstaged `fingerprint:` line, path pattern or config `exclude` must not let a staged key through; the same
// lines staged do.
import { describe, expect, it } from "vitest";
import { fingerprint } from "../../src/engine/fingerprint.js";
import { newKey, tempRepos } from "../git/repo.js";

const repo = tempRepos();

describe("issue 20: --staged takes .keyscanignore and the config from the index", { timeout: 120_000 }, () => {
  it("an unstaged fingerprint line does not let a staged key through; a staged one does", async () => {
    const r = repo();
    r.write("README.md", "# app\n");
    r.commitAll("initial");
    const key = newKey();
    r.write("app.env", `GETIMG_API_KEY=${key}\n`);
    r.git("add", "app.env");
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
});
