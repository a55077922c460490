#!/usr/bin/env node
/**
 * `npm run pack:release` (issue 20): the package exactly as users install it, built from this checkout.
 *
 * It builds dist/ (tsc: the .d.ts files; scripts/bundle.mjs: the bundles), copies what the package holds into a
 * staging folder with a manifest for users — no scripts (nothing runs at install), no dependencies (the bundle carries
 * them, see bundle.mjs), no devDependencies — and a README whose relative links point at the repository, since the
 * docs are not in the package; then `npm pack`s that folder. Publish the tarball it prints: `npm publish <tarball>`
 * (npm runs no scripts of this checkout for a tarball; `npm publish` here is refused by `prepublishOnly`).
 *
 *   node scripts/pack.mjs [--out DIR] [--no-build]        → prints the tarball's path
 *   node scripts/pack.mjs --tag vX.Y.Z [--repo DIR] [--no-build]  → also a release tag (in DIR, default this
 *       repository): a commit on top of HEAD whose
 *       package.json and dist/ are the package's, so that installing the repository at that tag from git — the
 *       pre-commit framework, the GitHub Action — needs no build, no devDependencies and no registry.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_URL = "https://github.com/keyscan-dev/keyscan";

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** The manifest users get: the dev manifest less everything that only serves development. */
export function userManifest(dev) {
  const keep = ["name", "version", "description", "keywords", "license", "author", "repository", "homepage", "bugs", "type", "bin", "main", "types", "exports", "files", "engines"];
  const out = {};
  for (const k of keep) if (dev[k] !== undefined) out[k] = dev[k];
  return out;
}

/** README links to files of the repository made absolute (the package holds no docs/; npm shows the README). */
export function absoluteLinks(markdown, base = `${REPO_URL}/blob/main/`) {
  return markdown.replace(/(\]\()(?!https?:|mailto:|#)([^)\s]+)(\))/g, (_, open, target, close) => `${open}${base}${target.replace(/^\.\//, "")}${close}`);
}

function build() {
  const run = (file, argv) => {
    const r = spawnSync(process.execPath, [file, ...argv], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0) process.exit(r.status ?? 1);
  };
  run(join(root, "node_modules", "typescript", "bin", "tsc"), ["-p", "tsconfig.json"]);
  run(join(root, "scripts", "bundle.mjs"), []);
}

/** Copy the files the package holds (the manifest's `files`, resolved like npm: dist/bundle, the .d.ts, rules/). */
function stage(dir) {
  const dev = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(userManifest(dev), null, 2)}\n`);
  writeFileSync(join(dir, "README.md"), absoluteLinks(readFileSync(join(root, "README.md"), "utf8")));
  for (const f of ["LICENSE", "CHANGELOG.md"]) cpSync(join(root, f), join(dir, f));
  cpSync(join(root, "rules"), join(dir, "rules"), { recursive: true });
  cpSync(join(root, "dist", "bundle"), join(dir, "dist", "bundle"), { recursive: true });
  const declarations = (rel) => {
    for (const e of readdirSync(join(root, "dist", rel), { withFileTypes: true })) {
      const r = join(rel, e.name);
      if (e.isDirectory() && r !== "bundle") declarations(r);
      else if (e.isFile() && e.name.endsWith(".d.ts")) {
        mkdirSync(dirname(join(dir, "dist", r)), { recursive: true });
        cpSync(join(root, "dist", r), join(dir, "dist", r));
      }
    }
  };
  declarations("");
}

/** A commit on top of HEAD with the staged package's package.json and dist/ in its tree, tagged `tag`. */
function releaseTag(staging, tag, repo) {
  const git = (argv, env = {}) => execFileSync("git", argv, { cwd: repo, encoding: "utf8", env: { ...process.env, ...env } }).trim();
  const index = join(mkdtempSync(join(tmpdir(), "keyscan-tag-")), "index");
  try {
    const env = { GIT_INDEX_FILE: index };
    git(["read-tree", "HEAD"], env);
    git(["--work-tree", staging, "add", "-f", "--", "package.json", "dist"], env);
    const tree = git(["write-tree"], env);
    const commit = git(["commit-tree", tree, "-p", "HEAD", "-m", `Release ${tag}: package.json and dist/ as published (scripts/pack.mjs)`]);
    git(["tag", "-a", tag, "-m", `keyscan ${tag}`, commit]);
    return commit;
  } finally {
    rmSync(dirname(index), { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!args.includes("--no-build")) build();
  if (!existsSync(join(root, "dist", "bundle", "keyscan.js"))) {
    console.error("keyscan pack: dist/bundle/ is missing; run without --no-build");
    process.exit(1);
  }
  const out = resolve(opt("--out") ?? join(root, "dist", "release"));
  mkdirSync(out, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), "keyscan-pack-"));
  try {
    stage(staging);
    const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", out], { cwd: staging, encoding: "utf8" }));
    const tarball = join(out, packed[0].filename);
    const tag = opt("--tag");
    if (tag) console.error(`keyscan pack: tagged ${tag} at ${releaseTag(staging, tag, resolve(opt("--repo") ?? root)).slice(0, 12)}`);
    console.error(`keyscan pack: ${relative(process.cwd(), tarball) || tarball} (${packed[0].entryCount} files, ${(packed[0].size / 1024).toFixed(0)} KiB)`);
    console.log(tarball);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
