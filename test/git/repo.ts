// Builds real git repositories in temp dirs for the git-source tests: isolated from the machine's git config
// (GIT_CONFIG_NOSYSTEM, an empty global config), fixed identities and commit dates so commits are reproducible,
// and helpers to run keyscan in-process or the built binary from a real hook.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import { isPlaceholder } from "../../src/engine/filters/placeholder.js";
import { generateSecret } from "../../src/engine/template.js";
import { run } from "../../src/cli/run.js";
import type { ScanResult } from "../../src/report/types.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(REPO_ROOT, "dist/cli/bin.js");

/**
 * A synthetic getimg.ai key, generated now (never a real credential). About one random key in 10,000 holds a
 * documentation marker ("xxxx" in any case: 98 in 1,000,000 draws) that the placeholder filter drops by design, so a
 * test planting it failed by chance; such a draw is made again. Three in a row would mean the filter drops random
 * keys (one in 10^12 otherwise): that throws rather than hide it.
 */
export function newKey(): string {
  for (let draw = 0; draw < 3; draw++) {
    const key = generateSecret("key-{alnum:96}");
    if (!isPlaceholder(key)) return key;
  }
  throw new Error("newKey: three random keys in a row were taken for placeholders (src/engine/filters/placeholder.ts)");
}

/** Environment without the caller's GIT_* variables (a test run inside a hook must not leak its index). */
function cleanEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_") && k !== "HUSKY") env[k] = v;
  return { ...env, HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(home, ".gitconfig"), NO_COLOR: "1", LC_ALL: "C" };
}

export class TempRepo {
  readonly dir: string;
  readonly home: string;
  private clock = Date.UTC(2024, 0, 1) / 1000;

  private constructor(readonly base: string, name = "repo") {
    this.home = join(base, "home");
    this.dir = join(base, name);
    mkdirSync(this.home, { recursive: true });
    writeFileSync(join(this.home, ".gitconfig"), "");
  }

  static create(options: { init?: boolean } = {}): TempRepo {
    const repo = new TempRepo(mkdtempSync(join(tmpdir(), "keyscan-git-")));
    mkdirSync(repo.dir);
    if (options.init !== false) {
      repo.git("init", "-q", "-b", "main");
      repo.git("config", "user.name", "Test Author");
      repo.git("config", "user.email", "author@example.test");
      repo.git("config", "commit.gpgsign", "false");
    }
    return repo;
  }

  /** A second repository in the same temp dir (e.g. a shallow clone of this one). */
  sibling(name: string): TempRepo {
    const other = new TempRepo(this.base, name);
    other.clock = this.clock;
    return other;
  }

  get env(): NodeJS.ProcessEnv {
    return cleanEnv(this.home);
  }

  /** Environment with the current fixed date (commitAll moves it one minute on). */
  private datedEnv(): NodeJS.ProcessEnv {
    const date = `@${this.clock} +0000`;
    return { ...this.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  }

  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.dir, env: this.datedEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trimEnd();
  }

  /** Run git and return status and output instead of throwing (for commands a hook may reject). */
  tryGit(...args: string[]): { status: number; stdout: string; stderr: string; output: string } {
    const r = spawnSync("git", args, { cwd: this.dir, env: this.datedEnv(), encoding: "utf8" });
    const output = `git ${args.join(" ")} -> status ${r.status} signal ${r.signal}${r.error ? ` error ${r.error.message}` : ""}\n${r.stdout}${r.stderr}`;
    return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", output };
  }

  /** Write a file; a Buffer path is a raw file name (for names that are not UTF-8). */
  write(path: string | Buffer, content: string | Buffer): void {
    if (Buffer.isBuffer(path)) {
      writeFileSync(Buffer.concat([Buffer.from(`${this.dir}/`), path]), content);
      return;
    }
    const abs = join(this.dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }

  remove(path: string): void {
    rmSync(join(this.dir, path), { force: true });
  }

  /** Stage everything and commit; returns the new commit id. */
  commitAll(message: string): string {
    this.tick();
    this.git("add", "-A");
    this.git("commit", "-q", "--no-verify", "--allow-empty", "-m", message);
    return this.head();
  }

  /** Move the commit clock one minute on (call before a commit made with `git`). */
  tick(): void {
    this.clock += 60;
  }

  head(): string {
    return this.git("rev-parse", "HEAD");
  }

  /** Run keyscan in-process with JSON output (secrets shown) and parse the result. */
  async keyscan(...argv: string[]): Promise<{ exitCode: number; result?: ScanResult; stdout: string; stderr: string }> {
    const out = await run([...argv, "--format", "json", "--no-redact"], { cwd: this.dir, env: this.env });
    let result: ScanResult | undefined;
    try {
      result = JSON.parse(out.stdout) as ScanResult;
    } catch {
      result = undefined;
    }
    return { exitCode: out.exitCode, result, stdout: out.stdout, stderr: out.stderr };
  }

  cleanup(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}

/**
 * A `repo()` factory for one test file: each call makes a fresh TempRepo, and every repo made during a test is
 * removed after it (call at the top level of the file, where vitest's afterEach applies to every test).
 */
export function tempRepos(): (options?: Parameters<typeof TempRepo.create>[0]) => TempRepo {
  let repos: TempRepo[] = [];
  afterEach(() => {
    for (const r of repos) r.cleanup();
    repos = [];
  });
  return (options) => {
    const r = TempRepo.create(options);
    repos.push(r);
    return r;
  };
}
