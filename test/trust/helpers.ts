// Shared setup for the trust tests: temp trees that clean up after themselves, synthetic secrets generated from the
// shipped rules' templates (never real keys), and the CLI called in-process with its result.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { run } from "../../src/cli/run.js";
import type { CliResult } from "../../src/cli/io.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";

const made: string[] = [];

/** A fresh temporary directory, removed after the test. */
export function tempDir(prefix = "keyscan-trust-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

afterEach(() => {
  for (const d of made.splice(0)) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // Trees deeper than PATH_MAX defeat rmSync; GNU rm walks them with openat.
      spawnSync("rm", ["-rf", d]);
    }
  }
});

let counter = 0;
/** A synthetic getimg.ai key (`key-` + 96 base62), different on every call, reproducible per run. */
export function getimgKey(seed = `getimg-${counter++}`): string {
  return generateSecret("key-{alnum:96}", seededRandom(seed));
}

/** A synthetic AltText.ai key (`atai_` + 32 base62). */
export function altTextKey(seed = `alttext-${counter++}`): string {
  return generateSecret("atai_{alnum:32}", seededRandom(seed));
}

export function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return run(args, { cwd, env: { NO_COLOR: "1", ...env } });
}
