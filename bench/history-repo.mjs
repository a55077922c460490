// The history benchmark's repositories, shared by bench/history.mjs and bench/shards.mjs: every stable eslint release
// 4.0.0 … 8.57.1 fetched with `npm pack`, unpacked one over another and committed with fixed dates, with three
// synthetic keys planted (one added and later removed, one kept to HEAD, one arriving through a merge). Cached under
// bench/.cache/history (git-ignored). Needs dist/ (the keys come from src/engine/template.ts).
//
// Two sizes (issue 21): "small" is the eslint series alone (~97 MB of unique blob content; bench/shards.mjs), and
// "large" (bench/history.mjs's default) adds the latest patch of every typescript minor 2.0 … 5.6 under
// vendor/typescript/, one release committed after every fourth eslint release, so the history holds ~1.3 GB of
// unique blob content (each typescript release rewrites its multi-megabyte lib/*.js) in a pack of a few hundred MB.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const CACHE = join(ROOT, "bench", ".cache", "history");
export const TARBALLS = join(CACHE, "tarballs");
export const REPO = join(CACHE, "repo-eslint-v1");
/** The ≥ 1 GB history (issue 21): eslint as in REPO, plus typescript's releases under vendor/typescript. */
export const REPO_LARGE = join(CACHE, "repo-eslint-typescript-v1");
export const BIN = join(ROOT, "dist", "cli", "bin.js");
export const PACKAGE = "eslint";
// Pinned: every stable release 4.0.0 … 8.57.1, oldest first.
export const VERSIONS = `4.0.0 4.1.0 4.1.1 4.2.0 4.3.0 4.4.0 4.4.1 4.5.0 4.6.0 4.6.1 4.7.0 4.7.1 4.7.2 4.8.0 4.9.0 4.10.0 4.11.0
4.12.0 4.12.1 4.13.0 4.13.1 4.14.0 4.15.0 4.16.0 4.17.0 4.18.0 4.18.1 4.18.2 4.19.0 4.19.1 5.0.0 5.0.1 5.1.0 5.2.0 5.3.0
5.4.0 5.5.0 5.6.0 5.6.1 5.7.0 5.8.0 5.9.0 5.10.0 5.11.0 5.11.1 5.12.0 5.12.1 5.13.0 5.14.0 5.14.1 5.15.0 5.15.1 5.15.2
5.15.3 5.16.0 6.0.0 6.0.1 6.1.0 6.2.0 6.2.1 6.2.2 6.3.0 6.4.0 6.5.0 6.5.1 6.6.0 6.7.0 6.7.1 6.7.2 6.8.0 7.0.0 7.1.0 7.2.0
7.3.0 7.3.1 7.4.0 7.5.0 7.6.0 7.7.0 7.8.0 7.8.1 7.9.0 7.10.0 7.11.0 7.12.0 7.12.1 7.13.0 7.14.0 7.15.0 7.16.0 7.17.0
7.18.0 7.19.0 7.20.0 7.21.0 7.22.0 7.23.0 7.24.0 7.25.0 7.26.0 7.27.0 7.28.0 7.29.0 7.30.0 7.31.0 7.32.0 8.0.0 8.0.1
8.1.0 8.2.0 8.3.0 8.4.0 8.4.1 8.5.0 8.6.0 8.7.0 8.8.0 8.9.0 8.10.0 8.11.0 8.12.0 8.13.0 8.14.0 8.15.0 8.16.0 8.17.0
8.18.0 8.19.0 8.20.0 8.21.0 8.22.0 8.23.0 8.23.1 8.24.0 8.25.0 8.26.0 8.27.0 8.28.0 8.29.0 8.30.0 8.31.0 8.32.0 8.33.0
8.34.0 8.35.0 8.36.0 8.37.0 8.38.0 8.39.0 8.40.0 8.41.0 8.42.0 8.43.0 8.44.0 8.45.0 8.46.0 8.47.0 8.48.0 8.49.0 8.50.0
8.51.0 8.52.0 8.53.0 8.54.0 8.55.0 8.56.0 8.57.0 8.57.1`.split(/\s+/);
/** Pinned: the latest patch of every typescript minor 2.0 … 5.6, oldest first (the large repository only). */
export const TS_VERSIONS = `2.0.10 2.1.6 2.2.2 2.3.4 2.4.2 2.5.3 2.6.2 2.7.2 2.8.4 2.9.2 3.0.3 3.1.8 3.2.4 3.3.4000 3.4.5 3.5.3
3.6.5 3.7.7 3.8.3 3.9.10 4.0.8 4.1.6 4.2.4 4.3.5 4.4.4 4.5.5 4.6.4 4.7.4 4.8.4 4.9.5 5.0.4 5.1.6 5.2.2 5.3.3 5.4.5 5.5.4
5.6.3`.split(/\s+/);
/** The large repository commits the next typescript release after every TS_EVERY-th eslint release. */
const TS_EVERY = 4;

if (!existsSync(BIN)) {
  console.error("dist/ is missing: run `npm run build` first.");
  process.exit(2);
}
const { generateSecret, seededRandom } = await import(join(ROOT, "dist", "engine", "template.js"));

