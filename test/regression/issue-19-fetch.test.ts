// Issue 19, item 1: `keyscan ci` fetched with the scanned repository's own configuration, so its
// `remote.origin.uploadpack`, `core.sshCommand`, credential helper, askpass, git proxy and hooks ran, and an `ext::`
// remote URL would have run its command. Every fetch path of `keyscan ci` (new-branch push, force-push, `--deepen` on a
// shallow clone, history on a shallow clone) now runs against a clone whose .git/config points all of these at a
// script that records each call; the marker file must stay empty and the scan must still work.
import { execFileSync } from "node:child_process";
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { acceptableRemoteUrl } from "../../src/sources/git-fetch.js";
import { generateSecret } from "../../src/engine/template.js";

let root: string;
let env: NodeJS.ProcessEnv;
let marker: string;
let script: string;
let hooks: string;
const sha: Record<string, string> = {};

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A fresh clone of origin, then the hostile configuration appended to its .git/config. */
function hostileClone(name: string, options: { depth?: number; branch?: string; url?: string } = {}): string {
  const dir = join(root, name);
  git(root, "clone", "-q", ...(options.depth ? [`--depth=${options.depth}`] : []), ...(options.branch ? ["--branch", options.branch] : []), `file://${join(root, "origin.git")}`, dir);
  if (options.url) git(dir, "remote", "set-url", "origin", options.url);
  appendFileSync(
    join(dir, ".git", "config"),
    [
      '[remote "origin"]',
      `\tuploadpack = ${script} uploadpack`,
      "[core]",
      `\tsshCommand = ${script} ssh`,
      `\tgitProxy = ${script} gitproxy`,
      `\taskPass = ${script} askpass`,
      `\thooksPath = ${hooks}`,
      "[credential]",
      `\thelper = !${script} credential`,
      "[gc]",
      "\tauto = 1",
      "",
    ].join("\n"),
  );
  return dir;
}

function eventFile(name: string, payload: object): string {
  const path = join(root, `${name}.json`);
  writeFileSync(path, JSON.stringify(payload));
  return path;
}

async function ci(dir: string, eventName: string, eventPath: string | undefined, ...extra: string[]) {
  return run(["ci", "--format", "json", ...extra], { cwd: dir, env: { ...env, GITHUB_EVENT_NAME: eventName, ...(eventPath ? { GITHUB_EVENT_PATH: eventPath } : {}) } });
}

