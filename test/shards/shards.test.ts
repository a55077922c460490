// Issue 10: deterministic shards. n = 1, 2 and 3 shards of `keyscan history` run as separate processes on a
// fixture repository (and, with --repos, on a list of three repositories, one of them cloned from a file:// URL);
// `keyscan report --from …` merges them; the merged audit must equal the unsharded one secret by secret: same
// introducing commit, HEAD status, locations, removals and refs, with no blob scanned twice. The fixture makes the
// hard cases happen: one key's versions fall into different shards (so a shard sees a "replacement" it cannot
// judge), a removed key, a rotated key, a key only on an unmerged branch.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import type { ScanResult } from "../../src/report/types.js";
import { TempRepo } from "../git/repo.js";
import { buildFixture, comparable, keyscan, readResult, type Fixture } from "./fixture.js";

let fixture: Fixture;
let others: TempRepo[] = [];

beforeAll(() => {
  fixture = buildFixture(TempRepo.create(), "one");
  others = [TempRepo.create(), TempRepo.create()];
  buildFixture(others[0]!, "two");
  buildFixture(others[1]!, "three");
  // The same key in two repositories stays two findings (one per repository).
  others[0]!.write("shared.env", `GETIMG_API_KEY=${fixture.keys.edited}\n`);
  others[0]!.commitAll("shared key");
}, 120_000);

afterAll(() => {
  fixture?.repo.cleanup();
  for (const r of others) r.cleanup();
});

async function shardedRun(cwd: string, env: NodeJS.ProcessEnv, extra: string[], n: number, outDir: string): Promise<{ shards: ScanResult[]; merged: ScanResult; stderr: string }> {
  const files = Array.from({ length: n }, (_, i) => join(outDir, `shard-${i + 1}-of-${n}.json`));
  // Side by side, as a CI matrix runs them.
  const runs = await Promise.all(files.map((file, i) => keyscan(["history", ...extra, "--shard", `${i + 1}/${n}`, "--format", "json", "--no-redact", "-o", file], cwd, env)));
  for (const r of runs) expect([0, 1], r.stderr).toContain(r.code);
  const mergedFile = join(outDir, `merged-${n}.json`);
  const merged = await keyscan(["report", ...files.flatMap((f) => ["--from", f]), "--format", "json", "--no-redact", "-o", mergedFile], cwd, env);
  expect(merged.code, merged.stderr).toBe(1);
  return { shards: files.map(readResult), merged: readResult(mergedFile), stderr: merged.stderr };
}

