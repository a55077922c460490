/**
 * What a GitHub Actions run should scan, worked out from the event that triggered it (the JSON at
 * `$GITHUB_EVENT_PATH`) and the local clone: for a pull request the commits since the merge base of base and head
 * (the checkout is a synthetic merge commit, so `HEAD` is not the head); for a push `before..after`, and for a new
 * branch (`before` all zeros) or a force-push (`before` gone or no longer an ancestor) the commits reachable from
 * `after` and from no other remote branch; for schedule and manual runs the whole history. A shallow clone that
 * lacks the needed history is deepened when allowed (`--deepen`, on in the action) and is otherwise an error
 * telling the user to check out with `fetch-depth: 0`: a git failure must never look like a clean scan. Git is
 * reached through an injected runner, so this logic is tested against real temp repositories without a runner.
 */
import { KeyscanError } from "../errors.js";

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one git command in the repository (never throws for a non-zero exit). */
export type GitRunner = (args: readonly string[]) => Promise<GitResult>;

export type CiMode = "auto" | "diff" | "history" | "tree";

export interface GithubEvent {
  before?: string;
  after?: string;
  ref?: string;
  forced?: boolean;
  deleted?: boolean;
  pull_request?: { number?: number; commits?: number; base?: { sha?: string; ref?: string }; head?: { sha?: string; ref?: string } };
  repository?: { default_branch?: string };
}

export type ScanPlan =
  | {
      mode: "diff";
      /** The commits to scan are those reachable from `head` and from none of `exclude`. */
      head: string;
      exclude: string[];
      /** `base..head` for `keyscan diff`: `base` is the exclude that adds the fewest extra commits. */
      range: string;
      commits: number;
      reason: string;
    }
  | { mode: "history" | "tree"; reason: string }
  | { mode: "none"; reason: string };

export interface PlanOptions {
  eventName: string;
  event: GithubEvent;
  mode: CiMode;
  /** May keyscan run `git fetch --deepen` / `--unshallow` when the clone lacks history? */
  deepen: boolean;
  remote: string;
  /** Progress notes (what was fetched, why a range was chosen). */
  log?: (line: string) => void;
}

export const SHALLOW_HELP =
  "check out the full history: actions/checkout with `fetch-depth: 0` (or let keyscan fetch it: `--deepen`, the action's default)";

const ZERO = /^0+$/;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;

const PR_EVENTS = new Set(["pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"]);
const HISTORY_EVENTS = new Set(["schedule", "workflow_dispatch", "repository_dispatch"]);

function gitError(what: string, r: GitResult): KeyscanError {
  const why = r.stderr.split("\n").map((l) => l.trim()).find((l) => l.length > 0) ?? `exit ${r.code}`;
  return new KeyscanError("E_GIT", `${what}: ${why.replace(/^(fatal|error): /, "")}`);
}

class Repo {
  private shallow: boolean | undefined;
  private deepened = 0;
  constructor(
    readonly git: GitRunner,
    readonly options: PlanOptions,
  ) {}

  async must(args: readonly string[], what: string): Promise<string> {
    const r = await this.git(args);
    if (r.code !== 0) throw gitError(what, r);
    return r.stdout;
  }

  async isShallow(): Promise<boolean> {
    if (this.shallow === undefined) this.shallow = (await this.must(["rev-parse", "--is-shallow-repository"], "checking for a shallow clone")).trim() === "true";
    return this.shallow;
  }

  async hasCommit(sha: string): Promise<boolean> {
    return (await this.git(["cat-file", "-e", `${sha}^{commit}`])).code === 0;
  }

  async isAncestor(a: string, b: string): Promise<boolean> {
    const r = await this.git(["merge-base", "--is-ancestor", a, b]);
    if (r.code === 0) return true;
    if (r.code === 1) return false;
    throw gitError(`checking whether ${a.slice(0, 12)} is an ancestor of ${b.slice(0, 12)}`, r);
  }

