#!/usr/bin/env node
/**
 * `node bench/rules-scale.mjs` (issue 21, "rule count that costs nothing"): the shipped catalogue beside a simulated
 * one twice its size. The simulation is a temp copy of this package (dist/ and rules/, node_modules linked) whose
 * rules/ also holds 1,000 synthetic provider files (2,000 rules; bench/lib/synth-rules.mjs), so the extra rules are
 * keyscan's own there, as a grown catalogue would be — `--rules DIR` would also put every input in a worker under
 * the issue-19 watchdog and measure that instead. Interleaved round by round, medians with peak RSS:
 *   - a tree scan of DIR (default: typescript + three from bench/.cache/tree, ~50 MB), default threads;
 *   - `--staged` with 10 staged files (warm rule cache), beside `node -e 0`.
 *
 * Options: --runs=N (rounds, default 5)  --providers=N (synthetic providers, default 1000)  --tree=DIR[,DIR…]
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { measure } from "./lib/measure.mjs";
import { writeSynthRules } from "./lib/synth-rules.mjs";
import { makeStagedRepo } from "./lib/staged-repo.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const opts = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}; see the header of bench/rules-scale.mjs`);
    return [m[1], m[2] ?? true];
  }),
);
const runs = Number(opts.runs ?? 5);
const providers = Number(opts.providers ?? 1000);
const treeDirs = opts.tree ? String(opts.tree).split(",") : ["typescript", "three"].map((p) => join(root, "bench/.cache/tree/node_modules", p));
for (const d of treeDirs) if (!existsSync(d)) throw new Error(`${d} is missing: run \`node bench/fp.mjs\` once (it installs bench/.cache/tree) or pass --tree=DIR`);
if (!existsSync(join(root, "dist/cli/bin.js"))) throw new Error("dist/ is missing: run `npm run build` first");

const work = mkdtempSync(join(tmpdir(), "keyscan-rules-scale-"));
/** The package as shipped, and a copy with the synthetic providers among its rules. */
function simulatedPackage() {
  const pkg = join(work, "package");
  // Timestamps kept: dist/build-stamp.json counts only if no newer than the code (rule-cache.ts buildStamp).
  cpSync(join(root, "dist"), join(pkg, "dist"), { recursive: true, preserveTimestamps: true });
  cpSync(join(root, "rules"), join(pkg, "rules"), { recursive: true });
  cpSync(join(root, "package.json"), join(pkg, "package.json"));
  symlinkSync(join(root, "node_modules"), join(pkg, "node_modules"), "dir");
  const rules = writeSynthRules(join(pkg, "rules"), providers);
  return { bin: join(pkg, "dist/cli/bin.js"), rules };
}

/** A repository whose index holds a change to 10 files (as bench/startup.mjs). */
const stagedRepo = () => makeStagedRepo(root, join(work, "repo"));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const sim = simulatedPackage();
  const repo = stagedRepo();
  const shippedRules = readdirSync(join(root, "rules")).filter((f) => /\.ya?ml$/.test(f)).length;
  const catalogues = [
    { name: `shipped (${shippedRules} files)`, bin: join(root, "dist/cli/bin.js"), cache: join(work, "cache-shipped") },
    { name: `simulated (+${sim.rules} rules)`, bin: sim.bin, cache: join(work, "cache-sim") },
  ];
  const commands = [{ name: "node -e 0", args: ["-e", "0"], cwd: repo }];
  for (const c of catalogues) {
    const env = { ...process.env, KEYSCAN_CACHE_DIR: c.cache, NO_COLOR: "1" };
    commands.push({ name: `--staged, ${c.name}`, args: [c.bin, "--staged"], cwd: repo, env });
    commands.push({ name: `tree, ${c.name}`, args: [c.bin, ...treeDirs, "--no-gitignore", "--format", "json", "-o", join(work, "out.json")], cwd: work, env, tree: true });
  }
  for (const c of commands) await measure(process.execPath, c.args, { cwd: c.cwd, env: c.env }); // warm-up: rule caches
  const wall = commands.map(() => []);
  const rss = commands.map(() => []);
  const load0 = loadavg()[0];
  for (let i = 0; i < runs; i++) {
    for (const [j, c] of commands.entries()) {
      const r = await measure(process.execPath, c.args, { cwd: c.cwd, env: c.env });
      if (r.code !== 0 && r.code !== 1) throw new Error(`${c.name} exited ${r.code}: ${r.stderr}`);
      wall[j].push(r.wallS * 1000);
      rss[j].push(r.rssMB ?? NaN);
    }
  }
  const treeMB = JSON.parse(readFileSync(join(work, "out.json"), "utf8")).stats.bytes / 1e6; // from the last tree run
  console.log(`rule-count scaling, ${runs} interleaved rounds, medians (load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)})`);
  const base = median(wall[0]);
  for (const [j, c] of commands.entries()) {
    const ms = median(wall[j]);
    const extra = c.tree ? `${(treeMB / (ms / 1000)).toFixed(1)} MB/s (${treeMB.toFixed(0)} MB)` : `${(ms / base).toFixed(2)}x node -e 0`;
    console.log(`  ${c.name.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms  ${extra.padEnd(24)} peak RSS ${median(rss[j]).toFixed(0)} MB`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