describe("keyscan history --shard k/n", () => {
  it("merged shards of one repository equal the unsharded audit, for n = 1, 2, 3", async () => {
    const r = fixture.repo;
    const fullFile = join(r.base, "full.json");
    const full = await keyscan(["history", "--format", "json", "--no-redact", "-o", fullFile], r.dir, r.env);
    expect(full.code, full.stderr).toBe(1);
    const unsharded = readResult(fullFile);
    // The fixture's keys are all there, with the cases the merge must get right.
    const bySecret = new Map(unsharded.findings.map((f) => [f.secret, f]));
    for (const key of Object.values(fixture.keys)) expect(bySecret.has(key)).toBe(true);
    expect(bySecret.get(fixture.keys.edited)!.removedIn).toEqual([]);
    expect(bySecret.get(fixture.keys.edited)!.locations!.length).toBeGreaterThan(3);
    expect(bySecret.get(fixture.keys.removed)!.atHead).toBe(false);
    expect(bySecret.get(fixture.keys.removed)!.removedIn!.length).toBe(1);
    expect(bySecret.get(fixture.keys.rotatedOld)!.removedIn!.length).toBe(1);
    expect(bySecret.get(fixture.keys.stale)!.atHead).toBe(false);
    expect(bySecret.get(fixture.keys.merged)!.atHead).toBe(true);
    expect(bySecret.get(fixture.keys.moved)!.locations!.map((l) => l.path)).toEqual(["zz/first.env", "aa/second.env"]);

    for (const n of [1, 2, 3]) {
      const { shards, merged } = await shardedRun(r.dir, r.env, [], n, r.base);
      expect(shards.map((s) => s.shard)).toEqual(shards.map((_, i) => expect.objectContaining({ k: i + 1, n, by: "blob" })));
      // Every unique blob scanned exactly once over the shards.
      expect(shards.reduce((s, x) => s + x.stats.scanned, 0)).toBe(unsharded.stats.scanned);
      expect(merged.stats.scanned).toBe(unsharded.stats.scanned);
      if (n > 1) expect(shards.every((s) => s.stats.scanned < unsharded.stats.scanned)).toBe(true);
      expect(comparable(merged.findings)).toEqual(comparable(unsharded.findings));
      expect(merged.history).toEqual(unsharded.history);
      expect(merged.warnings ?? []).toEqual(unsharded.warnings ?? []);
      expect(merged.merged?.shards).toBe(n);
    }
    // The edited key's versions really were split: with 3 shards more than one shard reported it.
    const three = [1, 2, 3].map((k) => readResult(join(r.base, `shard-${k}-of-3.json`)));
    expect(three.filter((s) => s.findings.some((f) => f.secret === fixture.keys.edited)).length).toBeGreaterThan(1);
  }, 240_000);

  it("merged shards of --repos (three repositories, one a file:// clone) equal the unsharded run, for n = 1, 2, 3", async () => {
    const base = fixture.repo.base;
    const list = join(base, "repos.txt");
    writeFileSync(list, `# organisation\n${fixture.repo.dir}\n\n${others[0]!.dir}/\nfile://${others[1]!.dir}/.git\n`);
    const env = fixture.repo.env;
    const extra = ["--repos", list, "--clone-dir", join(base, "clones")];
    const fullFile = join(base, "repos-full.json");
    const full = await keyscan(["history", ...extra, "--format", "json", "--no-redact", "-o", fullFile], base, env);
    expect(full.code, full.stderr).toBe(1);
    const unsharded = readResult(fullFile);
    expect(unsharded.errors).toEqual([]);
    const repos = new Set(unsharded.findings.map((f) => f.repo));
    expect(repos).toEqual(new Set([fixture.repo.dir, others[0]!.dir, `file://${others[1]!.dir}`]));
    // The key shared by two repositories is reported once per repository.
    expect(unsharded.findings.filter((f) => f.secret === fixture.keys.edited).map((f) => f.repo).sort()).toEqual([fixture.repo.dir, others[0]!.dir].sort());
    // A repository audited in a list is audited exactly as on its own (same attribution, oldest location first).
    const alone = readResult(join(base, "full.json"));
    expect(comparable(unsharded.findings.filter((f) => f.repo === fixture.repo.dir).map(({ repo: _r, ...f }) => ({ ...f, locations: f.locations!.map(({ repo: _l, ...l }) => l) })))).toEqual(comparable(alone.findings));
    for (const n of [1, 2, 3]) {
      const { shards, merged } = await shardedRun(base, env, extra, n, base);
      expect(shards.every((s) => s.shard?.by === "repository")).toBe(true);
      expect(merged.stats.scanned).toBe(unsharded.stats.scanned);
      expect(comparable(merged.findings)).toEqual(comparable(unsharded.findings));
      expect(merged.history).toEqual(unsharded.history);
    }
    // The merged audit names each secret's repository.
    const md = await run(["report", "--from", join(base, "shard-1-of-3.json"), join(base, "shard-2-of-3.json"), join(base, "shard-3-of-3.json"), "--format", "markdown"], { cwd: base, env: {} });
    expect(md.exitCode, md.stderr).toBe(1);
    for (const id of repos) expect(md.stdout).toContain(`**Repository:** \`${id}\``);
  }, 240_000);
});

