#!/usr/bin/env node
// Where a scan's CPU goes, by pipeline stage: runs keyscan under V8's sampling profiler (`--cpu-prof`, every thread
// that matches writes its own profile) and gives each sample to the innermost frame of its stack that belongs to a
// known stage (the keyword walk's WebAssembly to the walk that called it, a regex to the windows that ran it, a
// `read` syscall to the file reader). Issue 21's sessions did this by hand with one-off scripts every time; this is
// that breakdown, the same each time, so two builds or two corpora can be set side by side. Profiling slows the run
// (~10 % at the default interval): compare shares, and wall times only from bench/ab.mjs or run.mjs. A sample's time
// is the wall time since the thread's previous sample, so it counts time a thread waited for a core: with `--threads
// 2` on 2 cores (V8's compiler and GC threads beside) every stage reads ~1.5× its one-thread figure. Profile with
// `--threads 1` to see CPU. Beside it, where /proc is, each thread's CPU: the profiles do not see V8's compiler and GC
// helper threads, which took 0.7-0.8 s of a 3.4 s scan of the bench tree (issue 21).
//
// Usage: node bench/stages.mjs [--bin dist/cli/bin.js] [--interval 200] [--top 14] [--json] -- <keyscan arguments>
// (a dist/cli/bin.js: the bundle's frames all name one file, so its stages cannot be told apart)
//   e.g. node bench/stages.mjs -- bench/.cache/tree --threads 1
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { unstampedBuild } from "./lib/stamped.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Stages by module (the file's base name in dist or in the bundle's sources), then by function where one module
 * holds two stages. Order matters only within a frame: the first rule that names it wins.
 */
const STAGES = [
  { stage: "bytes prefilter", file: "keyword-automaton.js", fn: /^occursInBytes$/ },
  { stage: "keyword walk", file: /^(interleaved-walk|keyword-automaton|dense-walk-wasm)\.js$/ },
  { stage: "selection", file: /^(prefilter|lazy-rule-set)\.js$/ },
  { stage: "decoding", file: /^(decode-bytes|mostly-ascii|utf8-wasm)\.js$/ },
  { stage: "encoded runs", file: /^(base64-runs|decode|concat|source-map)\.js$/ },
  { stage: "regex windows and runs", file: "windows.js" },
  { stage: "regex windows and runs", file: "scan-text.js", fn: /^runMatcher$/ },
  { stage: "filters and findings", file: /^(scan-text|placeholder|password|entropy|randomness|checksum|parse|inline-allow|near-words|file-context|references|sql-columns|lines|companions)\.js$/ },
  { stage: "reading files", file: /^(read-file|read-chunks|page-buffer)\.js$/ },
  { stage: "tree walk", file: /^(working-tree|ignore-rules|repo-ignore|index-files)\.js$/ },
  { stage: "rules (load, compile)", file: /^(load-rules|rule-set-image|rule-cache|compile|rule-schema|gitleaks)\.js$/ },
  { stage: "executor and pool", file: /^(index|local|pool|pool-worker|pool-worker-body|policy|heap-slack)\.js$/ },
  { stage: "scan, report, output", file: /^(scan|collect|baseline|json|sarif|text|html)\.js$/ },
];

function stageOf(frame) {
  const { functionName, url } = frame;
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)") return "idle";
  if (functionName.startsWith("RegExp: ")) return "regex windows and runs";
  const file = basename(url ?? "");
  if (!file || url.startsWith("node:")) return undefined; // Node's own frames are transparent: their caller decides
  for (const s of STAGES) {
    const fileOk = typeof s.file === "string" ? file === s.file : s.file.test(file);
    if (fileOk && (!s.fn || s.fn.test(functionName))) return s.stage;
  }
  return undefined;
}

