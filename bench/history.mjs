#!/usr/bin/env node
// Benchmark for `keyscan history`: builds a git history reproducibly from npm (every stable eslint release from
// 4.0.0 to 8.57.1, 168 tarballs fetched with `npm pack`, each unpacked over the previous one and committed with a
// fixed date), plants three synthetic keys (one added and later removed, one kept to HEAD, one arriving through a
// merge), then measures `keyscan history` (wall time, MB/s of unique blob content, peak RSS via /usr/bin/time -v)
// next to `git cat-file --batch-all-objects --batch` over the same repository, the floor for reading it.
// Everything is cached under bench/.cache/history (git-ignored); a second run only measures.
//
// Usage: npm run build && node bench/history.mjs [--runs N]
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, CACHE, KEYS, PACKAGE, REPO, VERSIONS, buildRepo, fetchTarballs, git, gitEnv } from "./history-repo.mjs";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 2;
if (!existsSync(BIN)) {
  console.error("dist/ is missing: run `npm run build` first.");
  process.exit(2);
}

function timeRun(command, args, opts = {}) {
  const r = spawnSync("/usr/bin/time", ["-v", command, ...args], { cwd: REPO, env: gitEnv, encoding: "utf8", maxBuffer: 1 << 28, ...opts });
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  const user = Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1]);
  const sys = Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1]);
  return { status: r.status, seconds, cpu: user + sys, maxRssMB: rss ? Number(rss[1]) / 1024 : NaN, stdout: r.stdout, stderr: r.stderr };
}

fetchTarballs();
const buildStart = Date.now();
buildRepo();
const built = (Date.now() - buildStart) / 1000;

const commits = Number(git(["rev-list", "--all", "--count"]));
let blobCount = 0;
let blobBytes = 0;
for (const line of git(["cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectsize)"]).split("\n")) {
  const [type, size] = line.split(" ");
  if (type === "blob") {
    blobCount++;
    blobBytes += Number(size);
  }
}
const packBytes = Number(/size-pack: (\d+)/.exec(git(["count-objects", "-v"]))[1]) * 1024;

const best = (n, f) => Array.from({ length: n }, f).sort((a, b) => a.seconds - b.seconds)[0];
const floor = best(runs, () => timeRun("sh", ["-c", "git cat-file --batch-all-objects --batch > /dev/null"]));
const out = join(CACHE, "history-result.json");
const scan = best(runs, () => timeRun("node", [BIN, "history", "--format", "json", "--no-redact", "-o", out]));
const result = JSON.parse(readFileSync(out, "utf8"));
const found = new Map(result.findings.map((f) => [f.secret, f]));
const planted = Object.entries(KEYS).map(([name, key]) => ({ name, found: found.has(key), atHead: found.get(key)?.atHead, commit: found.get(key)?.commit?.message }));

const mb = (b) => b / 1e6;
console.log(`keyscan history benchmark — ${PACKAGE} ${VERSIONS[0]}…${VERSIONS.at(-1)} (${VERSIONS.length} releases)`);
console.log(`repo: ${commits} commits, ${blobCount} unique blobs, ${mb(blobBytes).toFixed(1)} MB unique blob content, pack ${mb(packBytes).toFixed(1)} MB${built > 1 ? ` (built in ${built.toFixed(0)} s)` : " (cached)"}`);
console.log(`floor  git cat-file --batch-all-objects --batch: ${floor.seconds.toFixed(2)} s wall (${floor.cpu.toFixed(2)} s CPU), ${(mb(blobBytes) / floor.seconds).toFixed(1)} MB/s of blob content, peak RSS ${floor.maxRssMB.toFixed(0)} MB`);
console.log(`keyscan history: ${scan.seconds.toFixed(2)} s wall (${scan.cpu.toFixed(2)} s CPU, all processes), ${(mb(result.stats.bytes) / scan.seconds).toFixed(1)} MB/s of unique blob content (${result.stats.scanned} blobs scanned, ${mb(result.stats.bytes).toFixed(1)} MB; skipped ${JSON.stringify(result.stats.skipped)}), peak RSS ${scan.maxRssMB.toFixed(0)} MB (largest single process)`);
console.log(`findings: ${result.findings.length}; planted keys: ${planted.map((p) => `${p.name} ${p.found ? `found (${p.commit}, ${p.atHead ? "at HEAD" : "not at HEAD"})` : "MISSED"}`).join("; ")}`);
const os = await import("node:os");
console.log(`best of ${runs} runs each (by wall time); machine: ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}, node ${process.version}`);
if (scan.status !== 0 && scan.status !== 1) {
  console.error(scan.stderr);
  process.exit(2);
}
if (planted.some((p) => !p.found)) process.exit(1);
