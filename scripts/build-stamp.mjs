#!/usr/bin/env node
// Writes dist/build-stamp.json after the build (issue 18): a hash of keyscan's version and every source file, which
// keys the rule caches (src/engine/rule-cache.ts). A cached compiled rule set is then reused only by the build that
// compiled it, without the CLI hashing its own modules on every start. vitest's global setup
// (test/setup/build.ts) uses `sourceStamp` to tell whether dist/ is up to date with src/.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The stamp of the sources under `root`: package version, tsconfig and every file in src/, by path and bytes. */
export function sourceStamp(root = ROOT) {
  const hash = createHash("sha256");
  hash.update(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version).update("\0");
  hash.update(readFileSync(join(root, "tsconfig.json"))).update("\0");
  for (const file of files(join(root, "src")).sort()) {
    hash.update(relative(root, file).split("\\").join("/")).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 24);
}

export const STAMP_FILE = join(ROOT, "dist", "build-stamp.json");

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeFileSync(STAMP_FILE, `${JSON.stringify({ stamp: sourceStamp() })}\n`);
}
