#!/usr/bin/env node
// Whole-run A/B of keyscan builds, interleaved: each round runs every build once, in turn, so that a noisy machine's
// drift hits them alike; prints each build's wall and CPU times and peak RSS, and per build the ratio to the first
// build, per round and its median (issue 16's whole-tree figure; bench/README "Decoding, the young generation and
// the pool's start"). Each build keeps its own rule cache (its first round compiles the rules, as a user's first run
// does; the medians mostly hide it). Needs /usr/bin/time (Debian's `time`).
//
// Usage: node bench/ab.mjs [--rounds N] [--env NAME=K=V,K=V]... NAME=path/to/bin.js ... -- <keyscan arguments>
//   e.g. node bench/ab.mjs --rounds 8 before=/tmp/old/dist/cli/bin.js main=dist/bundle/keyscan.js -- \
//          bench/.cache/tree --no-gitignore -f json
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstampedBuild } from "./lib/stamped.mjs";

const argv = process.argv.slice(2);
const dash = argv.indexOf("--");
if (dash < 0) {
  console.error("usage: node bench/ab.mjs [--rounds N] [--env NAME=K=V,...] NAME=bin.js ... -- <keyscan arguments>");
  process.exit(2);
}
const scanArgs = argv.slice(dash + 1);
let rounds = 5;
const builds = [];
const extraEnv = new Map();
for (let i = 0; i < dash; i++) {
  const a = argv[i];
  if (a === "--rounds") rounds = Number(argv[++i]);
  else if (a === "--env") {
    const [name, ...rest] = argv[++i].split("=");
    extraEnv.set(name, Object.fromEntries(rest.join("=").split(",").map((kv) => kv.split("="))));
  } else {
    const at = a.indexOf("=");
    builds.push({ name: a.slice(0, at), bin: a.slice(at + 1) });
  }
}
if (builds.length < 2 || !(rounds > 0)) {
  console.error("ab.mjs: give at least two NAME=bin.js builds and --rounds N > 0");
  process.exit(2);
}

for (const b of builds) {
  const problem = unstampedBuild(b.bin);
  if (problem) {
    console.error(`ab.mjs: ${b.name}=${problem}`);
    process.exit(2);
  }
}

const caches = mkdtempSync(join(tmpdir(), "keyscan-ab-"));
const results = new Map(builds.map((b) => [b.name, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const b of builds) {
      const env = { ...process.env, KEYSCAN_CACHE_DIR: join(caches, b.name), ...(extraEnv.get(b.name) ?? {}) };
      const run = spawnSync("/usr/bin/time", ["-f", "ab-time %e %U %S %M", process.execPath, b.bin, ...scanArgs], { env, encoding: "utf8", maxBuffer: 1 << 28 });
      const m = /ab-time ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(run.stderr ?? "");
      if (!m || (run.status !== 0 && run.status !== 1)) {
        console.error(`${b.name}: exit ${run.status}\n${(run.stderr ?? "").slice(-2000)}`);
        process.exit(2);
      }
      results.get(b.name).push({ wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMB: Math.round(Number(m[4]) / 1024) });
    }
  }
} finally {
  rmSync(caches, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f2 = (x) => x.toFixed(2);
console.log(`${rounds} interleaved rounds: ${scanArgs.join(" ")}`);
for (const [name, xs] of results) {
  const rss = xs.map((x) => x.rssMB);
  console.log(`${name.padEnd(16)} wall median ${f2(median(xs.map((x) => x.wall)))} s (${xs.map((x) => f2(x.wall)).join(" ")})  CPU median ${f2(median(xs.map((x) => x.cpu)))} s  peak RSS ${Math.min(...rss)}-${Math.max(...rss)} MB`);
}
const base = results.get(builds[0].name);
for (const b of builds.slice(1)) {
  const xs = results.get(b.name);
  const wall = xs.map((x, i) => x.wall / base[i].wall);
  const cpu = xs.map((x, i) => x.cpu / base[i].cpu);
  console.log(`${b.name} / ${builds[0].name}: wall ${median(wall).toFixed(3)} (per round ${wall.map(f2).join(" ")}), CPU ${median(cpu).toFixed(3)}`);
}
