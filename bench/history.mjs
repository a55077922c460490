#!/usr/bin/env node
// Benchmark for `keyscan history`: builds a git history reproducibly from npm (every stable eslint release from
// 4.0.0 to 8.57.1, 168 tarballs fetched with `npm pack`, each unpacked over the previous one and committed with a
// fixed date; by default also the latest patch of every typescript minor 2.0 … 5.6 under vendor/typescript, for
// ~1.5 GB of unique blob content, issue 21), plants three synthetic keys (one added and later removed, one kept to
// HEAD, one arriving through a merge), then measures `keyscan history` (wall time, MB/s of unique blob content, peak
// RSS of node — main thread and workers — and of the largest process, git included) next to
// `git cat-file --batch-all-objects --batch` over the same repository, the floor for reading it, in the same run.
// Everything is cached under bench/.cache/history (git-ignored); a second run only measures.
//
// Usage: npm run build && node bench/history.mjs [--runs N] [--small] [--threads N | N,M,…] [--bin other/dist/cli/bin.js]
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BIN, CACHE, KEYS, PACKAGE, TS_VERSIONS, VERSIONS, buildRepo, fetchTarballs, gitEnv } from "./history-repo.mjs";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 2;
const large = !process.argv.includes("--small");
const threadsAt = process.argv.indexOf("--threads");
const threadsValue = threadsAt > 0 ? process.argv[threadsAt + 1] : undefined;
// `--threads 1,2,4`: keyscan at each count after the default run, with the speed-up over the first (issue 21).
const threadList = threadsValue?.includes(",") ? threadsValue.split(",").map(Number) : undefined;
const threads = threadsValue && !threadList ? ["--threads", threadsValue] : [];
// --bin PATH: another build's dist/cli/bin.js (A/B against an earlier commit, same repository and floor).
const binAt = process.argv.indexOf("--bin");
// Resolved here: keyscan runs with the history repository as its working folder, where a relative path means nothing.
const KEYSCAN = binAt > 0 ? resolve(process.argv[binAt + 1]) : BIN;
const PEAK = fileURLToPath(new URL("./lib/peak-rss.mjs", import.meta.url));
if (!existsSync(BIN)) {
  console.error("dist/ is missing: run `npm run build` first.");
  process.exit(2);
}
if (!existsSync(KEYSCAN)) {
  console.error(`--bin ${KEYSCAN} does not exist.`);
  process.exit(2);
}

function timeRun(command, args, opts = {}) {
  const r = spawnSync("/usr/bin/time", ["-v", command, ...args], { cwd: REPO, env: gitEnv, encoding: "utf8", maxBuffer: 1 << 28, ...opts });
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  const user = Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1]);
  const sys = Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1]);
  const node = /keyscan-peak-rss-kb (\d+)/.exec(r.stderr);
  return { status: r.status, seconds, cpu: user + sys, maxRssMB: rss ? Number(rss[1]) / 1024 : NaN, nodeRssMB: node ? Number(node[1]) / 1024 : NaN, stdout: r.stdout, stderr: r.stderr };
}

fetchTarballs(large);
const buildStart = Date.now();
const REPO = buildRepo(large);
const built = (Date.now() - buildStart) / 1000;
const git = (args) => execFileSync("git", args, { cwd: REPO, env: gitEnv, encoding: "utf8", maxBuffer: 1 << 28 }).trim();

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
// The same read with the delta-base cache `keyscan history` gives its cat-file by default (src/sources/git-cat-file.ts,
// issue 21): git's own 96 MiB makes it rebuild large files' bases again and again; this is the floor keyscan reads at.
const { defaultDeltaCacheBytes } = await import(new URL("../dist/sources/git-cat-file.js", import.meta.url).href);
const os = await import("node:os");
const deltaCache = defaultDeltaCacheBytes(os.totalmem());
const cachedFloor = best(runs, () => timeRun("sh", ["-c", `git -c core.deltaBaseCacheLimit=${deltaCache} cat-file --batch-all-objects --batch > /dev/null`]));
const out = join(CACHE, "history-result.json");
// The rule cache warmed first, on an empty folder: a first run after a build compiles the rule set (1-3 s here),
// which is a cold start's cost, not the history's (as bench/run.mjs does for the tree).
const empty = mkdtempSync(join(tmpdir(), "keyscan-bench-empty-"));
spawnSync("node", [KEYSCAN, empty], { cwd: REPO, env: gitEnv, stdio: "ignore" }); // REPO: the cache is per working directory
rmSync(empty, { recursive: true, force: true });
const scan = best(runs, () => timeRun("node", ["--import", PEAK, KEYSCAN, "history", "--format", "json", "--no-redact", "-o", out, ...threads]));
const result = JSON.parse(readFileSync(out, "utf8"));
const found = new Map(result.findings.map((f) => [f.secret, f]));
const planted = Object.entries(KEYS).map(([name, key]) => ({ name, found: found.has(key), atHead: found.get(key)?.atHead, commit: found.get(key)?.commit?.message }));

