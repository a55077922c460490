// `keyscan --staged` on real repositories, including through a real pre-commit hook under `git commit`,
// `git commit -a` and `git commit <path>` (where git hands the hook a temporary index in GIT_INDEX_FILE).
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { BIN, REPO_ROOT, newKey, tempRepos, type TempRepo } from "./repo.js";

const repo = tempRepos();

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npx tsc -p .)`);
});

/** Install a pre-commit hook that runs the built keyscan on the staged changes. */
function installHook(r: TempRepo): void {
  const hook = join(r.dir, ".git", "hooks", "pre-commit");
  writeFileSync(hook, `#!/bin/sh\nexec node ${JSON.stringify(BIN)} --staged --no-color\n`);
  chmodSync(hook, 0o755);
}

function log(r: TempRepo): string[] {
  return r.git("log", "--format=%s").split("\n");
}

describe("keyscan --staged through a real pre-commit hook", () => {
  it("rejects `git commit` of a staged key, and allows it once the key is gone", () => {
    const r = repo();
    r.write("README.md", "# app\n");
    r.commitAll("initial");
    installHook(r);
    r.write("app.env", `GETIMG_API_KEY=${newKey()}\n`);
    r.git("add", "app.env");
    const rejected = r.tryGit("commit", "-m", "add key");
    expect(rejected.status, rejected.output).not.toBe(0);
    expect(rejected.stdout + rejected.stderr, rejected.output).toMatch(/app\.env:1:16/);
    expect(rejected.stderr, rejected.output).toMatch(/commit blocked/);
    expect(log(r)).toEqual(["initial"]);

    r.write("app.env", "GETIMG_API_KEY=$GETIMG_API_KEY\n");
    r.git("add", "app.env");
    const accepted = r.tryGit("commit", "-m", "placeholder only");
    expect(accepted.status, accepted.output).toBe(0);
    expect(log(r)[0]).toBe("placeholder only");
  });

  it("rejects `git commit -a` of a key in a tracked file that was never `git add`ed", () => {
    const r = repo();
    r.write("app.env", "PORT=1\n");
    r.commitAll("initial");
    installHook(r);
    r.write("app.env", `PORT=1\nGETIMG_API_KEY=${newKey()}\n`);
    const rejected = r.tryGit("commit", "-a", "-m", "add key");
    expect(rejected.status, rejected.output).not.toBe(0);
    expect(rejected.stdout + rejected.stderr, rejected.output).toMatch(/app\.env:2:16/);
    expect(log(r)).toEqual(["initial"]);
  });

  it("under `git commit <path>` checks that path's content, not what else is staged", () => {
    const r = repo();
    r.write("app.env", "PORT=1\n");
    r.write("notes.txt", "notes\n");
    r.commitAll("initial");
    installHook(r);
    // A key in app.env, committed by path without `git add`: rejected.
    r.write("app.env", `PORT=1\nGETIMG_API_KEY=${newKey()}\n`);
    const rejected = r.tryGit("commit", "-m", "by path", "app.env");
    expect(rejected.status, rejected.output).not.toBe(0);
    expect(rejected.stdout + rejected.stderr, rejected.output).toMatch(/app\.env/);
    expect(log(r)).toEqual(["initial"]);
    // The key staged in app.env is not part of a commit of notes.txt only: allowed, and app.env stays uncommitted.
    r.git("add", "app.env");
    r.write("notes.txt", "more notes\n");
    const accepted = r.tryGit("commit", "-m", "notes only", "notes.txt");
    expect(accepted.status, accepted.output).toBe(0);
    expect(r.git("show", "--name-only", "--format=", "HEAD")).toBe("notes.txt");
  });

  it("ignores a key that is only in the working tree, not staged", async () => {
    const r = repo();
    r.write("app.env", "PORT=1\n");
    r.commitAll("initial");
    installHook(r);
    r.write("app.env", "PORT=2\n");
    r.git("add", "app.env");
    r.write("app.env", `PORT=2\nGETIMG_API_KEY=${newKey()}\n`); // on disk only
    expect((await r.keyscan("--staged")).exitCode).toBe(0);
    const accepted = r.tryGit("commit", "-m", "port");
    expect(accepted.status, accepted.output).toBe(0);
    // And the reverse: a staged key that was deleted from disk afterwards is still caught.
    r.write("app.env", `PORT=3\nGETIMG_API_KEY=${newKey()}\n`);
    r.git("add", "app.env");
    r.write("app.env", "PORT=3\n");
    expect((await r.keyscan("--staged")).exitCode).toBe(1);
  });
});

