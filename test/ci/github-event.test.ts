// The GitHub Action's range logic (src/ci/github-event.ts) on recorded event payloads (test/ci/events/*.json, the
// shape GitHub writes to GITHUB_EVENT_PATH, with commit ids filled in) against real repositories built in temp dirs:
// an "origin" bare repo, a developer clone that pushes to it, and fresh clones standing in for actions/checkout
// (full, or `--depth 1` over file:// for the shallow cases).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRunner } from "../../src/ci/git-runner.js";
import { planScan, type CiMode, type GithubEvent } from "../../src/ci/github-event.js";
import { KeyscanError } from "../../src/errors.js";

const EVENTS = resolve(__dirname, "events");
let root: string;
let env: NodeJS.ProcessEnv;
let originUrl: string;
let dev: string;
const sha: Record<string, string> = {};
let tick = 0;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function commit(name: string, file: string, text: string): string {
  writeFileSync(join(dev, file), text);
  git(dev, "add", file);
  tick++;
  const date = `2026-01-01T00:${String(tick).padStart(2, "0")}:00Z`;
  execFileSync("git", ["commit", "-q", "-m", name], { cwd: dev, env: { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } });
  sha[name] = git(dev, "rev-parse", "HEAD");
  return sha[name]!;
}

/** A fresh clone of origin as actions/checkout would make it (`depth` 1 = the default shallow checkout). */
function checkout(name: string, options: { branch?: string; depth?: number } = {}): string {
  const dir = join(root, name);
  const args = ["clone", "-q", ...(options.depth ? [`--depth=${options.depth}`] : []), ...(options.branch ? ["--branch", options.branch] : []), originUrl, dir];
  git(root, ...args);
  return dir;
}

/** A recorded payload with the commit ids of this run filled in. */
function event(file: string, values: Record<string, string>): GithubEvent {
  const text = readFileSync(join(EVENTS, file), "utf8").replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in values)) throw new Error(`no value for {{${k}}} in ${file}`);
    return values[k]!;
  });
  return JSON.parse(text) as GithubEvent;
}

