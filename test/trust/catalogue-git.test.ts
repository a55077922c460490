// The hostile and broken input catalogue, git modes (issue 8): broken and unusual repositories scanned with
// `keyscan --staged`, `keyscan diff` and `keyscan history`, through the real binary. Each case builds a real
// repository in a temp dir (isolated from the machine's git config) and checks: no crash, a correct result or a clear
// error, the rest of the scan completed (a control secret in a healthy commit is found), and the documented exit
// code. The marker-file test for repo-configured programs lives with the git sources (test/git/no-exec.test.ts).
// KEYSCAN_GIT_CATALOGUE_TABLE=<file> writes the observed outcomes as a markdown table.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { printable } from "../../src/report/printable.js";
import { getimgKey, tempDir } from "./helpers.js";

const BIN = resolve(__dirname, "../../dist/cli/bin.js");

interface Run {
  /** Command line after `keyscan` (before `-f json`). */
  args: string[];
  exitCode: number | null;
  paths: string[];
  errors: Array<{ path: string; code: string; message: string }>;
  stderr: string;
}

interface Ctx {
  base: string;
  env: NodeJS.ProcessEnv;
  /** The repository (or directory) the commands run in. */
  dir: string;
  git(cwd: string, ...args: string[]): string;
  commitFile(cwd: string, name: string, text: string): void;
}

interface GitCase {
  name: string;
  expected: string;
  setup(ctx: Ctx): void;
  runs: string[][];
  check(runs: Run[], ctx: Ctx): void;
}

function makeCtx(): Ctx {
  const base = tempDir("keyscan-trust-git-");
  const home = join(base, "home");
  mkdirSync(home);
  writeFileSync(join(home, ".gitconfig"), "");
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_")) env[k] = v;
  Object.assign(env, { HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(home, ".gitconfig"), NO_COLOR: "1", LC_ALL: "C" });
  let clock = Date.UTC(2024, 0, 1) / 1000;
  const git = (cwd: string, ...args: string[]) => {
    clock += 60;
    return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=t@example.test", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always", ...args], {
      cwd,
      env: { ...env, GIT_AUTHOR_DATE: `${clock} +0000`, GIT_COMMITTER_DATE: `${clock} +0000` },
      encoding: "utf8",
    });
  };
  const commitFile = (cwd: string, name: string, text: string) => {
    mkdirSync(join(cwd, name, ".."), { recursive: true });
    writeFileSync(join(cwd, name), text);
    git(cwd, "add", "--", name);
    git(cwd, "commit", "-q", "-m", `add ${name}`);
  };
  return { base, env, dir: join(base, "repo"), git, commitFile };
}

/** A repository with a control secret in its first commit. */
function repoWithControl(ctx: Ctx): void {
  mkdirSync(ctx.dir);
  ctx.git(ctx.dir, "init", "-q");
  ctx.commitFile(ctx.dir, "control.env", `GETIMG_API_KEY=${getimgKey()}\n`);
}

/** Overwrite a loose object with garbage (git objects are read-only files). */
function corruptObject(ctx: Ctx, oid: string, how: "garbage" | "delete"): void {
  const file = join(ctx.dir, ".git", "objects", oid.slice(0, 2), oid.slice(2));
  if (how === "delete") return rmSync(file);
  chmodSync(file, 0o644);
  writeFileSync(file, "this is not a zlib stream\n");
}

function runCli(ctx: Ctx, args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, "-f", "json", ...args], { cwd: ctx.dir, env: ctx.env, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  const parsed = r.stdout.trim() ? JSON.parse(r.stdout) : { findings: [], errors: [] };
  return {
    args,
    exitCode: r.status,
    paths: parsed.findings.map((f: { path: string }) => f.path),
    errors: parsed.errors.map((e: { path: string; code: string; message: string }) => ({ path: e.path, code: e.code, message: e.message })),
    stderr: r.stderr,
  };
}