export const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", HOME: CACHE, LC_ALL: "C" };
for (const k of Object.keys(gitEnv)) if (k.startsWith("GIT_") && !["GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL"].includes(k)) delete gitEnv[k];
const SMALL = REPO;
export const git = (args, extraEnv = {}) => execFileSync("git", args, { cwd: REPO, env: { ...gitEnv, ...extraEnv }, encoding: "utf8", maxBuffer: 1 << 28 }).trim();

export function fetchTarballs(large = false) {
  mkdirSync(TARBALLS, { recursive: true });
  const wanted = [...VERSIONS.map((v) => [PACKAGE, v]), ...(large ? TS_VERSIONS.map((v) => ["typescript", v]) : [])];
  const missing = wanted.filter(([p, v]) => !existsSync(join(TARBALLS, `${p}-${v}.tgz`)));
  for (let i = 0; i < missing.length; i += 25) {
    const specs = missing.slice(i, i + 25).map(([p, v]) => `${p}@${v}`);
    console.error(`npm pack ${specs[0]} … ${specs.at(-1)}`);
    execFileSync("npm", ["pack", ...specs, "--pack-destination", TARBALLS, "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
  }
}

// Three synthetic keys from a fixed seed: reproducible, and never real credentials.
const rand = seededRandom("keyscan bench history");
export const KEYS = { removed: generateSecret("key-{alnum:96}", rand), kept: generateSecret("key-{alnum:96}", rand), merged: generateSecret("key-{alnum:96}", rand) };
export const PLAN = { addRemoved: 20, removeRemoved: 60, addKept: 90, branchAt: 130 };

/** Build (once) the small or the large repository; returns its path. */
export function buildRepo(large = false) {
  const REPO = large ? REPO_LARGE : SMALL;
  const git = (args, extraEnv = {}) => execFileSync("git", args, { cwd: REPO, env: { ...gitEnv, ...extraEnv }, encoding: "utf8", maxBuffer: 1 << 28 }).trim();
  if (existsSync(join(REPO, ".git", "keyscan-bench-complete"))) return REPO;
  rmSync(REPO, { recursive: true, force: true });
  mkdirSync(REPO, { recursive: true });
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.name", "Bench"]);
  git(["config", "user.email", "bench@example.test"]);
  git(["config", "gc.auto", "0"]); // no background gc racing the one at the end
  let ts = 0;
  let clock = Date.UTC(2017, 5, 1) / 1000;
  const commit = (message) => {
    clock += 86400;
    const date = `@${clock} +0000`;
    git(["add", "-A"]);
    git(["commit", "-q", "--no-verify", "--allow-empty", "-m", message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  };
  VERSIONS.forEach((v, i) => {
    for (const name of readdirSync(REPO)) if (name !== ".git" && name !== "vendor") rmSync(join(REPO, name), { recursive: true, force: true });
    execFileSync("tar", ["-xzf", join(TARBALLS, `${PACKAGE}-${v}.tgz`), "--strip-components=1", "-C", REPO]);
    if (i >= PLAN.addRemoved && i < PLAN.removeRemoved) writeFileSync(join(REPO, "deploy.env"), `NODE_ENV=production\nGETIMG_API_KEY=${KEYS.removed}\n`);
    if (i >= PLAN.addKept) writeFileSync(join(REPO, "lib", "image-client.js"), `// client\nconst client = new GetimgAI({ apiKey: "${KEYS.kept}" });\n`);
    if (i >= PLAN.branchAt + 1) writeFileSync(join(REPO, "release.sh"), `#!/bin/sh\nexport GETIMG_API_KEY=${KEYS.merged}\n`);
    commit(`${PACKAGE} ${v}`);
    if (i === PLAN.branchAt) {
      // A side branch adds a key; main merges it (the key then stays, as it does in the later versions).
      git(["checkout", "-q", "-b", "release"]);
      writeFileSync(join(REPO, "release.sh"), `#!/bin/sh\nexport GETIMG_API_KEY=${KEYS.merged}\n`);
      commit("release script");
      git(["checkout", "-q", "main"]);
      clock += 60;
      git(["merge", "-q", "--no-ff", "--no-edit", "release"], { GIT_AUTHOR_DATE: `@${clock} +0000`, GIT_COMMITTER_DATE: `@${clock} +0000` });
    }
    if (large && i % TS_EVERY === TS_EVERY - 1 && ts < TS_VERSIONS.length) {
      const dir = join(REPO, "vendor", "typescript");
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      execFileSync("tar", ["-xzf", join(TARBALLS, `typescript-${TS_VERSIONS[ts]}.tgz`), "--strip-components=1", "-C", dir]);
      commit(`typescript ${TS_VERSIONS[ts++]}`);
    }
  });
  // The large pack is delta-compressed with git's default window (--aggressive over ~1.3 GB takes far too long here).
  git(large ? ["gc", "-q", "--prune=now"] : ["gc", "-q", "--aggressive", "--prune=now"]);
  writeFileSync(join(REPO, ".git", "keyscan-bench-complete"), "");
  return REPO;
}