function plan(dir: string, eventName: string, ev: GithubEvent, options: { deepen?: boolean; mode?: CiMode } = {}) {
  const notes: string[] = [];
  return planScan(gitRunner(dir, env), { eventName, event: ev, mode: options.mode ?? "auto", deepen: options.deepen ?? false, remote: "origin", log: (l) => notes.push(l) }).then((p) => ({ ...p, notes }));
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "keyscan-ci-"));
  env = {
    PATH: process.env.PATH,
    HOME: root,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Dev",
    GIT_AUTHOR_EMAIL: "dev@example.invalid",
    GIT_COMMITTER_NAME: "Dev",
    GIT_COMMITTER_EMAIL: "dev@example.invalid",
  };
  git(root, "init", "-q", "--bare", "-b", "main", "origin.git");
  originUrl = `file://${join(root, "origin.git")}`;
  git(root, "clone", "-q", originUrl, "dev");
  dev = join(root, "dev");
  git(dev, "checkout", "-q", "-b", "main");
  commit("c1", "a.txt", "one\n");
  commit("c2", "a.txt", "one\ntwo\n");
  git(dev, "push", "-q", "origin", "main");
  // feature branches off c1 while main moves on.
  git(dev, "checkout", "-q", "-b", "feature", sha.c1!);
  commit("f1", "f.txt", "feature 1\n");
  commit("f2", "f.txt", "feature 2\n");
  git(dev, "push", "-q", "origin", "feature");
  git(dev, "checkout", "-q", "main");
  commit("c3", "a.txt", "one\ntwo\nthree\n");
  git(dev, "push", "-q", "origin", "main");
  // A new branch off c3 with two commits, and one with none.
  git(dev, "checkout", "-q", "-b", "topic");
  commit("t1", "t.txt", "topic 1\n");
  commit("t2", "t.txt", "topic 2\n");
  git(dev, "push", "-q", "origin", "topic");
  git(dev, "push", "-q", "origin", `${sha.c3}:refs/heads/empty`);
  // Then feature is force-pushed: f2 is replaced by f2b, and origin drops f2 for good.
  git(dev, "checkout", "-q", "feature");
  git(dev, "reset", "-q", "--hard", sha.f1!);
  commit("f2b", "f.txt", "feature 2, rewritten\n");
  git(dev, "push", "-q", "-f", "origin", "feature");
  git(root, "--git-dir=origin.git", "reflog", "expire", "--expire=now", "--all");
  git(root, "--git-dir=origin.git", "gc", "-q", "--prune=now");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("pull_request", () => {
  it("scans merge-base(base, head)..head, not what main gained since", async () => {
    const ci = checkout("pr-full");
    const p = await plan(ci, "pull_request", event("pull_request.json", { base: sha.c3!, head: sha.f2b! }));
    expect(p.mode).toBe("diff");
    if (p.mode !== "diff") return;
    expect(p.range).toBe(`${sha.c1}..${sha.f2b}`);
    expect(p.commits).toBe(2);
    expect(p.reason).toMatch(/pull request #7/);
  });
});

describe("push", () => {
  it("scans before..after", async () => {
    const ci = checkout("push-full");
    const p = await plan(ci, "push", event("push.json", { branch: "main", before: sha.c2!, after: sha.c3! }));
    expect(p).toMatchObject({ mode: "diff", range: `${sha.c2}..${sha.c3}`, commits: 1 });
  });

  it("new branch (before all zeros): the commits no other remote branch has", async () => {
    const ci = checkout("new-branch", { branch: "topic" });
    const p = await plan(ci, "push", event("push-new-branch.json", { branch: "topic", after: sha.t2! }));
    expect(p).toMatchObject({ mode: "diff", range: `${sha.c3}..${sha.t2}`, commits: 2 });
    const empty = await plan(ci, "push", event("push-new-branch.json", { branch: "empty", after: sha.c3! }));
    expect(empty.mode).toBe("none");
    expect(empty.reason).toMatch(/there are none/);
  });

  it("force-push: the old tip is gone, so the branch's own commits are scanned", async () => {
    const ci = checkout("force");
    expect(() => git(ci, "cat-file", "-e", `${sha.f2}^{commit}`)).toThrow();
    const p = await plan(ci, "push", event("push-force.json", { branch: "feature", before: sha.f2!, after: sha.f2b! }));
    expect(p).toMatchObject({ mode: "diff", range: `${sha.c1}..${sha.f2b}`, commits: 2 });
    expect(p.reason).toMatch(/force-push/);
    // `before` present but not an ancestor (GitHub did not flag it forced): treated the same.
    const q = await plan(ci, "push", event("push.json", { branch: "feature", before: sha.c3!, after: sha.f2b! }));
    expect(q).toMatchObject({ mode: "diff", range: `${sha.c1}..${sha.f2b}`, commits: 2 });
  });

  it("branch deletion scans nothing, and says so", async () => {
    const ci = checkout("delete");
    const p = await plan(ci, "push", event("push-delete.json", { branch: "gone", before: sha.c3! }));
    expect(p.mode).toBe("none");
  });
});

describe("shallow clones", () => {
  it("push: without --deepen, exit 2 telling to use fetch-depth: 0", async () => {
    const ci = checkout("shallow-push", { depth: 1, branch: "main" });
    expect(git(ci, "rev-parse", "--is-shallow-repository")).toBe("true");
    const err = await plan(ci, "push", event("push.json", { branch: "main", before: sha.c2!, after: sha.c3! })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyscanError);
    expect((err as KeyscanError).code).toBe("E_GIT");
    expect((err as KeyscanError).message).toMatch(/shallow.*fetch-depth: 0/);
  });

  it("push: with --deepen, fetches history and gets the same range as a full clone", async () => {
    const ci = checkout("shallow-push-deepen", { depth: 1, branch: "main" });
    const p = await plan(ci, "push", event("push.json", { branch: "main", before: sha.c2!, after: sha.c3! }), { deepen: true });
    expect(p).toMatchObject({ mode: "diff", range: `${sha.c2}..${sha.c3}`, commits: 1 });
    expect(p.notes.join("\n")).toMatch(/fetching more history \(git fetch .*--deepen=/);
  });

  it("pull request: the base is missing from a depth-1 checkout of the head", async () => {
    const ci = checkout("shallow-pr", { depth: 1, branch: "feature" });
    const ev = event("pull_request.json", { base: sha.c3!, head: sha.f2b! });
    const err = await plan(ci, "pull_request", ev).catch((e: unknown) => e);
    expect((err as KeyscanError).message).toMatch(/fetch-depth: 0/);
    const p = await plan(ci, "pull_request", ev, { deepen: true });
    expect(p).toMatchObject({ mode: "diff", range: `${sha.c1}..${sha.f2b}`, commits: 2 });
  });

  it("new branch: needs every remote branch and full history; fetched with --deepen, else exit 2", async () => {
    const ci = checkout("shallow-new", { depth: 1, branch: "topic" });
    const ev = event("push-new-branch.json", { branch: "topic", after: sha.t2! });
    const err = await plan(ci, "push", ev).catch((e: unknown) => e);
    expect((err as KeyscanError).message).toMatch(/shallow.*fetch-depth: 0/);
    const p = await plan(ci, "push", ev, { deepen: true });
    expect(p).toMatchObject({ mode: "diff", range: `${sha.c3}..${sha.t2}`, commits: 2 });
  });

  it("force-push into a shallow clone: only a full fetch can tell a dropped commit from missing history", async () => {
    const ci = checkout("shallow-force", { depth: 1, branch: "feature" });
    const ev = event("push-force.json", { branch: "feature", before: sha.f2!, after: sha.f2b! });
    const err = await plan(ci, "push", ev).catch((e: unknown) => e);
    expect((err as KeyscanError).message).toMatch(/fetch-depth: 0/);
    const p = await plan(ci, "push", ev, { deepen: true });
    expect(p).toMatchObject({ mode: "diff", range: `${sha.c1}..${sha.f2b}`, commits: 2 });
    expect(p.reason).toMatch(/force-push/);
  });

  it("history on a shallow clone: fetched in full with --deepen, else exit 2", async () => {
    const ci = checkout("shallow-history", { depth: 1, branch: "main" });
    const err = await plan(ci, "schedule", event("schedule.json", {})).catch((e: unknown) => e);
    expect((err as KeyscanError).message).toMatch(/history scan needs the whole history.*fetch-depth: 0/);
    const p = await plan(ci, "schedule", event("schedule.json", {}), { deepen: true });
    expect(p.mode).toBe("history");
    expect(git(ci, "rev-parse", "--is-shallow-repository")).toBe("false");
    expect(git(ci, "rev-parse", "--verify", "refs/remotes/origin/topic")).toBe(sha.t2);
  });

  it("a range that runs into the shallow boundary is an error, never a shorter clean range", async () => {
    // before (c1) is an ancestor of after (c3) but depth 2 holds only c3 and c2: c2's parent c1 is missing.
    const ci = checkout("shallow-boundary", { depth: 2, branch: "main" });
    const err = await plan(ci, "push", event("push.json", { branch: "main", before: sha.c1!, after: sha.c3! })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyscanError);
    expect((err as KeyscanError).message).toMatch(/fetch-depth: 0/);
  });
});

describe("other events and failures", () => {
  it("schedule and workflow_dispatch scan the history; --mode overrides", async () => {
    const ci = checkout("other");
    expect((await plan(ci, "schedule", event("schedule.json", {}))).mode).toBe("history");
    expect((await plan(ci, "workflow_dispatch", {})).mode).toBe("history");
    expect((await plan(ci, "push", event("push.json", { branch: "main", before: sha.c2!, after: sha.c3! }), { mode: "tree" })).mode).toBe("tree");
    const err = await plan(ci, "schedule", {}, { mode: "diff" }).catch((e: unknown) => e);
    expect((err as KeyscanError).code).toBe("E_USAGE");
  });

  it("a git failure is an error, never a plan", async () => {
    const notRepo = mkdtempSync(join(root, "plain-"));
    const err = await plan(notRepo, "push", event("push.json", { branch: "main", before: sha.c2!, after: sha.c3! })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyscanError);
    expect((err as KeyscanError).code).toBe("E_GIT");
    const ci = checkout("bad-payload");
    const bad = await plan(ci, "pull_request", { pull_request: { base: { sha: "main" }, head: { sha: sha.f1! } } }).catch((e: unknown) => e);
    expect((bad as KeyscanError).message).toMatch(/no valid pull_request\.base\.sha/);
  });
});