  /**
   * Fetch more history, if the clone is shallow and fetching is allowed. Commits in `wants` that are missing are
   * fetched first (by id, as deep as the first step); then the history behind `wants` is deepened by a few steps
   * (enough for a typical pull request or push), then fetched whole (`--unshallow`). Returns false when nothing
   * more can be had.
   */
  async fetchMore(hint: number, why: string, wants: readonly string[]): Promise<boolean> {
    if (!(await this.isShallow())) return false;
    if (!this.options.deepen) return false;
    const steps = [Math.max(hint + 2, 50), Math.max(hint * 4, 500)];
    if (this.deepened > steps.length) return false;
    const missing: string[] = [];
    for (const w of wants) if (!(await this.hasCommit(w))) missing.push(w);
    const base = ["fetch", "--no-tags", "--no-recurse-submodules"];
    let args: string[];
    if (missing.length > 0 && this.deepened < steps.length) args = [...base, `--depth=${steps[0]}`, this.options.remote, ...missing];
    else if (this.deepened < steps.length) args = [...base, `--deepen=${steps[this.deepened++]}`, this.options.remote, ...wants];
    else {
      args = [...base, "--unshallow", this.options.remote, ...wants];
      this.deepened++;
    }
    this.options.log?.(`keyscan: ${why}; fetching more history (git ${args.join(" ")})`);
    await this.must(args, "fetching more history of the shallow clone");
    this.shallow = undefined;
    return true;
  }

  /** Fetch the whole history and every branch of the remote (for new branches: "reachable from no other branch"). */
  async fetchAll(why: string): Promise<void> {
    const shallow = await this.isShallow();
    if (shallow && !this.options.deepen) throw new KeyscanError("E_GIT", `${why}, but this clone is shallow: ${SHALLOW_HELP}.`);
    const remote = this.options.remote;
    const args = ["fetch", "--no-tags", "--no-recurse-submodules", ...(shallow ? ["--unshallow"] : []), remote, `+refs/heads/*:refs/remotes/${remote}/*`];
    this.options.log?.(`keyscan: ${why}; fetching ${shallow ? "the full history and " : ""}the remote's branches (git ${args.join(" ")})`);
    await this.must(args, `fetching ${remote}'s branches`);
    this.shallow = undefined;
  }

  /** Make `check` true by fetching more history while the clone is shallow; false if it stays false on a full clone. */
  async withHistory(check: () => Promise<boolean>, hint: number, why: string, wants: readonly string[]): Promise<boolean> {
    for (;;) {
      if (await check()) return true;
      if (!(await this.isShallow())) return false;
      if (!(await this.fetchMore(hint, why, wants))) {
        throw new KeyscanError("E_GIT", `${why} and this clone is shallow${this.options.deepen ? " even after fetching its full history" : ""}: ${SHALLOW_HELP}.`);
      }
    }
  }

  async countRange(head: string, exclude: readonly string[]): Promise<number> {
    const out = await this.must(["rev-list", "--count", head, "--not", ...exclude, "--"], "counting the commits to scan");
    return Number(out.trim());
  }
}

function requireSha(value: string | undefined, field: string): string {
  if (!value || !SHA.test(value)) throw new KeyscanError("E_USAGE", `the event payload has no valid ${field} (got ${JSON.stringify(value ?? null)}); is GITHUB_EVENT_PATH the right file?`);
  return value.toLowerCase();
}

/** Pick the one base for `keyscan diff base..head` that adds the fewest commits beyond the exact set. */
async function diffPlan(repo: Repo, head: string, exclude: string[], reason: string): Promise<ScanPlan> {
  if (exclude.length === 0) return { mode: "history", reason: `${reason}; no commit of it is on another branch, so its whole history is new` };
  let best = exclude[0]!;
  let bestCount = Infinity;
  for (const base of exclude) {
    const n = await repo.countRange(head, [base]);
    if (n < bestCount) {
      best = base;
      bestCount = n;
    }
  }
  const exact = await repo.countRange(head, exclude);
  if (exact === 0) return { mode: "none", reason: `${reason}; it adds no commits` };
  const over = bestCount - exact;
  return {
    mode: "diff",
    head,
    exclude,
    range: `${best}..${head}`,
    commits: bestCount,
    reason: over > 0 ? `${reason} (${exact} new commits; scanning ${bestCount}, which includes ${over} already on other branches)` : reason,
  };
}