describe("keyscan --staged", () => {
  it("works in a repository with no commits yet", async () => {
    const r = repo();
    const key = newKey();
    r.write("app.env", `GETIMG_API_KEY=${key}\n`);
    r.git("add", "app.env");
    const { exitCode, result } = await r.keyscan("--staged");
    expect(exitCode).toBe(1);
    expect(result!.findings.map((f) => [f.path, f.secret, f.source])).toEqual([["app.env", key, "staged"]]);
  });

  it("reports only added lines: not a key already committed, nor one in a renamed file", async () => {
    const r = repo();
    const old = newKey();
    // Enough other lines that git still sees the edited file as a rename (similarity over 50%).
    const settings = Array.from({ length: 30 }, (_, i) => `SETTING_${i}=value-${i}-of-the-configuration\n`).join("");
    r.write("app.env", `PORT=1\nGETIMG_API_KEY=${old}\n${settings}`);
    r.commitAll("existing key");
    r.write("app.env", `PORT=2\nGETIMG_API_KEY=${old}\n${settings}`);
    r.git("add", "app.env");
    expect((await r.keyscan("--staged")).exitCode).toBe(0);
    r.git("mv", "app.env", "moved.env");
    expect((await r.keyscan("--staged")).exitCode).toBe(0);
    const fresh = newKey();
    r.write("moved.env", `PORT=2\nGETIMG_API_KEY=${old}\nGETIMG_KEY=${fresh}\n${settings}`);
    r.git("add", "moved.env");
    const { exitCode, result } = await r.keyscan("--staged");
    expect(exitCode).toBe(1);
    expect(result!.findings.map((f) => [f.path, f.line, f.secret])).toEqual([["moved.env", 3, fresh]]);
  });

  it("while concluding a merge, reports what the resolution adds, not what the merged branch already committed", async () => {
    const r = repo();
    r.write("settings.txt", "mode=base\n");
    r.commitAll("base");
    r.git("checkout", "-q", "-b", "feature");
    r.write("settings.txt", "mode=feature\n");
    r.write("feature.env", `GETIMG_API_KEY=${newKey()}\n`); // committed on the branch (say, with --no-verify)
    r.commitAll("feature");
    r.git("checkout", "-q", "main");
    r.write("settings.txt", "mode=main\n");
    r.commitAll("main");
    expect(r.tryGit("merge", "-q", "feature").status).not.toBe(0); // conflict: `git commit` will conclude it
    r.write("settings.txt", "mode=merged\n");
    r.git("add", "settings.txt");
    expect((await r.keyscan("--staged")).exitCode).toBe(0);
    const added = newKey();
    r.write("settings.txt", `mode=merged\nGETIMG_API_KEY=${added}\n`);
    r.git("add", "settings.txt");
    const { exitCode, result } = await r.keyscan("--staged");
    expect(exitCode).toBe(1);
    expect(result!.findings.map((f) => [f.path, f.secret])).toEqual([["settings.txt", added]]);
  });

  it("keeps each file's earlier versions with it when a file before it is skipped (issue 20: blobs are read ahead)", async () => {
    const r = repo();
    const settings = Array.from({ length: 30 }, (_, i) => `SETTING_${i}=value-${i}-of-the-configuration\n`).join("");
    r.write("a-big.txt", `${"x".repeat(3000)}\n`);
    r.write("b.env", `PORT=1\n${settings}`);
    r.write("c.env", `PORT=1\n${settings}`);
    r.commitAll("initial");
    // Each changed file has an earlier version: the big one is over --max-file-size, so only its answer is a problem.
    r.write("a-big.txt", `${"y".repeat(3000)}\n`);
    const [k1, k2] = [newKey(), newKey()];
    r.write("b.env", `PORT=1\nGETIMG_API_KEY=${k1}\n${settings}`);
    r.git("mv", "c.env", "d.env");
    r.write("d.env", `PORT=1\n${settings.slice(0, 60)}GETIMG_API_KEY=${k2}\n${settings.slice(60)}`);
    r.git("add", "-A");
    const { exitCode, result } = await r.keyscan("--staged", "--max-file-size", "2KB");
    expect(exitCode).toBe(1);
    expect(result!.findings.map((f) => [f.path, f.line, f.secret])).toEqual([
      ["b.env", 2, k1],
      ["d.env", 3, k2],
    ]);
    expect(result!.stats.skipped).toEqual({ E_TOO_LARGE: 1 });
  });

  it("passes over deletions, binary files and submodules, and handles odd file names", async () => {
    const r = repo();
    r.write("gone.env", `GETIMG_API_KEY=${newKey()}\n`);
    r.write("keep.txt", "keep\n");
    r.commitAll("initial");
    r.git("rm", "-q", "gone.env");
    r.write("image.bin", Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(`GETIMG_API_KEY=${newKey()}`)]));
    r.git("add", "image.bin");
    r.git("update-index", "--add", "--cacheinfo", `160000,${r.head()},vendor/sub`);
    const clean = await r.keyscan("--staged");
    expect(clean.exitCode).toBe(0);
    expect(clean.result!.stats.skipped).toEqual({ E_BINARY: 1 });

    const keys = [newKey(), newKey(), newKey(), newKey()];
    const names: Array<string | Buffer> = ["with space.env", 'quote"d.env', "new\nline.env", Buffer.from([0x62, 0xff, 0x2e, 0x65, 0x6e, 0x76])];
    names.forEach((n, i) => r.write(n, `GETIMG_API_KEY=${keys[i]}\n`));
    r.git("add", "-A");
    const { exitCode, result } = await r.keyscan("--staged");
    expect(exitCode).toBe(1);
    expect(new Map(result!.findings.map((f) => [f.secret, f.path]))).toEqual(
      new Map([
        [keys[0], "with space.env"],
        [keys[1], 'quote"d.env'],
        [keys[2], "new\nline.env"],
        [keys[3], "b\uFFFD.env"],
      ]),
    );
  });

  it("honours .keyscanignore paths, and rejects paths or a missing repository clearly", async () => {
    const r = repo();
    r.write(".keyscanignore", "fixtures/\n");
    r.write("fixtures/demo.env", `GETIMG_API_KEY=${newKey()}\n`);
    r.git("add", "-A");
    expect((await r.keyscan("--staged")).exitCode).toBe(0);
    const withPath = await r.keyscan("--staged", "src");
    expect(withPath.exitCode).toBe(2);
    const outside = repo({ init: false });
    const out = await outside.keyscan("--staged");
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/not inside a git work tree/);
  });
});

describe(".pre-commit-hooks.yaml", () => {
  it("offers keyscan-staged and keyscan hooks whose entries are valid keyscan command lines", async () => {
    const hooks = parseYaml(readFileSync(join(REPO_ROOT, ".pre-commit-hooks.yaml"), "utf8")) as Array<{ id: string; entry: string; language: string }>;
    expect(hooks.map((h) => h.id).sort()).toEqual(["keyscan", "keyscan-staged"]);
    const r = repo();
    r.write("clean.txt", "nothing to see\n");
    r.git("add", "clean.txt");
    for (const h of hooks) {
      expect(h.language).toBe("node");
      const [bin, ...args] = h.entry.split(" ");
      expect(bin).toBe("keyscan");
      const files = h.id === "keyscan" ? ["clean.txt"] : [];
      const out = await r.keyscan(...args, ...files);
      expect(out.exitCode, `${h.id}: ${out.stderr}`).toBe(0);
    }
  });
});