describe("shard flags and merge checks", () => {
  it("rejects a malformed --shard with exit 2", async () => {
    for (const bad of ["0/2", "3/2", "2", "a/b", "1/0"]) {
      const out = await run(["history", "--shard", bad], { cwd: fixture.repo.dir, env: fixture.repo.env });
      expect(out.exitCode, bad).toBe(2);
      expect(out.stderr).toContain("--shard");
    }
    const tree = await run([".", "--shard", "5/4"], { cwd: fixture.repo.dir, env: fixture.repo.env });
    expect(tree.exitCode).toBe(2);
  });

  it("tree scans: shards of files by path merge to the unsharded scan", async () => {
    const r = fixture.repo;
    const full = await run([".", "--format", "json", "--no-redact"], { cwd: r.dir, env: r.env });
    const unsharded = JSON.parse(full.stdout) as ScanResult;
    expect(unsharded.findings.length).toBeGreaterThan(2);
    const files: string[] = [];
    let scanned = 0;
    for (let k = 1; k <= 3; k++) {
      const file = join(r.base, `tree-${k}.json`);
      await run([".", "--shard", `${k}/3`, "--format", "json", "--no-redact", "-o", file], { cwd: r.dir, env: r.env });
      scanned += readResult(file).stats.scanned;
      files.push(file);
    }
    expect(scanned).toBe(unsharded.stats.scanned);
    const merged = await run(["report", ...files.flatMap((f) => ["--from", f]), "--format", "json", "--no-redact"], { cwd: r.dir, env: r.env });
    expect(merged.exitCode, merged.stderr).toBe(1);
    expect((JSON.parse(merged.stdout) as ScanResult).findings).toEqual(unsharded.findings);
    // A shell glob gives one --from followed by the files; SARIF renders the merge like any scan.
    const sarif = await run(["report", "--from", ...files, "--format", "sarif"], { cwd: r.dir, env: r.env });
    expect(sarif.exitCode, sarif.stderr).toBe(1);
    expect((JSON.parse(sarif.stdout) as { runs: Array<{ results: unknown[] }> }).runs[0]!.results).toHaveLength(unsharded.findings.length);
  });

  it("refuses to merge shards of different keyscan or rule versions (exit 2, naming the files), warns on missing shards", async () => {
    const base = fixture.repo.base;
    const one = readResult(join(base, "shard-1-of-3.json"));
    const older = join(base, "older.json");
    writeFileSync(older, JSON.stringify({ ...one, tool: { ...one.tool, version: "0.0.1" } }));
    const out = await run(["report", "--from", join(base, "shard-2-of-3.json"), "--from", older, "--format", "json"], { cwd: base, env: {} });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain("keyscan version");
    expect(out.stderr).toContain(older);
    const otherRules = join(base, "other-rules.json");
    writeFileSync(otherRules, JSON.stringify({ ...one, rules: { ...one.rules, version: "deadbeef" } }));
    const rules = await run(["report", "--from", join(base, "shard-2-of-3.json"), "--from", otherRules], { cwd: base, env: {} });
    expect(rules.exitCode).toBe(2);
    expect(rules.stderr).toContain("rule-set version");
    const mixed = await run(["report", "--from", join(base, "shard-1-of-2.json"), "--from", join(base, "shard-2-of-3.json")], { cwd: base, env: {} });
    expect(mixed.exitCode).toBe(2);
    expect(mixed.stderr).toContain("shard count");

    const partial = await run(["report", "--from", join(base, "shard-1-of-3.json"), "--from", join(base, "shard-3-of-3.json"), "--format", "json"], { cwd: base, env: {} });
    expect(partial.stderr).toContain("shard 2 of 3 missing");
    expect((JSON.parse(partial.stdout) as ScanResult).warnings!.join("\n")).toContain("shard 2 of 3 missing");
  });
});