function markerText(): string {
  return existsSync(marker) ? readFileSync(marker, "utf8") : "";
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "keyscan-issue19-fetch-"));
  const home = join(root, "home");
  mkdirSync(home);
  writeFileSync(join(home, ".gitconfig"), "");
  env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_")) env[k] = v;
  Object.assign(env, {
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(home, ".gitconfig"),
    GIT_AUTHOR_NAME: "A",
    GIT_AUTHOR_EMAIL: "a@example.invalid",
    GIT_COMMITTER_NAME: "A",
    GIT_COMMITTER_EMAIL: "a@example.invalid",
  });
  marker = join(root, "marker.log");
  script = join(root, "evil.sh");
  writeFileSync(script, `#!/bin/sh\necho "$1" >> ${JSON.stringify(marker)}\nexit 1\n`);
  chmodSync(script, 0o755);
  hooks = join(root, "hooks");
  mkdirSync(hooks);
  for (const h of ["reference-transaction", "pre-auto-gc", "post-checkout", "post-merge"]) {
    writeFileSync(join(hooks, h), `#!/bin/sh\n${JSON.stringify(script)} hook-${h}\nexit 0\n`);
    chmodSync(join(hooks, h), 0o755);
  }
  git(root, "init", "-q", "--bare", "origin.git");
  const dev = join(root, "dev");
  git(root, "clone", "-q", join(root, "origin.git"), dev);
  git(dev, "checkout", "-q", "-b", "main");
  for (let i = 1; i <= 4; i++) {
    writeFileSync(join(dev, `f${i}.txt`), `line ${i}\n`);
    git(dev, "add", "-A");
    git(dev, "commit", "-q", "-m", `c${i}`);
    sha[`c${i}`] = git(dev, "rev-parse", "HEAD");
  }
  git(dev, "push", "-q", "origin", "main");
  git(dev, "checkout", "-q", "-b", "topic");
  writeFileSync(join(dev, "app.env"), `GETIMG_API_KEY=${generateSecret("key-{alnum:96}")}\n`);
  git(dev, "add", "-A");
  git(dev, "commit", "-q", "-m", "topic key");
  sha.topic = git(dev, "rev-parse", "HEAD");
  git(dev, "push", "-q", "origin", "topic");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("issue 19: keyscan ci runs nothing the scanned repository's config names, in every fetch path", () => {
  it("control: the hostile configuration is live for an ordinary git fetch", () => {
    const dir = hostileClone("control");
    try {
      git(dir, "fetch", "origin");
    } catch {
      // the fetch fails (the script exits 1): what matters is that it ran
    }
    expect(markerText()).not.toBe("");
    rmSync(marker, { force: true });
  });

  it("new-branch push (before is all zeros): fetches every remote branch", async () => {
    const dir = hostileClone("new-branch", { branch: "topic" });
    const out = await ci(dir, "push", eventFile("new-branch", { ref: "refs/heads/topic", before: "0".repeat(40), after: sha.topic, forced: false }));
    expect(markerText()).toBe("");
    expect(out.exitCode, out.stderr).toBe(1);
  });

  it("force-push: fetches every remote branch to tell dropped commits from missing history", async () => {
    const dir = hostileClone("force", { branch: "topic" });
    const out = await ci(dir, "push", eventFile("force", { ref: "refs/heads/topic", before: "1".repeat(40), after: sha.topic, forced: true }));
    expect(markerText()).toBe("");
    expect([0, 1]).toContain(out.exitCode);
  });

  it("push into a shallow clone with --deepen: fetches more history", async () => {
    const dir = hostileClone("shallow-push", { depth: 1, branch: "main" });
    const out = await ci(dir, "push", eventFile("shallow-push", { ref: "refs/heads/main", before: sha.c2, after: sha.c4, forced: false }), "--deepen");
    expect(markerText()).toBe("");
    expect(out.exitCode, out.stderr).toBe(0);
    expect(git(dir, "cat-file", "-t", sha.c2!)).toBe("commit");
  });

  it("history scan on a shallow clone: fetches the whole history", async () => {
    const dir = hostileClone("shallow-history", { depth: 1, branch: "topic" });
    const out = await ci(dir, "schedule", undefined, "--deepen");
    expect(markerText()).toBe("");
    expect(out.exitCode, out.stderr).toBe(1);
    expect(git(dir, "rev-parse", "--is-shallow-repository")).toBe("false");
  });

  it("an ssh remote uses plain ssh, never the repository's core.sshCommand", async () => {
    const dir = hostileClone("ssh", { depth: 1, branch: "main", url: "ssh://git@127.0.0.1:1/nothing.git" });
    const out = await ci(dir, "push", eventFile("ssh", { ref: "refs/heads/main", before: sha.c2, after: sha.c4, forced: false }), "--deepen");
    expect(markerText()).toBe("");
    expect(out.exitCode).toBe(2); // nothing listens there: a clear git error, not a clean scan
  });

  it("a remote URL with a transport helper (ext::, fd::) is refused before git runs", async () => {
    expect(acceptableRemoteUrl(`ext::${script} x`)).toBe(false);
    expect(acceptableRemoteUrl("fd::3")).toBe(false);
    expect(acceptableRemoteUrl("--upload-pack=x")).toBe(false);
    expect(acceptableRemoteUrl("https://github.com/o/r.git")).toBe(true);
    expect(acceptableRemoteUrl("git@github.com:o/r.git")).toBe(true);
    const dir = hostileClone("ext", { depth: 1, branch: "main", url: `ext::${script} remote-url` });
    const out = await ci(dir, "push", eventFile("ext", { ref: "refs/heads/main", before: sha.c2, after: sha.c4, forced: false }), "--deepen");
    expect(markerText()).toBe("");
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/transport keyscan does not run/);
  });
});
