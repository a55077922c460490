// The baseline workflow end to end through the CLI: write, filter with --baseline, regenerate without churn,
// prune stale entries, stale .keyscanignore fingerprint warnings, and the file's merge-friendly shape.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { parseBaseline } from "../../src/baseline.js";
import { fingerprint } from "../../src/engine/fingerprint.js";
import { altTextKey, cli, getimgKey, gitRepo, tempDir } from "./helpers.js";

function tree(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("keyscan baseline", { timeout: 180_000 }, () => {
  it("writes one sorted entry per fingerprint, hashes only, no line numbers or timestamps", async () => {
    const a = getimgKey();
    const b = altTextKey();
    const dir = tree({ "src/a.env": `GETIMG_API_KEY=${a}\n`, "src/b.env": `ALTTEXT_API_KEY=${b}\n`, "src/c.js": `const k = "${a}";\n` });
    const r = await cli(["baseline"], dir);
    expect(r.exitCode).toBe(0);
    const text = readFileSync(join(dir, ".keyscan-baseline.json"), "utf8");
    expect(text).not.toContain(a);
    expect(text).not.toContain(b);
    const data = JSON.parse(text);
    expect(Object.keys(data).sort()).toEqual(["about", "entries", "format", "version"]);
    for (const e of data.entries) expect(Object.keys(e)).toEqual(["fingerprint", "rule", "path"]);
    const entries = parseBaseline(text, "b");
    expect(entries).toEqual([
      { fingerprint: fingerprint("alttext-ai.api-key", b), rule: "alttext-ai.api-key", path: "src/b.env" },
      { fingerprint: fingerprint("getimg.api-key", a), rule: "getimg.api-key", path: "src/a.env" },
    ].sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : 1)));
    // One entry per line, so two branches adding secrets touch different lines.
    for (const e of entries) expect(text.split("\n").filter((l) => l.includes(e.fingerprint))).toHaveLength(1);
  });

  it("--baseline hides known secrets and reports new ones, in every format", async () => {
    const known = getimgKey();
    const dir = tree({ "a.env": `GETIMG_API_KEY=${known}\n` });
    expect((await cli(["baseline", "-o", "base.json"], dir)).exitCode).toBe(0);
    const clean = await cli([".", "--baseline", "base.json"], dir);
    expect(clean.exitCode).toBe(0);
    expect(clean.stdout).toContain("1 in the baseline");
    const fresh = altTextKey();
    writeFileSync(join(dir, "b.env"), `ALTTEXT_API_KEY=${fresh}\n`);
    for (const format of ["text", "json", "jsonl"]) {
      const r = await cli([".", "--baseline", "base.json", "--format", format], dir);
      expect(r.exitCode, format).toBe(1);
      expect(r.stdout).toContain("alttext-ai.api-key");
      expect(r.stdout).not.toContain("getimg.api-key");
    }
    const json = JSON.parse((await cli([".", "--baseline", "base.json", "-f", "json"], dir)).stdout);
    expect(json.stats.suppressed).toEqual({ baseline: 1 });
  });

  it("accepts a saved --format json report as a baseline", async () => {
    const dir = tree({ "a.env": `GETIMG_API_KEY=${getimgKey()}\n` });
    await cli([".", "-f", "json", "-o", "report.json"], dir);
    const r = await cli([".", "--baseline", "report.json"], dir);
    expect(r.exitCode).toBe(0);
  });

  it("a missing or broken baseline is a usage error (exit 2) that says what to do", async () => {
    const dir = tree({ "a.env": "nothing\n", "bad.json": '{"format":"keyscan-baseline","version":1,"entries":[{"fingerprint":"XYZ"}]}' });
    const missing = await cli([".", "--baseline", "nope.json"], dir);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json does not exist; create it with `keyscan baseline`/);
    const bad = await cli([".", "--baseline", "bad.json"], dir);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: field `entries\.0\.fingerprint`/);
  });

  it("regenerating an unchanged tree rewrites an identical file, even after the secret moved", async () => {
    const k = getimgKey();
    const dir = tree({ "a/x.env": `GETIMG_API_KEY=${k}\n` });
    await cli(["baseline"], dir);
    const first = readFileSync(join(dir, ".keyscan-baseline.json"), "utf8");
    writeFileSync(join(dir, "a/x.env"), `# moved down\n\n\nGETIMG_API_KEY=${k}\n`);
    writeFileSync(join(dir, "0-first.env"), `GETIMG_API_KEY=${k}\n`);
    const again = await cli(["baseline"], dir);
    expect(again.stderr).toContain("0 added, 0 removed");
    expect(readFileSync(join(dir, ".keyscan-baseline.json"), "utf8")).toBe(first);
  });

  it("--prune drops and lists entries whose secret is gone, and adds nothing", async () => {
    const gone = getimgKey();
    const stays = altTextKey();
    const dir = tree({ "a.env": `GETIMG_API_KEY=${gone}\n`, "b.env": `ALTTEXT_API_KEY=${stays}\n` });
    await cli(["baseline"], dir);
    writeFileSync(join(dir, "a.env"), "GETIMG_API_KEY=\n");
    writeFileSync(join(dir, "c.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
    const r = await cli(["baseline", "--prune"], dir);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`stale: ${fingerprint("getimg.api-key", gone)}  getimg.api-key  a.env\n`);
    const entries = parseBaseline(readFileSync(join(dir, ".keyscan-baseline.json"), "utf8"), "b");
    expect(entries.map((e) => e.fingerprint)).toEqual([fingerprint("alttext-ai.api-key", stays)]);
  });

  it("--prune without a baseline is a usage error", async () => {
    const dir = tree({ "a.env": "x\n" });
    const r = await cli(["baseline", "--prune"], dir);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("nothing to prune");
  });
});

