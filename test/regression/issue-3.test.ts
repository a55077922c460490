// Issue 3: content that first appears in a merge commit (a conflict resolution) has no `git log -p` patch, so
// patch-based scanners miss it. keyscan's `diff` and `history` must both find it and name the merge commit.
import { afterEach, expect, it } from "vitest";
import { TempRepo, newKey } from "../git/repo.js";

let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

it("issue 3: a key written only in a merge's conflict resolution is found by diff and history", async () => {
  const r = (repo = TempRepo.create());
  const key = newKey();
  r.write("settings.txt", "mode=base\n");
  r.commitAll("base");
  r.git("checkout", "-q", "-b", "feature");
  r.write("settings.txt", "mode=feature\n");
  r.commitAll("feature");
  r.git("checkout", "-q", "main");
  r.write("settings.txt", "mode=main\n");
  const before = r.commitAll("main");
  r.tryGit("merge", "-q", "feature");
  r.write("settings.txt", `mode=both\nGETIMG_API_KEY=${key}\n`);
  r.git("add", "settings.txt");
  r.git("commit", "-q", "--no-verify", "--no-edit");
  const merge = r.head();
  // What a patch-based scan sees: git log -p prints no patch for the merge, so the key is nowhere in it.
  expect(r.git("log", "-p", "--all")).not.toContain(key);

  const diff = await r.keyscan("diff", `${before}..HEAD`);
  expect(diff.exitCode).toBe(1);
  expect(diff.result!.findings.map((f) => [f.secret, f.commit?.commit])).toEqual([[key, merge]]);
  const history = await r.keyscan("history");
  expect(history.exitCode).toBe(1);
  expect(history.result!.findings.map((f) => [f.secret, f.commit?.commit])).toEqual([[key, merge]]);
});
