#!/usr/bin/env node
/**
 * npm's `prepare` (issue 20), for development only: in a checkout with its devDependencies it builds dist/ (tsc for
 * the types and the tsc build the tests run, then the release bundle) and installs the husky hook. Installed as a git
 * dependency — the pre-commit framework's `npm install -g git+file://…`, where npm gives `prepare` no devDependencies
 * (npm/cli#8440) — it builds nothing and never fails: a release tag carries the built bundle (scripts/pack.mjs --tag),
 * and for any other commit it says what to use instead. The published package has no scripts at all.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const has = (pkg) => {
  try {
    createRequire(join(root, "package.json")).resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
};
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (has("typescript") && has("esbuild")) {
  step(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"]);
  step(process.execPath, [join(root, "scripts", "build-stamp.mjs")]); // the tsc build's stamp (issue 18)
  step(process.execPath, [join(root, "scripts", "bundle.mjs")]);
} else if (!existsSync(join(root, "dist", "bundle", "keyscan.js"))) {
  console.error(
    "keyscan: installed from a git commit that is not a release tag, without devDependencies, so nothing was built and the\n" +
      "`keyscan` command will be missing. Use a release tag (e.g. `rev: v0.1.0` for pre-commit) or the npm package.",
  );
}
if (has("husky") && existsSync(join(root, ".git")) && process.env.HUSKY !== "0") {
  spawnSync(process.execPath, [join(root, "node_modules", "husky", "bin.js")], { cwd: root, stdio: "inherit" });
}
