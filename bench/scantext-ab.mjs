#!/usr/bin/env node
/**
 * Matching cost of two builds, in one process, interleaved: `scanText` (the matcher core alone: no file walk, no
 * pool, no output) over the same sample of bench/.cache/tree files, build A and build B alternating pass by pass
 * (A B, B A, …), each pass timed as the process's CPU time (less disturbed than wall time on a shared machine). Each
 * build is a checkout with `dist/` built and its own `rules/` beside it (e.g. `git worktree add /tmp/base <commit>`,
 * then `npx tsc -p tsconfig.json && node scripts/build-stamp.mjs` there, node_modules linked).
 *
 *   node bench/scantext-ab.mjs <checkout A> <checkout B> [--mb 100] [--rounds 12] [--offset 0]
 *
 * The sample is every k-th file of the tree (k chosen for about --mb MB; --offset shifts it), files over 2 MB and
 * binary files left out. Prints each pass, the medians and min of each build, and B/A per round.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureCorpus } from "./lib/corpus.mjs";

const args = process.argv.slice(2);
const value = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const [aRoot, bRoot] = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
if (!aRoot || !bRoot) {
  console.error("usage: node bench/scantext-ab.mjs <checkout A> <checkout B> [--mb 100] [--rounds 12] [--offset 0]");
  process.exit(2);
}
const A = await import(resolve(aRoot, "dist/index.js"));
const B = await import(resolve(bRoot, "dist/index.js"));
const tree = ensureCorpus();
const files = [];
(function walk(d) {
  for (const e of readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile()) files.push(p);
  }
})(tree);
let total = 0;
for (const f of files) total += statSync(f).size;
const step = Math.max(1, Math.floor(total / (Number(value("--mb", "100")) * 1e6)));
const texts = [];
let bytes = 0;
for (let i = Number(value("--offset", "0")); i < files.length; i += step) {
  const size = statSync(files[i]).size;
  if (size === 0 || size > 2e6) continue;
  const buf = readFileSync(files[i]);
  if (buf.includes(0)) continue;
  texts.push({ path: files[i].slice(tree.length + 1), text: buf.toString("utf8") });
  bytes += size;
}
console.log(`${texts.length} files, ${(bytes / 1e6).toFixed(1)} MB (every ${step}th of ${files.length})`);
const builds = { A: [A, A.loadRules()], B: [B, B.loadRules()] };
const pass = (w) => {
  const [mod, rs] = builds[w];
  let n = 0;
  const c0 = process.cpuUsage();
  for (const { path, text } of texts) n += mod.scanText(text, rs, { path }).length;
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1e3, n];
};
for (let i = 0; i < 2; i++) for (const w of ["A", "B"]) pass(w); // warm-up: lazy rule inflation, regex compilation, JIT
const times = { A: [], B: [] };
const rounds = Number(value("--rounds", "12"));
for (let r = 0; r < rounds; r++) {
  for (const w of r % 2 === 0 ? ["A", "B"] : ["B", "A"]) {
    const [ms, n] = pass(w);
    times[w].push(ms);
    console.log(`round ${r} ${w} ${ms.toFixed(0)} ms CPU, ${n} findings`);
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const [ma, mb] = [median(times.A), median(times.B)];
const ratios = times.A.map((a, i) => times.B[i] / a);
console.log(`A median ${ma.toFixed(0)} ms (min ${Math.min(...times.A).toFixed(0)}); B median ${mb.toFixed(0)} ms (min ${Math.min(...times.B).toFixed(0)})`);
console.log(`B/A: medians ${(mb / ma).toFixed(3)}, mins ${(Math.min(...times.B) / Math.min(...times.A)).toFixed(3)}, median of per-round ratios ${median(ratios).toFixed(3)}`);
console.log(`per round: ${ratios.map((x) => x.toFixed(3)).join(" ")}`);