async function pullRequestPlan(repo: Repo, event: GithubEvent): Promise<ScanPlan> {
  const pr = event.pull_request ?? {};
  const base = requireSha(pr.base?.sha, "pull_request.base.sha");
  const head = requireSha(pr.head?.sha, "pull_request.head.sha");
  const hint = typeof pr.commits === "number" ? pr.commits : 0;
  const present = await repo.withHistory(
    async () => (await repo.hasCommit(base)) && (await repo.hasCommit(head)),
    hint,
    `the pull request's base ${base.slice(0, 12)} or head ${head.slice(0, 12)} is not in this clone`,
    [base, head],
  );
  if (!present) {
    throw new KeyscanError("E_GIT", `the pull request's base ${base.slice(0, 12)} or head ${head.slice(0, 12)} is not in this clone; fetch them (actions/checkout with \`fetch-depth: 0\`).`);
  }
  let mergeBase = "";
  await repo.withHistory(
    async () => {
      const r = await repo.git(["merge-base", base, head]);
      mergeBase = r.code === 0 ? r.stdout.trim() : "";
      return mergeBase !== "";
    },
    hint,
    `base ${base.slice(0, 12)} and head ${head.slice(0, 12)} have no common ancestor in this clone`,
    [base, head],
  );
  if (!mergeBase) throw new KeyscanError("E_GIT", `the pull request's base ${base.slice(0, 12)} and head ${head.slice(0, 12)} share no history; nothing can be compared.`);
  // Every commit of the range must have its parents: a range that runs into the shallow boundary is incomplete.
  await ensureComplete(repo, head, [mergeBase], hint);
  return diffPlan(repo, head, [mergeBase], `pull request${pr.number ? ` #${pr.number}` : ""}: ${mergeBase.slice(0, 12)}..${head.slice(0, 12)} (merge base of ${base.slice(0, 12)} and head)`);
}

/** While shallow, deepen until no commit in `head --not exclude` is a shallow boundary commit. */
async function ensureComplete(repo: Repo, head: string, exclude: readonly string[], hint: number): Promise<void> {
  await repo.withHistory(
    async () => {
      if (!(await repo.isShallow())) return true;
      const boundary = (await repo.must(["rev-parse", "--git-path", "shallow"], "locating the shallow file")).trim();
      const listed = await repo.git(["rev-list", head, "--not", ...exclude, "--"]);
      if (listed.code !== 0) return false;
      const commits = new Set(listed.stdout.split("\n").filter(Boolean));
      const shallowFile = await readTextFile(boundary, repo);
      return !shallowFile.some((c) => commits.has(c));
    },
    hint,
    "the commits to scan reach the shallow clone's boundary",
    [head],
  );
}

async function readTextFile(gitPath: string, repo: Repo): Promise<string[]> {
  const top = (await repo.must(["rev-parse", "--show-toplevel"], "locating the work tree")).trim();
  const { readFile } = await import("node:fs/promises");
  const { resolve } = await import("node:path");
  try {
    return (await readFile(resolve(top, gitPath), "utf8")).split("\n").map((l) => l.trim()).filter(Boolean);
  } catch {
    return [];
  }
}

async function newBranchPlan(repo: Repo, after: string, branch: string | undefined, why: string): Promise<ScanPlan> {
  const remote = repo.options.remote;
  await repo.fetchAll(why);
  // `--exclude` patterns for `--remotes` are relative to refs/remotes/ (a full refname silently excludes nothing).
  const args = ["rev-list", "--boundary", after, "--not"];
  if (branch) args.push(`--exclude=${remote}/${branch}`);
  args.push(`--remotes=${remote}`, "--");
  const out = await repo.must(args, `listing the commits of ${branch ?? after.slice(0, 12)} that no other branch has`);
  const lines = out.split("\n").filter(Boolean);
  const what = `${why}: commits reachable from ${after.slice(0, 12)} and from no other branch of ${remote}`;
  if (!lines.some((l) => !l.startsWith("-"))) return { mode: "none", reason: `${what}; there are none` };
  const boundary = lines.filter((l) => l.startsWith("-")).map((l) => l.slice(1));
  return diffPlan(repo, after, boundary, what);
}

async function pushPlan(repo: Repo, event: GithubEvent): Promise<ScanPlan> {
  const after = event.after;
  if (!after || ZERO.test(after) || event.deleted) return { mode: "none", reason: "push deleted a branch or tag; nothing to scan" };
  const head = requireSha(after, "after");
  const branch = event.ref?.startsWith("refs/heads/") ? event.ref.slice("refs/heads/".length) : undefined;
  if (!(await repo.withHistory(() => repo.hasCommit(head), 0, `the pushed commit ${head.slice(0, 12)} is not in this clone`, [head]))) {
    throw new KeyscanError("E_GIT", `the pushed commit ${head.slice(0, 12)} is not in this clone; check out the pushed ref.`);
  }
  const before = event.before;
  if (!before || ZERO.test(before)) return newBranchPlan(repo, head, branch, `new branch ${branch ?? event.ref ?? ""}`.trim());
  const base = requireSha(before, "before");
  // A force-push leaves `before` unreachable (maybe gone from the server) or not an ancestor of `after`. On a
  // shallow clone neither can be told from missing history, so fetch until it can be.
  const reachable = await repo.withHistory(
    async () => (await repo.hasCommit(base)) && (await repo.isAncestor(base, head)),
    0,
    `the push's previous commit ${base.slice(0, 12)} is not in this clone's history`,
    // Only `after` is named: after a force-push the server may no longer have `before`.
    [head],
  );
  if (!reachable || event.forced) {
    if (reachable) {
      // GitHub says forced, yet before is an ancestor (a fast-forward pushed with --force): the plain range is right.
      await ensureComplete(repo, head, [base], 0);
      return diffPlan(repo, head, [base], `push ${base.slice(0, 12)}..${head.slice(0, 12)}`);
    }
    return newBranchPlan(repo, head, branch, `force-push to ${branch ?? event.ref ?? head.slice(0, 12)} (${base.slice(0, 12)} is not an ancestor of ${head.slice(0, 12)})`);
  }
  await ensureComplete(repo, head, [base], 0);
  return diffPlan(repo, head, [base], `push ${base.slice(0, 12)}..${head.slice(0, 12)}`);
}

/** Decide what to scan for this event. Throws KeyscanError (exit 2) when git fails or history is missing. */
export async function planScan(git: GitRunner, options: PlanOptions): Promise<ScanPlan> {
  const { eventName, mode } = options;
  if (mode === "tree") return { mode: "tree", reason: "mode tree: the checked-out files" };
  const repo = new Repo(git, options);
  if (mode === "history" || (mode === "auto" && HISTORY_EVENTS.has(eventName))) {
    // An audit of a shallow clone would silently cover only its last commits: fetch everything, or stop.
    if (await repo.isShallow()) await repo.fetchAll("a history scan needs the whole history");
    return { mode: "history", reason: mode === "history" ? "mode history: every commit of every branch and tag" : `${eventName} event: the full history` };
  }
  if (PR_EVENTS.has(eventName)) return pullRequestPlan(repo, options.event);
  if (eventName === "push") return pushPlan(repo, options.event);
  if (mode === "diff") throw new KeyscanError("E_USAGE", `mode diff needs a pull_request or push event (this is ${JSON.stringify(eventName)}); use mode history or tree.`);
  return { mode: "tree", reason: `${eventName || "unknown"} event: the checked-out files` };
}
