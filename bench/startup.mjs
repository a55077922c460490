#!/usr/bin/env node
/**
 * `npm run bench:startup` (issue 20): how long keyscan takes to start, against Node itself. For each runtime it runs,
 * interleaved round by round (so a busy machine slows every command alike), `node -e 0`, `keyscan --version` and
 * `keyscan --staged` in a repository with 10 staged files, from the release bundle (dist/bundle/keyscan.js) and from
 * the tsc build (dist/cli/bin.js), and prints the medians and their ratios to `node -e 0`. The targets: --version at
 * most 1.3x and --staged at most 2x. Wall time is spawn to exit, with keyscan's caches warm (a temp folder, filled by
 * two warm-up rounds: the first compiles the rule set, the second makes the CLI's code cache, scripts/launcher.cjs),
 * which is what a pre-commit hook sees from its third run. The bundle's `--staged` is timed as users have it, served by
 * the resident pre-commit process that the warm-up started (scripts/launcher.cjs), and again with KEYSCAN_DAEMON=off
 * (`--staged, own`), each run on its own.
 *
 * Options: --runs=N (rounds, default 21)  --node=PATH[,PATH…] (runtimes; default this one; e.g. the binaries of the
 * npm packages node@22 and node@24, see bench/README.md)  --only=bundle|dist  --against=DIR (another checkout, e.g. a
 * worktree of main with its bundle built: its dist/bundle/keyscan.js runs interleaved with this one's as `base`, for
 * before/after figures taken in the same sitting)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { makeStagedRepo } from "./lib/staged-repo.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const opts = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}; see the header of bench/startup.mjs`);
    return [m[1], m[2] ?? true];
  }),
);
const runs = Number(opts.runs ?? 21);
const runtimes = String(opts.node ?? process.execPath).split(",");
const bins = { bundle: join(root, "dist", "bundle", "keyscan.js"), dist: join(root, "dist", "cli", "bin.js") };
if (opts.against) bins.base = join(resolve(String(opts.against)), "dist", "bundle", "keyscan.js");
for (const [name, file] of Object.entries(bins)) {
  if (opts.only && opts.only !== name && name !== "base") delete bins[name];
  else if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build && npm run bundle\` first`);
}

/** A repository whose index holds a change to 10 files (keyscan's own sources: no download needed). */
const stagedRepo = () => makeStagedRepo(root, mkdtempSync(join(tmpdir(), "keyscan-startup-")));

const repo = stagedRepo();
const cacheDir = mkdtempSync(join(tmpdir(), "keyscan-startup-cache-"));
const env = { ...process.env, KEYSCAN_CACHE_DIR: cacheDir, NO_COLOR: "1" };
delete env.NODE_COMPILE_CACHE;
// The bundle's --staged as users have it: served by the resident pre-commit process (on unless KEYSCAN_DAEMON=off or
// CI is set), and beside it without one (`--staged, own`: every run starts and loads everything itself).
delete env.KEYSCAN_DAEMON;
delete env.CI;
const envOwn = { ...env, KEYSCAN_DAEMON: "off" };

const commands = [];
for (const node of runtimes) {
  commands.push({ runtime: node, name: "node -e 0", args: ["-e", "0"] });
  for (const [kind, bin] of Object.entries(bins)) {
    commands.push({ runtime: node, name: `${kind} --version`, args: [bin, "--version"], expect: 0 });
    commands.push({ runtime: node, name: `${kind} --staged`, args: [bin, "--staged"], expect: 0 });
    if (kind !== "dist") commands.push({ runtime: node, name: `${kind} --staged, own`, args: [bin, "--staged"], expect: 0, env: envOwn, untargeted: true });
  }
}

function once(c) {
  const started = process.hrtime.bigint();
  const r = spawnSync(c.runtime, c.args, { cwd: repo, env: c.env ?? env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (c.expect !== undefined && r.status !== c.expect) throw new Error(`${c.name} on ${c.runtime} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  for (let i = 0; i < 2; i++) for (const c of commands) once(c); // warm-up: rule cache, compile cache, page cache
  const times = commands.map(() => []);
  for (let i = 0; i < runs; i++) for (const [j, c] of commands.entries()) times[j].push(once(c));
  console.log(`keyscan start-up, ${runs} interleaved rounds, medians (load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} at the end)`);
  for (const node of runtimes) {
    const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
    const base = median(times[commands.findIndex((c) => c.runtime === node && c.name === "node -e 0")]);
    console.log(`\nNode ${version} (${node})`);
    console.log(`  ${"node -e 0".padEnd(21)} ${base.toFixed(1).padStart(7)} ms`);
    for (const [j, c] of commands.entries()) {
      if (c.runtime !== node || c.name === "node -e 0") continue;
      const m = median(times[j]);
      const target = c.name.endsWith("--version") ? 1.3 : 2;
      const ratio = m / base;
      const verdict = c.untargeted ? "without the resident process" : `target ${target}x${c.name.startsWith("bundle") ? (ratio <= target ? ", met" : ", NOT met") : ""}`;
      console.log(`  ${c.name.padEnd(21)} ${m.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}x node -e 0  (${verdict})`);
    }
  }
} finally {
  // The resident processes the runs started (one per runtime), so none outlives the bench.
  if (bins.bundle ?? bins.base) spawnSync(process.execPath, [bins.bundle ?? bins.base, "daemon", "stop"], { env, stdio: "ignore" });
  rmSync(repo, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
}