const mb = (b) => b / 1e6;
console.log(`keyscan history benchmark — ${PACKAGE} ${VERSIONS[0]}…${VERSIONS.at(-1)} (${VERSIONS.length} releases)${large ? ` + typescript ${TS_VERSIONS[0]}…${TS_VERSIONS.at(-1)} (${TS_VERSIONS.length} releases)` : ""}${threads.length ? ` — keyscan ${threads.join(" ")}` : ""}`);
console.log(`repo: ${commits} commits, ${blobCount} unique blobs, ${mb(blobBytes).toFixed(1)} MB unique blob content, pack ${mb(packBytes).toFixed(1)} MB${built > 1 ? ` (built in ${built.toFixed(0)} s)` : " (cached)"}`);
console.log(`floor  git cat-file --batch-all-objects --batch: ${floor.seconds.toFixed(2)} s wall (${floor.cpu.toFixed(2)} s CPU), ${(mb(blobBytes) / floor.seconds).toFixed(1)} MB/s of blob content, peak RSS ${floor.maxRssMB.toFixed(0)} MB`);
console.log(`floor  the same with keyscan's delta-base cache (core.deltaBaseCacheLimit=${(deltaCache / 2 ** 20).toFixed(0)}MiB): ${cachedFloor.seconds.toFixed(2)} s wall (${cachedFloor.cpu.toFixed(2)} s CPU), peak RSS ${cachedFloor.maxRssMB.toFixed(0)} MB`);
console.log(`keyscan history: ${scan.seconds.toFixed(2)} s wall (${scan.cpu.toFixed(2)} s CPU, all processes), ${(mb(blobBytes) / scan.seconds).toFixed(1)} MB/s of unique blob content (${result.stats.scanned} blobs scanned, ${mb(result.stats.bytes).toFixed(1)} MB; skipped ${JSON.stringify(result.stats.skipped)}), peak RSS: node ${scan.nodeRssMB.toFixed(0)} MB, largest single process (git cat-file, its delta-base cache included) ${scan.maxRssMB.toFixed(0)} MB`);
console.log(`headline: keyscan history ${(scan.seconds / floor.seconds).toFixed(2)}× the cat-file floor (issue 21 target ≤ 1.25×; ${(scan.seconds / cachedFloor.seconds).toFixed(2)}× the floor with the same delta-base cache), node peak RSS ${scan.nodeRssMB.toFixed(0)} MB (target ≤ 256 MB)`);
if (threadList) {
  console.log(`by thread count (best of ${runs} each; ${os.cpus().length} CPUs here):`);
  let first;
  for (const n of threadList) {
    const r = best(runs, () => timeRun("node", ["--import", PEAK, KEYSCAN, "history", "--format", "json", "--no-redact", "-o", out, "--threads", String(n)]));
    first ??= r.seconds;
    console.log(`  --threads ${n}: ${r.seconds.toFixed(2)} s wall, ${(mb(blobBytes) / r.seconds).toFixed(1)} MB/s, node peak RSS ${r.nodeRssMB.toFixed(0)} MB, speed-up ${(first / r.seconds).toFixed(2)}x`);
  }
}
console.log(`findings: ${result.findings.length}; planted keys: ${planted.map((p) => `${p.name} ${p.found ? `found (${p.commit}, ${p.atHead ? "at HEAD" : "not at HEAD"})` : "MISSED"}`).join("; ")}`);
console.log(`best of ${runs} runs each (by wall time); machine: ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}, node ${process.version}`);
if (scan.status !== 0 && scan.status !== 1) {
  console.error(scan.stderr);
  process.exit(2);
}
if (planted.some((p) => !p.found)) process.exit(1);