const CASES: GitCase[] = [
  {
    name: "not a git repository",
    expected: "each git mode: exit 2, `… is not inside a git work tree … run keyscan from inside the repository`",
    setup: (ctx) => {
      mkdirSync(ctx.dir);
      writeFileSync(join(ctx.dir, "a.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
    },
    runs: [["--staged"], ["diff", "HEAD~1..HEAD"], ["history"]],
    check: (runs) => {
      for (const r of runs) {
        expect(r.exitCode, r.args.join(" ")).toBe(2);
        expect(r.stderr).toMatch(/is not inside a git work tree/);
      }
    },
  },
  {
    name: "`.git` file pointing to a missing git dir (broken worktree link)",
    expected: "exit 2 naming the missing git dir",
    setup: (ctx) => {
      mkdirSync(ctx.dir);
      writeFileSync(join(ctx.dir, ".git"), "gitdir: /nonexistent/keyscan-test/.git/worktrees/x\n");
    },
    runs: [["--staged"], ["history"]],
    check: (runs) => {
      for (const r of runs) {
        expect(r.exitCode).toBe(2);
        expect(r.stderr).toMatch(/not a git repository: \/nonexistent\/keyscan-test/);
      }
    },
  },
  {
    name: "empty repository (no commits yet), a secret staged",
    expected: "--staged finds it (exit 1); history is clean (exit 0); diff HEAD~1..HEAD is exit 2 (no such commit)",
    setup: (ctx) => {
      mkdirSync(ctx.dir);
      ctx.git(ctx.dir, "init", "-q");
      writeFileSync(join(ctx.dir, "first.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
      ctx.git(ctx.dir, "add", "first.env");
    },
    runs: [["--staged"], ["history"], ["diff", "HEAD~1..HEAD"]],
    check: ([staged, history, diff]) => {
      expect(staged).toMatchObject({ exitCode: 1, paths: ["first.env"] });
      expect(history).toMatchObject({ exitCode: 0, paths: [], errors: [] });
      expect(diff!.exitCode).toBe(2);
      expect(diff!.stderr).toMatch(/does not name a commit/);
    },
  },
  {
    name: "corrupt blob (loose object overwritten with garbage)",
    expected: "history and diff: a clear E_GIT error for that blob, the control still found, exit 1",
    setup: (ctx) => {
      repoWithControl(ctx);
      mkdirSync(join(ctx.dir, "x"));
      writeFileSync(join(ctx.dir, "x", "broken.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
      writeFileSync(join(ctx.dir, "x", "fine.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
      ctx.git(ctx.dir, "add", "x");
      ctx.git(ctx.dir, "commit", "-q", "-m", "two files");
      corruptObject(ctx, ctx.git(ctx.dir, "rev-parse", "HEAD:x/broken.env").trim(), "garbage");
    },
    runs: [["history"], ["diff", "HEAD~1..HEAD"]],
    check: ([history, diff]) => {
      expect(history).toMatchObject({ exitCode: 1, paths: ["control.env", "x/fine.env"] });
      expect(diff).toMatchObject({ exitCode: 1, paths: ["x/fine.env"] });
      for (const r of [history!, diff!]) {
        expect(r.errors.map((e) => `${e.path} ${e.code}`)).toEqual(["x/broken.env E_GIT"]);
        expect(r.errors[0]!.message).toMatch(/cannot be read/);
      }
    },
  },
  {
    name: "missing blob (loose object deleted)",
    expected: "history: a clear E_GIT error for that blob, the control still found, exit 1",
    setup: (ctx) => {
      repoWithControl(ctx);
      ctx.commitFile(ctx.dir, "gone.env", `GETIMG_API_KEY=${getimgKey()}\n`);
      corruptObject(ctx, ctx.git(ctx.dir, "rev-parse", "HEAD:gone.env").trim(), "delete");
    },
    runs: [["history"]],
    check: ([history]) => {
      expect(history).toMatchObject({ exitCode: 1, paths: ["control.env"] });
      expect(history!.errors.map((e) => `${e.path} ${e.code}`)).toEqual(["gone.env E_GIT"]);
    },
  },
  {
    name: "corrupt tree object at HEAD",
    expected: "history and diff cannot enumerate the commit: exit 2 with git's reason (fails closed, never a clean 0)",
    setup: (ctx) => {
      repoWithControl(ctx);
      ctx.commitFile(ctx.dir, "later.env", `GETIMG_API_KEY=${getimgKey()}\n`);
      corruptObject(ctx, ctx.git(ctx.dir, "rev-parse", "HEAD^{tree}").trim(), "garbage");
    },
    runs: [["history"], ["diff", "HEAD~1..HEAD"]],
    check: (runs) => {
      for (const r of runs) {
        expect(r.exitCode, r.args.join(" ")).toBe(2);
        expect(r.stderr).toMatch(/^keyscan: .*(inflate|corrupt|bad|unable|fatal|failed)/i);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      }
    },
  },
  {
    name: "shallow clone (depth 1)",
    expected: "history scans what the clone has and warns it is shallow (exit 1); a diff past the boundary is exit 2 with fetch advice",
    setup: (ctx) => {
      const origin = join(ctx.base, "origin");
      mkdirSync(origin);
      ctx.git(origin, "init", "-q");
      ctx.commitFile(origin, "old.env", `GETIMG_API_KEY=${getimgKey()}\n`);
      ctx.commitFile(origin, "control.env", `GETIMG_API_KEY=${getimgKey()}\n`);
      ctx.git(ctx.base, "clone", "-q", "--depth", "1", `file://${origin}`, "repo");
    },
    runs: [["history"], ["diff", "HEAD~1..HEAD"]],
    check: ([history, diff]) => {
      expect(history).toMatchObject({ exitCode: 1, paths: ["control.env", "old.env"] });
      expect(history!.stderr).toMatch(/shallow/);
      expect(diff!.exitCode).toBe(2);
      expect(diff!.stderr).toMatch(/shallow.*fetch/);
    },
  },
  {
    name: "submodule holding a secret",
    expected: "git modes pass over the gitlink without error (a submodule is its own repository: scan it there); the working-tree scan walks into its checkout and finds it",
    setup: (ctx) => {
      const sub = join(ctx.base, "sub");
      mkdirSync(sub);
      ctx.git(sub, "init", "-q");
      ctx.commitFile(sub, "inner.env", `GETIMG_API_KEY=${getimgKey()}\n`);
      repoWithControl(ctx);
      ctx.git(ctx.dir, "submodule", "add", "-q", sub, "vendor/sub");
      ctx.git(ctx.dir, "commit", "-q", "-m", "add submodule");
    },
    runs: [["history"], ["diff", "HEAD~1..HEAD"], ["."]],
    check: ([history, diff, tree]) => {
      expect(history).toMatchObject({ exitCode: 1, paths: ["control.env"], errors: [] });
      expect(diff).toMatchObject({ exitCode: 0, paths: [], errors: [] });
      expect(tree).toMatchObject({ exitCode: 1, paths: ["control.env", "vendor/sub/inner.env"], errors: [] });
    },
  },
  {
    name: "a staged submodule (gitlink) next to a staged secret",
    expected: "--staged passes over the gitlink, finds the secret (exit 1)",
    setup: (ctx) => {
      const sub = join(ctx.base, "sub");
      mkdirSync(sub);
      ctx.git(sub, "init", "-q");
      ctx.commitFile(sub, "inner.env", `GETIMG_API_KEY=${getimgKey()}\n`);
      repoWithControl(ctx);
      ctx.git(ctx.dir, "submodule", "add", "-q", sub, "vendor/sub");
      writeFileSync(join(ctx.dir, "new.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
      ctx.git(ctx.dir, "add", "new.env");
    },
    runs: [["--staged"]],
    check: ([staged]) => expect(staged).toMatchObject({ exitCode: 1, paths: ["new.env"], errors: [] }),
  },
  {
    name: "file names with a newline and a leading dash in history",
    expected: "found under their exact names (git -z output); never parsed as options",
    setup: (ctx) => {
      repoWithControl(ctx);
      ctx.commitFile(ctx.dir, "odd\nname.env", `GETIMG_API_KEY=${getimgKey()}\n`);
      ctx.commitFile(ctx.dir, "--output=x.env", `GETIMG_API_KEY=${getimgKey()}\n`);
    },
    runs: [["history"], ["diff", "HEAD~2..HEAD"]],
    check: ([history, diff]) => {
      expect(history).toMatchObject({ exitCode: 1, paths: ["--output=x.env", "control.env", "odd\nname.env"] });
      expect(diff).toMatchObject({ exitCode: 1, paths: ["--output=x.env", "odd\nname.env"] });
    },
  },
];

function observed(r: Run): string {
  const parts = [`\`${r.args.join(" ")}\`: exit ${r.exitCode}`];
  if (r.paths.length) parts.push(`found ${r.paths.map(printable).join(", ")}`);
  if (r.errors.length) parts.push(`errors ${r.errors.map((e) => `${printable(e.path)} ${e.code}`).join(", ")}`);
  const warn = r.stderr.split("\n").find((l) => /warning|^keyscan: (?!.*: .* \(E_)/.test(l));
  if (r.exitCode === 2 || (warn && /shallow/.test(warn))) parts.push(`"${(warn ?? r.stderr.split("\n")[0]!).replace(/\/tmp\/[^ ]*/g, "…").slice(0, 110)}"`);
  return parts.join("; ").replace(/\|/g, "\\|");
}

const table: string[] = [];

describe("hostile and broken input catalogue: git modes", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const ctx = makeCtx();
      c.setup(ctx);
      const runs = c.runs.map((args) => runCli(ctx, args));
      table.push(`| ${c.name} | ${c.expected} | ${runs.map(observed).join("<br>")} |`);
      for (const r of runs) expect(r.stderr, r.args.join(" ")).not.toMatch(/internal error|\n\s+at /);
      c.check(runs, ctx);
    }, 300_000);
  }

  afterAll(() => {
    const out = process.env.KEYSCAN_GIT_CATALOGUE_TABLE;
    if (out) writeFileSync(out, `| case | expected | observed |\n|---|---|---|\n${table.join("\n")}\n`);
  });
});
