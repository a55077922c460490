// vitest global setup (issue 18): tests run what they test. Many tests spawn dist/cli/bin.js or dist/ workers, so
// dist/ is rebuilt first when it is not the build of the current sources (its build stamp differs, or a bare `tsc`
// ran after the stamp was written); when it is, this costs one hash of src/. And every test process keeps rule
// caches in a temp folder of this run (KEYSCAN_CACHE_DIR), never in the user's ~/.cache/keyscan.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
// @ts-expect-error -- a plain ES module script without type declarations
import { STAMP_FILE, sourceStamp } from "../../scripts/build-stamp.mjs";

const ROOT = resolve(__dirname, "../..");

function upToDate(): boolean {
  try {
    const built = (JSON.parse(readFileSync(STAMP_FILE as string, "utf8")) as { stamp?: string }).stamp;
    // The stamp must also be newer than the build's output (the CLI ignores an older one: src/engine/rule-cache.ts).
    const fresh = statSync(STAMP_FILE as string).mtimeMs >= statSync(join(ROOT, "dist/engine/rule-cache.js")).mtimeMs;
    return fresh && built === (sourceStamp as (root: string) => string)(ROOT);
  } catch {
    return false;
  }
}

function bundleFresh(): boolean {
  try {
    return statSync(join(ROOT, "dist/bundle/cli.cjs")).mtimeMs >= statSync(STAMP_FILE as string).mtimeMs;
  } catch {
    return false;
  }
}

export default function setup(): () => void {
  if (!upToDate()) {
    console.log("[keyscan tests] dist/ is not the build of src/: npm run build");
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  }
  // The release bundle (dist/bundle, issue 20), which the Action and rehearsal tests run, is rebuilt when it is
  // older than the build stamp, so it too is the build of the current sources.
  if (!bundleFresh()) {
    console.log("[keyscan tests] dist/bundle is older than dist/: npm run bundle");
    execFileSync("npm", ["run", "bundle"], { cwd: ROOT, stdio: "inherit" });
  }
  const cache = mkdtempSync(join(tmpdir(), "keyscan-test-cache-"));
  process.env.KEYSCAN_CACHE_DIR = cache;
  // No resident pre-commit process (issue 20) outlives a test: the tests of it turn it on and stop what they start.
  process.env.KEYSCAN_DAEMON = "off";
  return () => rmSync(cache, { recursive: true, force: true });
}