function breakdown(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageById = new Map();
  const resolve = (id) => {
    if (stageById.has(id)) return stageById.get(id);
    const n = nodes.get(id);
    let s = stageOf(n.callFrame);
    if (s === undefined) {
      const p = parent.get(id);
      if (p === undefined) s = n.callFrame.functionName === "(program)" ? "V8 and Node (program)" : n.callFrame.url?.includes("internal/modules") ? "module loading" : "other";
      else {
        const up = resolve(p);
        // Below the root with nothing known on the way: Node's module loader, or code outside every stage.
        s = up === "other" && /internal\/(modules|bootstrap)|^node:internal\/main/.test(n.callFrame.url ?? "") ? "module loading" : up;
      }
    }
    stageById.set(id, s);
    return s;
  };
  const ms = new Map();
  const samples = profile.samples;
  for (let i = 0; i < samples.length; i++) {
    const s = resolve(samples[i]);
    ms.set(s, (ms.get(s) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  return ms;
}

/**
 * Run node with `args`; resolves with its exit status, stderr and, where /proc is, each thread's CPU read every 20 ms
 * (the last reading before it exited: a thread's final few milliseconds may be missed). The profiles sample only
 * JavaScript threads; V8's compiler and GC helpers show here (issue 21: 0.7-0.8 s of a 3.4 s tree scan).
 */
function runWatched(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
    const ticks = new Map();
    const tickHz = 100; // USER_HZ on Linux
    const look = () => {
      const tasks = `/proc/${child.pid}/task`;
      if (!existsSync(tasks)) return;
      try {
        for (const tid of readdirSync(tasks)) {
          const stat = readFileSync(`${tasks}/${tid}/stat`, "utf8");
          const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          ticks.set(tid, Number(fields[11]) + Number(fields[12])); // utime + stime
        }
      } catch {
        // the process or a thread ended between the listing and the read
      }
    };
    const timer = setInterval(look, 20);
    child.on("close", (status) => {
      clearInterval(timer);
      const main = (ticks.get(String(child.pid)) ?? 0) / tickHz;
      const other = [...ticks].filter(([tid]) => tid !== String(child.pid)).map(([, t]) => t / tickHz);
      const cpu = ticks.size > 0 ? { main, others: other.reduce((a, b) => a + b, 0), largestOther: Math.max(0, ...other) } : undefined;
      resolve({ status, stderr, cpu });
    });
  });
}

const argv = process.argv.slice(2);
const dash = argv.indexOf("--");
const opts = { bin: join(ROOT, "dist/cli/bin.js"), interval: 200, top: 14, json: false };
const own = dash < 0 ? argv : argv.slice(0, dash);
for (let i = 0; i < own.length; i++) {
  if (own[i] === "--bin") opts.bin = own[++i];
  else if (own[i] === "--interval") opts.interval = Number(own[++i]);
  else if (own[i] === "--top") opts.top = Number(own[++i]);
  else if (own[i] === "--json") opts.json = true;
  else {
    console.error(`stages.mjs: unknown option ${own[i]}\nusage: node bench/stages.mjs [--bin B] [--interval µs] [--top N] [--json] -- <keyscan arguments>`);
    process.exit(2);
  }
}
const scanArgs = dash < 0 ? ["."] : argv.slice(dash + 1);
if (!(opts.interval > 0)) {
  console.error("stages.mjs: --interval takes microseconds > 0");
  process.exit(2);
}

const unstamped = unstampedBuild(opts.bin);
if (unstamped) {
  console.error(`stages.mjs: ${unstamped}`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "keyscan-stages-"));
try {
  const started = process.hrtime.bigint();
  const run = await runWatched([...["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", String(opts.interval)], opts.bin, ...scanArgs, "-f", "json"]);
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0 && run.status !== 1) {
    console.error(`stages.mjs: keyscan exited ${run.status}: ${run.stderr.slice(-2000)}`);
    process.exit(1);
  }
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  const perThread = files.map((f) => breakdown(JSON.parse(readFileSync(join(dir, f), "utf8"))));
  const total = new Map();
  for (const t of perThread) for (const [s, v] of t) total.set(s, (total.get(s) ?? 0) + v);
  const sum = [...total.values()].reduce((a, b) => a + b, 0);
  const rows = [...total].sort((a, b) => b[1] - a[1]);
  if (opts.json) {
    console.log(JSON.stringify({ args: scanArgs, threads: files.length, wallS, sampledMs: sum, stages: Object.fromEntries(rows), ...(run.cpu ? { cpuS: run.cpu } : {}) }));
  } else {
    console.log(`keyscan ${scanArgs.join(" ")}: ${files.length} thread profile(s), ${wallS.toFixed(2)} s wall under the profiler, ${(sum / 1000).toFixed(2)} s sampled on JavaScript threads (wall time on their stacks; V8's compiler and GC helper threads are not sampled)`);
    for (const [s, v] of rows.slice(0, opts.top)) console.log(`  ${s.padEnd(26)} ${v.toFixed(0).padStart(7)} ms ${((100 * v) / sum).toFixed(1).padStart(5)} %`);
    const rest = rows.slice(opts.top).reduce((a, [, v]) => a + v, 0);
    if (rest > 0) console.log(`  ${"(the rest)".padEnd(26)} ${rest.toFixed(0).padStart(7)} ms ${((100 * rest) / sum).toFixed(1).padStart(5)} %`);
    if (run.cpu) {
      const { main, others, largestOther } = run.cpu;
      console.log(`CPU by thread (/proc): main ${main.toFixed(2)} s; the other threads ${others.toFixed(2)} s, the busiest of them ${largestOther.toFixed(2)} s (with --threads 1 they are V8's compiler and GC helpers and libuv's; else a pool worker is the busiest)`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