describe(".keyscanignore fingerprint lines", { timeout: 180_000 }, () => {
  it("silence one rule+secret wherever it appears", async () => {
    const k = getimgKey();
    const dir = tree({ "a.env": `GETIMG_API_KEY=${k}\n`, "deep/b.js": `x = "${k}"\n` });
    writeFileSync(join(dir, ".keyscanignore"), `fingerprint:${fingerprint("getimg.api-key", k)}  # test key\n`);
    const r = await cli(["."], dir);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("a stale line is warned about on stderr after a whole-tree scan, but not after a partial one", async () => {
    const live = getimgKey();
    const stale = fingerprint("getimg.api-key", getimgKey());
    const dir = tree({ "a.env": `GETIMG_API_KEY=${live}\n`, "sub/x.txt": "nothing\n" });
    writeFileSync(join(dir, ".keyscanignore"), `fingerprint:${fingerprint("getimg.api-key", live)}\nfingerprint:${stale}\n`);
    const whole = await cli(["."], dir);
    expect(whole.exitCode).toBe(0);
    expect(whole.stderr).toContain("1 .keyscanignore fingerprint line matched nothing");
    expect(whole.stderr).toContain(`fingerprint:${stale}`);
    expect(whole.stderr).not.toContain(`fingerprint:${fingerprint("getimg.api-key", live)}`);
    const partial = await cli(["sub"], dir);
    expect(partial.stderr).toBe("");
    const stdin = await run(["-"], { cwd: dir, env: {}, stdin: Readable.from([Buffer.from("nothing\n")]) });
    expect(stdin.exitCode).toBe(0);
    expect(stdin.stderr).toBe("");
  });
});

describe("--baseline in the git modes", { timeout: 180_000 }, () => {
  it("history, diff and --staged report only secrets not in the baseline", async () => {
    const { dir, env, git } = gitRepo();
    const known = getimgKey();
    writeFileSync(join(dir, "old.env"), `GETIMG_API_KEY=${known}\n`);
    git("add", "old.env");
    git("commit", "-q", "-m", "old");
    expect((await cli(["baseline", "-o", "base.json"], dir, env)).exitCode).toBe(0);
    // A commit that adds a new secret and repeats the known one, then a staged change doing the same.
    writeFileSync(join(dir, "new.env"), `ALTTEXT_API_KEY=${altTextKey()}\nGETIMG_KEY=${known}\n`);
    git("add", "new.env");
    git("commit", "-q", "-m", "new");
    writeFileSync(join(dir, "staged.env"), `ALTTEXT_API_KEY=${altTextKey()}\nGETIMG_API_KEY=${known}\n`);
    git("add", "staged.env");
    for (const args of [["history"], ["diff", "HEAD~1..HEAD"], ["--staged"]]) {
      const r = await cli([...args, "--baseline", "base.json", "-f", "json"], dir, env);
      expect(r.exitCode, args.join(" ")).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.findings.map((f: { ruleId: string }) => f.ruleId), args.join(" ")).toEqual(["alttext-ai.api-key"]);
      expect(report.stats.suppressed.baseline, args.join(" ")).toBeGreaterThanOrEqual(1);
      // Without the baseline the known secret is reported too.
      const all = JSON.parse((await cli([...args, "-f", "json"], dir, env)).stdout);
      expect(all.findings.map((f: { ruleId: string }) => f.ruleId).sort(), args.join(" ")).toEqual(["alttext-ai.api-key", "getimg.api-key"]);
    }
  });
});
