#!/usr/bin/env node
// Benchmark for sharded and incremental history audits (issue 10), on the history benchmark's repository
// (bench/history-repo.mjs builds it: 168 eslint releases, three planted keys). Measures wall time of
// `keyscan history` as 1 shard, and as 2 and 4 shards run side by side (the slowest shard is what a CI matrix waits
// for; the merge with `keyscan report --from` is timed separately), checks the merged audit equals the unsharded one,
// then an incremental re-run with --state after one new commit (against a full rescan of the same history).
// Prints CPU count and load average: on a shared 2-core machine, shards side by side compete for the same cores.
//
// Usage: npm run build && node bench/shards.mjs [--runs N]
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { BIN, CACHE, KEYS, REPO, buildRepo, fetchTarballs, gitEnv } from "./history-repo.mjs";
import { execFileSync } from "node:child_process";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 1;
const OUT = join(CACHE, "shards");

if (!existsSync(join(REPO, ".git", "keyscan-bench-complete"))) fetchTarballs();
buildRepo();

/** Run keyscan under /usr/bin/time -v; resolves with wall seconds (measured here), CPU seconds and peak RSS. */
function timed(args, cwd) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn("/usr/bin/time", ["-v", process.execPath, BIN, ...args], { cwd, env: gitEnv, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b) => (stderr += b));
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const user = Number(/User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1]);
      const sys = Number(/System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1]);
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]) / 1024;
      if (code !== 0 && code !== 1) console.error(stderr);
      resolve({ code, seconds, cpu: user + sys, rssMB: rss, stderr });
    });
  });
}

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(" ");
const read = (f) => JSON.parse(readFileSync(f, "utf8"));
const essence = (r) =>
  JSON.stringify(
    r.findings
      .map((f) => [f.fingerprint, f.commit?.commit, f.atHead, (f.locations ?? []).map((l) => `${l.path}@${l.commit.commit}`), (f.removedIn ?? []).map((x) => `${x.path}@${x.commit.commit}`)])
      .sort(),
  );

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
console.log(`keyscan sharded history benchmark — ${os.cpus().length} CPUs, load average at start ${load()}, node ${process.version}`);

const best = async (f) => {
  let bestRun;
  for (let i = 0; i < runs; i++) {
    const r = await f();
    if (!bestRun || r.wall < bestRun.wall) bestRun = r;
  }
  return bestRun;
};

const one = await best(async () => {
  const r = await timed(["history", "--format", "json", "--no-redact", "-o", join(OUT, "full.json")], REPO);
  return { wall: r.seconds, runs: [r] };
});
const full = read(join(OUT, "full.json"));
console.log(`1 shard:  ${one.wall.toFixed(2)} s wall, ${one.runs[0].cpu.toFixed(2)} s CPU, peak RSS ${one.runs[0].rssMB.toFixed(0)} MB (${full.stats.scanned} blobs, ${(full.stats.bytes / 1e6).toFixed(1)} MB, ${full.findings.length} findings)`);

for (const n of [2, 4]) {
  const res = await best(async () => {
    const started = process.hrtime.bigint();
    const shardRuns = await Promise.all(
      Array.from({ length: n }, (_, i) => timed(["history", "--shard", `${i + 1}/${n}`, "--format", "json", "--no-redact", "-o", join(OUT, `shard-${i + 1}-of-${n}.json`)], REPO)),
    );
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    return { wall, runs: shardRuns };
  });
  const slowest = Math.max(...res.runs.map((r) => r.seconds));
  const files = Array.from({ length: n }, (_, i) => join(OUT, `shard-${i + 1}-of-${n}.json`));
  const merge = await timed(["report", ...files.flatMap((f) => ["--from", f]), "--format", "json", "--no-redact", "-o", join(OUT, `merged-${n}.json`)], REPO);
  const same = essence(read(join(OUT, `merged-${n}.json`))) === essence(full);
  const scanned = files.map((f) => read(f).stats.scanned);
  console.log(
    `${n} shards side by side: slowest shard ${slowest.toFixed(2)} s wall (shards ${res.runs.map((r) => r.seconds.toFixed(2)).join(", ")} s; CPU ${res.runs.map((r) => r.cpu.toFixed(2)).join(", ")} s; blobs ${scanned.join(" + ")}), ` +
      `merge ${merge.seconds.toFixed(2)} s; merged audit ${same ? "equals" : "DIFFERS FROM"} the unsharded one`,
  );
  if (!same) process.exitCode = 1;
}

// Incremental: a copy of the repository, a state from a full run, one new commit, then the re-run.
const work = join(OUT, "repo");
cpSync(REPO, work, { recursive: true });
const git = (args) => execFileSync("git", args, { cwd: work, env: { ...gitEnv, GIT_AUTHOR_DATE: "@1900000000 +0000", GIT_COMMITTER_DATE: "@1900000000 +0000" }, encoding: "utf8" });
const state = join(OUT, "state.json.gz");
const first = await timed(["history", "--state", state, "--format", "json", "-o", join(OUT, "inc-1.json")], work);
writeFileSync(join(work, "lib", "new-client.js"), `// new client\nconst client = new GetimgAI({ apiKey: "${KEYS.kept}" });\n`);
writeFileSync(join(work, "README.md"), `${readFileSync(join(work, "README.md"), "utf8")}\nOne more line.\n`);
git(["add", "-A"]);
git(["commit", "-q", "--no-verify", "-m", "one new commit"]);
const again = await timed(["history", "--state", state, "--format", "json", "-o", join(OUT, "inc-2.json")], work);
const rescan = await timed(["history", "--format", "json", "-o", join(OUT, "inc-full.json")], work);
const inc = read(join(OUT, "inc-2.json"));
const sameInc = essence(inc) === essence(read(join(OUT, "inc-full.json")));
console.log(`incremental: first run with --state ${first.seconds.toFixed(2)} s; after one new commit ${again.seconds.toFixed(2)} s wall, ${again.cpu.toFixed(2)} s CPU (${inc.incremental.scanned} blobs scanned, ${inc.incremental.skipped} skipped) vs full rescan ${rescan.seconds.toFixed(2)} s; audit ${sameInc ? "equals" : "DIFFERS FROM"} the full rescan's; state file ${(readFileSync(state).length / 1024).toFixed(0)} KiB (gzip)`);
if (!sameInc) process.exitCode = 1;
console.log(`best of ${runs} run(s); load average at end ${load()}`);
