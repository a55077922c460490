// `keyscan diff <range>` on real repositories: secrets introduced by a range, merges included; pre-existing secrets
// and renames not re-reported; a shallow clone that lacks the range is an error, never a clean result.
import { describe, expect, it } from "vitest";
import { newKey, tempRepos, type TempRepo } from "./repo.js";

const repo = tempRepos();

/** main and feature both change settings.txt; the conflict resolution adds `resolution`. Returns commit ids. */
function conflictMerge(r: TempRepo, resolution: string): { base: string; mainBefore: string; feature: string; merge: string } {
  r.write("settings.txt", "mode=base\n");
  const base = r.commitAll("base");
  r.git("checkout", "-q", "-b", "feature");
  r.write("settings.txt", "mode=feature\n");
  const feature = r.commitAll("feature side");
  r.git("checkout", "-q", "main");
  r.write("settings.txt", "mode=main\n");
  const mainBefore = r.commitAll("main side");
  r.tick();
  r.tryGit("merge", "-q", "feature");
  r.write("settings.txt", resolution);
  r.git("add", "settings.txt");
  r.git("commit", "-q", "--no-verify", "--no-edit");
  return { base, mainBefore, feature, merge: r.head() };
}

describe("keyscan diff", () => {
  it("finds a key that first appears in a merge commit's conflict resolution", async () => {
    const r = repo();
    const key = newKey();
    const c = conflictMerge(r, `mode=merged\nGETIMG_API_KEY=${key}\n`);
    for (const range of [`${c.mainBefore}..${c.merge}`, `${c.feature}..HEAD`, `${c.base}..HEAD`]) {
      const { exitCode, result } = await r.keyscan("diff", range);
      expect(exitCode, range).toBe(1);
      expect(result!.findings, range).toHaveLength(1);
      const f = result!.findings[0]!;
      expect(f.secret).toBe(key);
      expect(f.commit?.commit).toBe(c.merge);
      expect(f.commit?.author).toBe("Test Author");
      expect(f.path).toBe("settings.txt");
      expect(f.line).toBe(2);
    }
    const since = await r.keyscan("diff", "--since", c.mainBefore);
    expect(since.exitCode).toBe(1);
    expect(since.result!.findings[0]!.commit?.commit).toBe(c.merge);
  });

  it("credits a key from a merged branch to the branch's commit, once", async () => {
    const r = repo();
    const key = newKey();
    r.write("a.txt", "a\n");
    const base = r.commitAll("base");
    r.git("checkout", "-q", "-b", "feature");
    r.write("src/client.js", `const key = "${key}";\n`);
    const featureCommit = r.commitAll("feature adds key");
    r.git("checkout", "-q", "main");
    r.write("b.txt", "b\n");
    r.commitAll("main moves on");
    r.tick();
    r.git("merge", "-q", "--no-edit", "feature");
    const { result } = await r.keyscan("diff", `${base}..HEAD`);
    expect(result!.findings.map((f) => [f.commit?.commit, f.path])).toEqual([[featureCommit, "src/client.js"]]);
    // The same range from the merge's point of view: main's previous tip already lacked it, so the merge brings
    // it in, but the feature commit is in the range and gets the credit.
    const threeDot = await r.keyscan("diff", `${base}...HEAD`);
    expect(threeDot.result!.findings).toHaveLength(1);
  });

  it("does not report a key that was already there: edits around it, renames and moves", async () => {
    const r = repo();
    const key = newKey();
    r.write("app.env", `PORT=1\nGETIMG_API_KEY=${key}\n`);
    const base = r.commitAll("existing key");
    r.write("app.env", `PORT=2\nGETIMG_API_KEY=${key}\nDEBUG=1\n`);
    r.commitAll("edit around it");
    r.git("mv", "app.env", "renamed.env");
    r.commitAll("rename");
    const { exitCode, result } = await r.keyscan("diff", `${base}..HEAD`);
    expect(result!.findings).toEqual([]);
    expect(exitCode).toBe(0);
    // The whole history from the root does report it (sanity: the key is detectable).
    const fromRoot = await r.keyscan("history");
    expect(fromRoot.exitCode).toBe(1);
  });

  it("is an error (exit 2) when a shallow clone lacks the base or reaches its boundary", async () => {
    const r = repo();
    const key = newKey();
    r.write("f.txt", "0\n");
    const first = r.commitAll("c0");
    r.write("f.txt", `1\nGETIMG_API_KEY=${key}\n`);
    r.commitAll("c1");
    r.write("f.txt", `2\nGETIMG_API_KEY=${key}\n`);
    r.commitAll("c2");
    const clone = r.sibling("clone");
    r.git("clone", "-q", "--depth", "1", `file://${r.dir}`, clone.dir);

    const missing = await clone.keyscan("diff", `${first}..HEAD`);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/shallow/);
    expect(missing.stderr).toMatch(/fetch-depth: 0/);

    const relative = await clone.keyscan("diff", "HEAD~2..HEAD");
    expect(relative.exitCode).toBe(2);
    expect(relative.stderr).toMatch(/fetch-depth: 0/);

    // A clone deep enough for the range that does not reach the boundary scans normally.
    const deeper = r.sibling("deeper");
    r.git("clone", "-q", "--depth", "2", `file://${r.dir}`, deeper.dir);
    const ok = await deeper.keyscan("diff", "HEAD~1..HEAD");
    expect(ok.exitCode).toBe(0);
    const boundary = await deeper.keyscan("diff", "HEAD~2..HEAD");
    expect(boundary.exitCode).toBe(2);
  });

  it("fails clearly on a bad revision or a missing range", async () => {
    const r = repo();
    r.write("a", "a\n");
    r.commitAll("a");
    const bad = await r.keyscan("diff", "no-such-branch..HEAD");
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/no-such-branch does not name a commit/);
    const none = await r.keyscan("diff");
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/needs a range/);
    const same = await r.keyscan("diff", "HEAD..HEAD");
    expect(same.exitCode).toBe(0);
  });
});
