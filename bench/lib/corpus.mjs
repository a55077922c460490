/**
 * Builds the benchmark corpus: a tree of real, secret-free code installed reproducibly from npm. The package list is
 * pinned (exact versions, `--ignore-scripts`, no lockfile drift inside one npm version), so two runs scan the same
 * bytes; it lands in bench/.cache/tree (git-ignored) and is reused when already there. Shared by the false-positive
 * benchmark (bench/fp.mjs) and the speed benchmarks, which need the same "ordinary code" input.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const CACHE_DIR = resolve(here, "..", ".cache");
export const TREE_DIR = join(CACHE_DIR, "tree");

/** Popular packages at pinned versions: compilers, SDKs, UI frameworks, utilities. A few hundred MB installed. */
export const CORPUS_PACKAGES = {
  typescript: "5.4.5",
  "aws-sdk": "2.1600.0",
  "@babel/core": "7.24.5",
  "@babel/preset-env": "7.24.5",
  "@babel/parser": "7.24.5",
  three: "0.164.1",
  "monaco-editor": "0.48.0",
  lodash: "4.17.21",
  moment: "2.30.1",
  rxjs: "7.8.1",
  "@angular/core": "17.3.8",
  "@angular/common": "17.3.8",
  "@angular/compiler": "17.3.8",
  "react-dom": "18.3.1",
  react: "18.3.1",
  webpack: "5.91.0",
  eslint: "8.57.0",
  express: "4.19.2",
  axios: "1.6.8",
  "date-fns": "3.6.0",
  "firebase-admin": "12.1.0",
  "@octokit/rest": "20.1.1",
  stripe: "15.5.0",
  jsonwebtoken: "9.0.2",
  mongodb: "6.6.1",
  pg: "8.11.5",
  prettier: "3.2.5",
};

/** Install the corpus if it is not there yet (or its package list changed); returns the tree directory. */
export function ensureCorpus({ log = console.error } = {}) {
  const manifest = { name: "keyscan-bench-corpus", private: true, version: "0.0.0", dependencies: CORPUS_PACKAGES };
  const wanted = JSON.stringify(manifest, null, 2);
  const pkgFile = join(TREE_DIR, "package.json");
  const stamp = join(TREE_DIR, ".installed");
  if (existsSync(stamp) && existsSync(pkgFile) && readFileSync(pkgFile, "utf8") === wanted) return TREE_DIR;
  mkdirSync(TREE_DIR, { recursive: true });
  writeFileSync(pkgFile, wanted);
  log(`corpus: installing ${Object.keys(CORPUS_PACKAGES).length} pinned packages into ${TREE_DIR} (first run only)…`);
  execFileSync("npm", ["install", "--prefix", TREE_DIR, "--ignore-scripts", "--no-audit", "--no-fund", "--omit=peer", "--loglevel=error"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  writeFileSync(stamp, new Date().toISOString());
  return TREE_DIR;
}
