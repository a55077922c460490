// Whether a build's rule cache works across runs (bench/ab.mjs, bench/stages.mjs). A dist/ compiled by a bare `tsc`
// has no build stamp newer than its modules, and such a build keys its rule cache by a random stamp per process
// (src/engine/rule-cache.ts): every run compiles the whole catalogue (~1.2 s on the bench tree) and writes one more
// cache file. Measured against a stamped build, that looks like a 60 % slowdown of whatever was changed (issue 21:
// an A/B of Latin-1 decoding did, until the stamp was found missing).
import { existsSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** undefined when `bin` is a stamped build or not a dist/cli/bin.js; else what is wrong and what to run. */
export function unstampedBuild(bin) {
  if (basename(bin) !== "bin.js" || basename(dirname(bin)) !== "cli") return undefined; // the bundle stamps itself
  const dist = dirname(dirname(bin));
  const stamp = join(dist, "build-stamp.json");
  const module = join(dist, "engine", "rule-cache.js");
  if (!existsSync(module)) return undefined;
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(module).mtimeMs) return undefined;
  return `${bin}: ${existsSync(stamp) ? "its build stamp is older than its modules" : "it has no build stamp"} (dist/ compiled by a bare tsc, or copied), so every run would compile the rules again. Run \`node scripts/build-stamp.mjs\` in its checkout after \`npx tsc -p tsconfig.json\` (copying dist/: \`cp -rp\`, keeping times).`;
}
