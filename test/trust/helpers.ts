// Shared setup for the trust tests: temp trees that clean up after themselves, synthetic secrets generated from the
// shipped rules' templates (never real keys), and the CLI called in-process with its result.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * A real git repository in a temp dir, isolated from the machine's git config, with fixed identities. Returns the
 * directory, a `git(...args)` runner and the environment to run keyscan with.
 */
export function gitRepo(): { dir: string; env: NodeJS.ProcessEnv; git: (...args: string[]) => string } {
  const base = tempDir("keyscan-trust-repo-");
  const home = join(base, "home");
  const dir = join(base, "repo");
  mkdirSync(home);
  mkdirSync(dir);
  writeFileSync(join(home, ".gitconfig"), "");
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_")) env[k] = v;
  Object.assign(env, { HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(home, ".gitconfig"), NO_COLOR: "1" });
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=t@example.test", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", ...args], { cwd: dir, env, encoding: "utf8" });
  git("init", "-q");
  return { dir, env, git };
}

/** Undo the escaping a format applies (Markdown `\\_`, HTML/XML entities), so an escaped secret still counts. */
export function unescaped(text: string): string {
  return text
    .replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, "$1")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&amp;/g, "&");
}

