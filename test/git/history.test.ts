// `keyscan history` on real repositories: attribution to the introducing commit, merge-only content, one scan per
// unique blob, every location of a secret, whether HEAD still has it, refs beyond branches, and shallow clones.
import { chmodSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newKey, tempRepos } from "./repo.js";

const repo = tempRepos();

describe("keyscan history", () => {
  it("finds a key that was committed and later deleted, attributed to the commit that introduced it", async () => {
    const r = repo();
    const key = newKey();
    r.write("README.md", "# app\n");
    r.commitAll("initial");
    r.write("config/app.env", `PORT=8080\nGETIMG_API_KEY=${key}\n`);
    const introduced = r.commitAll("add config");
    r.write("config/app.env", `PORT=9090\nGETIMG_API_KEY=${key}\n`);
    const edited = r.commitAll("change port");
    r.remove("config/app.env");
    const removed = r.commitAll("remove config");

    const { exitCode, result } = await r.keyscan("history");
    expect(exitCode).toBe(1);
    expect(result!.findings).toHaveLength(1);
    const f = result!.findings[0]!;
    expect(f.secret).toBe(key);
    expect(f.path).toBe("config/app.env");
    expect(f.line).toBe(2);
    expect(f.commit?.commit).toBe(introduced);
    expect(f.commit?.author).toBe("Test Author");
    expect(f.commit?.date).toBe("2024-01-01T00:02:00+00:00");
    expect(f.atHead).toBe(false);
    // Both versions of the file that held the key are listed, oldest first.
    expect(f.locations?.map((l) => l.commit.commit)).toEqual([introduced, edited]);
    // Editing other lines did not remove it; deleting the file did.
    expect(f.removedIn?.map((x) => [x.path, x.commit.commit])).toEqual([["config/app.env", removed]]);
  });

  it("names the commit that replaced a key (rotation) as where it was removed", async () => {
    const r = repo();
    const [oldKey, newKey2] = [newKey(), newKey()];
    r.write("app.env", `PORT=1\nGETIMG_API_KEY=${oldKey}\n`);
    const first = r.commitAll("key");
    r.write("app.env", `PORT=1\nGETIMG_API_KEY=${newKey2}\n`);
    const rotated = r.commitAll("rotate");
    const { result } = await r.keyscan("history");
    const bySecret = new Map(result!.findings.map((f) => [f.secret, f]));
    expect(bySecret.get(oldKey)?.commit?.commit).toBe(first);
    expect(bySecret.get(oldKey)?.atHead).toBe(false);
    expect(bySecret.get(oldKey)?.removedIn?.map((x) => x.commit.commit)).toEqual([rotated]);
    expect(bySecret.get(newKey2)?.commit?.commit).toBe(rotated);
    expect(bySecret.get(newKey2)?.atHead).toBe(true);
    expect(bySecret.get(newKey2)?.removedIn).toEqual([]);
  });

  it("reports a key still present at HEAD, with every path it was copied to", async () => {
    const r = repo();
    const key = newKey();
    r.write("a.env", `GETIMG_API_KEY=${key}\n`);
    const first = r.commitAll("a");
    r.write("sub/b.env", `# copy\nGETIMG_API_KEY=${key}\n`);
    const second = r.commitAll("b");
    const { result } = await r.keyscan("history");
    expect(result!.findings).toHaveLength(1);
    const f = result!.findings[0]!;
    expect(f.atHead).toBe(true);
    expect(f.commit?.commit).toBe(first);
    expect(f.locations?.map((l) => [l.path, l.commit.commit, l.line])).toEqual([
      ["a.env", first, 1],
      ["sub/b.env", second, 2],
    ]);
  });

  it("attributes a key that first appears in a merge's conflict resolution to the merge commit", async () => {
    const r = repo();
    const key = newKey();
    r.write("settings.txt", "mode=base\n");
    r.commitAll("base");
    r.git("checkout", "-q", "-b", "feature");
    r.write("settings.txt", "mode=feature\n");
    r.commitAll("feature side");
    r.git("checkout", "-q", "main");
    r.write("settings.txt", "mode=main\n");
    r.commitAll("main side");
    expect(r.tryGit("merge", "-q", "feature").status).not.toBe(0); // conflict
    r.write("settings.txt", `mode=merged\nGETIMG_API_KEY=${key}\n`);
    r.git("add", "settings.txt");
    r.git("commit", "-q", "--no-verify", "--no-edit");
    const merge = r.head();
    expect(r.git("rev-list", "--parents", "-n1", "HEAD").split(" ")).toHaveLength(3);

    const { exitCode, result } = await r.keyscan("history");
    expect(exitCode).toBe(1);
    expect(result!.findings).toHaveLength(1);
    expect(result!.findings[0]!.commit?.commit).toBe(merge);
    expect(result!.findings[0]!.secret).toBe(key);
  });

  it("credits a key merged in from a branch to the branch's commit, not to the merge", async () => {
    const r = repo();
    const key = newKey();
    r.write("a.txt", "a\n");
    r.commitAll("base");
    r.git("checkout", "-q", "-b", "feature");
    r.write("feature.env", `GETIMG_API_KEY=${key}\n`);
    const featureCommit = r.commitAll("feature adds key");
    r.git("checkout", "-q", "main");
    r.write("b.txt", "b\n");
    r.commitAll("main moves on");
    r.git("merge", "-q", "--no-edit", "feature");
    const { result } = await r.keyscan("history");
    expect(result!.findings.map((f) => f.commit?.commit)).toEqual([featureCommit]);
    expect(result!.findings[0]!.locations).toHaveLength(1);
  });

  it("scans each unique blob once, however many commits and paths share it", async () => {
    const r = repo();
    const shared = "same content in many places\n";
    for (let i = 0; i < 5; i++) {
      r.write(`copy-${i}.txt`, shared);
      r.write(`changing.txt`, `version ${i}\n`);
      r.commitAll(`commit ${i}`);
    }
    r.git("checkout", "-q", "-b", "other");
    r.write("copy-9.txt", shared);
    r.commitAll("one more copy");
    const blobs = r.git("rev-list", "--objects", "--all").split("\n").map((l) => l.split(" ")[0]!);
    const unique = new Set(blobs.filter((oid) => r.git("cat-file", "-t", oid) === "blob"));
    const { exitCode, result } = await r.keyscan("history");
    expect(exitCode).toBe(0);
    expect(result!.stats.scanned).toBe(unique.size);
    expect(unique.size).toBe(6); // shared + 5 versions of changing.txt
  });

  it("leaves remotes and stashes to --all-refs", async () => {
    const r = repo();
    const key = newKey();
    r.write("app.env", "PORT=1\n");
    r.commitAll("base");
    r.write("app.env", `PORT=1\nGETIMG_API_KEY=${key}\n`);
    r.git("stash", "-q");
    expect((await r.keyscan("history")).exitCode).toBe(0);
    const all = await r.keyscan("history", "--all-refs");
    expect(all.exitCode).toBe(1);
    expect(all.result!.findings[0]!.secret).toBe(key);
  });

  it("handles file names with spaces, quotes, newlines and non-UTF-8 bytes", async () => {
    const r = repo();
    const names: Array<string | Buffer> = ["with space.env", 'quote"d.env', "new\nline.env", Buffer.from([0x62, 0xff, 0x61, 0x64, 0x2e, 0x65, 0x6e, 0x76])];
    const keys = names.map(() => newKey());
    names.forEach((n, i) => r.write(n, `GETIMG_API_KEY=${keys[i]}\n`));
    r.commitAll("odd names");
    const { result } = await r.keyscan("history");
    const byKey = new Map(result!.findings.map((f) => [f.secret, f.path]));
    expect(byKey.get(keys[0]!)).toBe("with space.env");
    expect(byKey.get(keys[1]!)).toBe('quote"d.env');
    expect(byKey.get(keys[2]!)).toBe("new\nline.env");
    expect(byKey.get(keys[3]!)).toBe("b\uFFFDad.env"); // invalid UTF-8 shown with a replacement character
  });

  it("reports corrupt blobs (loose and packed) as unreadable inputs and goes on with the rest", async () => {
    const r = repo();
    const key = newKey();
    r.write("packed-broken.txt", `${"random-ish content ".repeat(2000)}\n`);
    r.write("b.env", `GETIMG_API_KEY=${key}\n`);
    r.commitAll("packed");
    r.git("gc", "-q");
    // Damage the packed blob's compressed data: cat-file prints its header, then dies.
    const pack = r.git("rev-parse", "--git-path", "objects/pack").trim();
    const packFile = readdirSync(join(r.dir, pack)).find((f) => f.endsWith(".pack"))!;
    const packed = r.git("rev-parse", "HEAD:packed-broken.txt");
    const line = r.git("verify-pack", "-v", join(r.dir, pack, packFile.replace(/\.pack$/, ".idx"))).split("\n").find((l) => l.startsWith(packed))!;
    const offset = Number(line.trim().split(/\s+/)[4]);
    const packPath = join(r.dir, pack, packFile);
    chmodSync(packPath, 0o644);
    const bytes = readFileSync(packPath);
    bytes.fill(0x58, offset + 8, offset + 40);
    writeFileSync(packPath, bytes);
    // And a loose object replaced by garbage: cat-file answers "missing" for it.
    r.write("loose-broken.txt", "this blob will be corrupted\n");
    r.commitAll("loose");
    const loose = r.git("rev-parse", "HEAD:loose-broken.txt");
    const looseFile = join(r.dir, ".git", "objects", loose.slice(0, 2), loose.slice(2));
    chmodSync(looseFile, 0o644);
    writeFileSync(looseFile, "not a zlib stream");

    const { exitCode, result } = await r.keyscan("history");
    expect(exitCode).toBe(1);
    expect(result!.findings.map((f) => f.secret)).toEqual([key]);
    const errors = new Map(result!.errors.map((e) => [e.path, e]));
    expect([...errors.keys()].sort()).toEqual(["loose-broken.txt", "packed-broken.txt"]);
    expect(errors.get("packed-broken.txt")!.message).toMatch(/corrupt/);
    expect(errors.get("loose-broken.txt")!.message).toMatch(/missing or corrupt/);
  });

  it("scans a bare repository (a server-side mirror)", async () => {
    const r = repo();
    const key = newKey();
    r.write("app.env", `GETIMG_API_KEY=${key}\n`);
    const introduced = r.commitAll("key");
    const bare = r.sibling("mirror.git");
    r.git("clone", "-q", "--mirror", r.dir, bare.dir);
    const out = await bare.keyscan("history");
    expect(out.exitCode).toBe(1);
    expect(out.result!.findings.map((f) => [f.secret, f.commit?.commit, f.atHead])).toEqual([[key, introduced, true]]);
    const diff = await bare.keyscan("diff", `${introduced}~0..HEAD`);
    expect(diff.exitCode).toBe(0);
  });

  it("warns that a shallow clone's history is cut off", async () => {
    const r = repo();
    for (let i = 0; i < 3; i++) {
      r.write("f.txt", `${i}\n`);
      r.commitAll(`c${i}`);
    }
    const clone = r.sibling("clone");
    r.git("clone", "-q", "--depth", "1", `file://${r.dir}`, clone.dir);
    const out = await clone.keyscan("history");
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toMatch(/shallow/);
    expect(out.result!.warnings?.join(" ")).toMatch(/shallow/);
  });

  it("is clean on a repository without commits and fails clearly outside a repository", async () => {
    const r = repo();
    expect((await r.keyscan("history")).exitCode).toBe(0);
    const notRepo = repo({ init: false });
    const out = await notRepo.keyscan("history");
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/not inside a git work tree/);
  });
});
