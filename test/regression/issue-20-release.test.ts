// Issue 20: a release rehearsal. The package is packed as users get it (scripts/pack.mjs), published to a real npm
// registry on loopback (verdaccio 6.8, no uplinks: nothing leaves the machine), and then used from fresh temp
// projects as users do: `npm i -D` + `keyscan`, `npx -p`, the README's one-line husky hook, and the pre-commit
// framework installing `.pre-commit-hooks.yaml` from a release tag of a local clone, with every pre-commit found
// (Debian's 3.0.4 on PATH; more via KEYSCAN_PRE_COMMIT=/path/a:/path/b, e.g. a venv with 4.6.x). With
// KEYSCAN_REQUIRE_PRE_COMMIT=1 (.ci/run) a machine without pre-commit fails instead of leaving that part out.
// Node 22 and 24: the installed CLI also runs on every runtime in KEYSCAN_REHEARSAL_NODES (comma-separated node
// binaries, e.g. from `npm i node22@npm:node@22 node24@npm:node@24`, ~375 MB; .ci/run installs them and sets it).
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSecret } from "../../src/engine/template.js";
import { newKey } from "../git/repo.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const fakeKey = (): string => `GETIMG_API_KEY=${newKey()}\n`;

let base: string;
let registry: string;
let verdaccio: ChildProcess | undefined;
let tarball: string;
let env: NodeJS.ProcessEnv;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Run a command with the test's isolated environment; returns the result, failing loudly on a spawn error. */
function sh(cmd: string, args: readonly string[], cwd: string, extra: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env: { ...env, ...extra }, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  return r;
}
function ok(cmd: string, args: readonly string[], cwd: string, extra: NodeJS.ProcessEnv = {}): string {
  const r = sh(cmd, args, cwd, extra);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function newProject(name: string): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true }));
  return dir;
}

function gitRepo(dir: string): void {
  ok("git", ["init", "-q", "-b", "main"], dir);
  writeFileSync(join(dir, ".gitignore"), "node_modules/\n");
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "keyscan-release-"));
  const home = join(base, "home");
  mkdirSync(home);
  writeFileSync(join(home, ".gitconfig"), "[user]\n\tname = rehearsal\n\temail = rehearsal@example.invalid\n[commit]\n\tgpgsign = false\n[init]\n\tdefaultBranch = main\n");
  const port = await freePort();
  registry = `http://127.0.0.1:${port}/`;
  writeFileSync(join(home, ".npmrc"), `registry=${registry}\n//127.0.0.1:${port}/:_authToken=rehearsal-only\naudit=false\nfund=false\nupdate-notifier=false\n`);
  env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GIT_|npm_|NPM_|HUSKY$|PRE_COMMIT|NODE_OPTIONS$|VITEST)/.test(k)) env[k] = v;
  Object.assign(env, {
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(home, ".gitconfig"),
    npm_config_userconfig: join(home, ".npmrc"),
    npm_config_cache: join(base, "npm-cache"),
    PRE_COMMIT_HOME: join(base, "pre-commit-home"),
    KEYSCAN_CACHE_DIR: join(base, "keyscan-cache"),
    NO_COLOR: "1",
  });

  // The package, as `npm run pack:release` makes it (the bundle from this checkout's sources; dist/ types from tsc).
  if (!existsSync(join(ROOT, "dist", "index.d.ts"))) ok(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], ROOT);
  ok(process.execPath, [join(ROOT, "scripts/bundle.mjs")], ROOT);
  tarball = ok(process.execPath, [join(ROOT, "scripts/pack.mjs"), "--no-build", "--out", join(base, "packed")], ROOT).trim();

  // verdaccio 6.8 on loopback: temp storage, no uplinks, anyone may publish (a throw-away token in .npmrc).
  const storage = join(base, "registry");
  mkdirSync(storage);
  writeFileSync(
    join(storage, "config.yaml"),
    [
      `storage: ${join(storage, "storage")}`,
      "uplinks: {}",
      "packages:",
      "  '**':",
      "    access: $all",
      "    publish: $all",
      "auth:",
      "  htpasswd:",
      `    file: ${join(storage, "htpasswd")}`,
      "    max_users: -1",
      "web:",
      "  enable: false",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  verdaccio = spawn(process.execPath, [join(ROOT, "node_modules/verdaccio/bin/verdaccio"), "--config", join(storage, "config.yaml"), "--listen", `127.0.0.1:${port}`], {
    env,
    stdio: "ignore",
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${registry}-/ping`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("verdaccio did not start within 30 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  ok("npm", ["publish", tarball], base);
  // husky from this checkout's node_modules, so the husky project installs from the same registry.
  const huskyTgz = ok("npm", ["pack", join(ROOT, "node_modules/husky"), "--ignore-scripts", "--pack-destination", join(base, "packed")], base).trim().split("\n").pop()!;
  ok("npm", ["publish", join(base, "packed", huskyTgz)], base);
}, 120_000);

afterAll(() => {
  verdaccio?.kill();
  // A resident pre-commit process a failed test left (issue 20).
  if (base) spawnSync(process.execPath, [join(ROOT, "dist/bundle/keyscan.js"), "daemon", "stop"], { env: { ...env, KEYSCAN_DAEMON: "", CI: "" } });
  if (base) rmSync(base, { recursive: true, force: true });
});

describe("issue 20: the packed package", () => {
  it("holds the bundle, LICENSE, CHANGELOG, rules and types; no scripts, no dependencies; README links absolute", () => {
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n");
    for (const f of ["LICENSE", "CHANGELOG.md", "README.md", "dist/bundle/keyscan.js", "dist/bundle/package.json", "dist/bundle/cli.cjs", "dist/bundle/pool-worker.mjs", "dist/bundle/index.mjs", "dist/index.d.ts", "rules/rules.schema.json"]) {
      expect(files, f).toContain(`package/${f}`);
    }
    expect(files.filter((f) => /^package\/dist\/.*\.js$/.test(f) && !f.startsWith("package/dist/bundle/"))).toEqual([]); // no tsc output
    const read = (f: string): string => execFileSync("tar", ["xzOf", tarball, `package/${f}`], { encoding: "utf8" });
    const manifest = JSON.parse(read("package.json")) as Record<string, unknown>;
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest).toMatchObject({ license: "MIT", repository: { url: expect.stringContaining("github.com/keyscan-dev/keyscan") }, homepage: expect.any(String), bugs: expect.any(Object) });
    expect(read("LICENSE")).toMatch(/MIT License[\s\S]*keyscan contributors/);
    expect(read("CHANGELOG.md")).toMatch(/keepachangelog\.com[\s\S]*## \[Unreleased\]/);
    const readme = read("README.md");
    expect(readme).toContain("](https://github.com/keyscan-dev/keyscan/blob/main/docs/");
    expect(readme.match(/\]\((?!https?:|#|mailto:)[^)]*\)/g) ?? []).toEqual([]);
  });
});

describe("issue 20: installed from a registry into fresh projects", () => {
  it("npm i -D, then keyscan: exit 1 on a key, 0 on a clean folder; workers run from the bundle; other runtimes", () => {
    const dir = newProject("installed");
    const install = ok("npm", ["install", "-D", "@keyscan-dev/keyscan"], dir);
    expect(install).toMatch(/added 1 package/);
    const bin = join(dir, "node_modules", ".bin", "keyscan");
    mkdirSync(join(dir, "leaky"));
    writeFileSync(join(dir, "leaky", "app.env"), fakeKey());
    mkdirSync(join(dir, "clean"));
    writeFileSync(join(dir, "clean", "app.env"), "PORT=8080\n");
    const leaky = sh(bin, ["leaky"], dir);
    expect(leaky.status, leaky.stderr).toBe(1);
    expect(leaky.stdout).toMatch(/getimg/i);
    const clean = sh(bin, ["clean"], dir);
    expect(clean.status, clean.stderr).toBe(0);
    expect(sh(bin, ["--version"], dir).stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    for (const node of (process.env.KEYSCAN_REHEARSAL_NODES ?? "").split(",").filter(Boolean)) {
      const on = sh(node, [join(dir, "node_modules/@keyscan-dev/keyscan/dist/bundle/keyscan.js"), "leaky"], dir);
      expect(on.status, `${node}: ${on.stderr}`).toBe(1);
      expect(sh(node, [join(dir, "node_modules/@keyscan-dev/keyscan/dist/bundle/keyscan.js"), "clean"], dir).status).toBe(0);
    }

    // A rule keyscan did not ship is matched only in a worker thread (issue 19): this exercises the worker bundle.
    writeFileSync(
      join(dir, "demo.yaml"),
      ["provider: demo", "name: Demo", "rules:", "  - id: demo.token", "    name: Demo token", "    description: x", "    severity: high", "    secret:", "      pattern: 'demo_[a-z0-9]{24}'", "      standalone: { near: [demo], within_lines: 0 }", "    examples: ['demo_abcdefghij0123456789klmn']", "    negatives: ['demo_1']", ""].join("\n"),
    );
    writeFileSync(join(dir, "clean", "token.txt"), `t = demo_${generateSecret("{hex:24}")}\n`);
    const custom = sh(bin, ["clean/token.txt", "--rules", "demo.yaml", "--format", "json"], dir);
    expect(custom.status, custom.stderr).toBe(1);
    expect(JSON.parse(custom.stdout).findings.map((f: { ruleId?: string; rule?: { id: string } }) => f.ruleId ?? f.rule?.id)).toEqual(["demo.token"]);
  });

  it("npx -p @keyscan-dev/keyscan keyscan . works without a local install", () => {
    const dir = newProject("npx");
    writeFileSync(join(dir, "app.env"), fakeKey());
    const r = sh("npx", ["--yes", "-p", "@keyscan-dev/keyscan", "keyscan", "."], dir);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/1 secret found/);
  });

  it("husky with the README's one line blocks a staged key and lets a clean commit through, then served resident", async () => {
    const dir = newProject("husky");
    gitRepo(dir);
    ok("npm", ["install", "-D", "@keyscan-dev/keyscan", "husky"], dir);
    ok("npx", ["husky", "init"], dir);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const line = /your own `\.husky\/pre-commit`[\s\S]*?```sh\n(.+)\n```/.exec(readme)?.[1];
    expect(line).toBe("keyscan --staged");
    writeFileSync(join(dir, ".husky", "pre-commit"), `${line}\n`);
    writeFileSync(join(dir, "app.env"), fakeKey());
    ok("git", ["add", "-A"], dir);
    // As users have it on their machines: the resident pre-commit process on (the test setup turns it off for other
    // tests, and CI runs with CI=true, where it is off by design).
    const on = { KEYSCAN_DAEMON: "", CI: "" };
    const blocked = sh("git", ["commit", "-m", "add key"], dir, on);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toMatch(/1 secret found/);
    // That hook run started a resident process; the next hook runs are served by it.
    const bin = join(dir, "node_modules", ".bin", "keyscan");
    const daemons = (): Array<{ served: number }> => (JSON.parse(ok(bin, ["daemon", "status", "-f", "json"], dir, on)) as { processes: Array<{ served: number }> }).processes;
    const served = (): number | undefined => (daemons().length ? daemons().reduce((n, d) => n + d.served, 0) : undefined);
    const upTo = async (count: number): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (daemons().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    };
    await upTo(1);
    expect(served()).toBe(0);
    const again = sh("git", ["commit", "-m", "add key"], dir, on);
    expect(again.status).not.toBe(0);
    expect(again.stdout + again.stderr).toMatch(/1 secret found/);
    writeFileSync(join(dir, "app.env"), "PORT=8080\n");
    ok("git", ["add", "-A"], dir);
    const passed = sh("git", ["commit", "-m", "clean"], dir, on);
    expect(passed.status, passed.stdout + passed.stderr).toBe(0);
    expect(served()).toBe(2);
    // On the other runtimes users have: a process of their own each, serving the next run.
    writeFileSync(join(dir, "app.env"), fakeKey());
    ok("git", ["add", "-A"], dir);
    const installed = join(dir, "node_modules/@keyscan-dev/keyscan/dist/bundle/keyscan.js");
    const runtimes = (process.env.KEYSCAN_REHEARSAL_NODES ?? "").split(",").filter(Boolean);
    for (const [i, node] of runtimes.entries()) {
      expect(sh(node, [installed, "--staged"], dir, on).status, node).toBe(1);
      await upTo(i + 2);
      expect(daemons(), node).toHaveLength(i + 2);
      const before = served()!;
      const again = sh(node, [installed, "--staged"], dir, on);
      expect(again.status, `${node}: ${again.stderr}`).toBe(1);
      expect(again.stdout).toMatch(/1 secret found/);
      expect(served(), node).toBe(before + 1);
    }
    const processes = 1 + runtimes.length;
    expect(ok(bin, ["daemon", "stop"], dir, on)).toContain(`${processes} resident pre-commit process${processes === 1 ? "" : "es"} stopped`);
  });
});

/** Every pre-commit to try: the one on PATH and those named in KEYSCAN_PRE_COMMIT, one per version. */
function preCommits(): Array<{ bin: string; version: string }> {
  const candidates = [...(process.env.KEYSCAN_PRE_COMMIT ?? "").split(":").filter(Boolean), "pre-commit"];
  const seen = new Map<string, string>();
  for (const bin of candidates) {
    const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
    const version = r.status === 0 ? /pre-commit (\S+)/.exec(r.stdout)?.[1] : undefined;
    if (version && !seen.has(version)) seen.set(version, bin);
  }
  return [...seen].map(([version, bin]) => ({ bin, version }));
}

describe("issue 20: the pre-commit framework installs the hooks from a release tag", () => {
  const found = preCommits();
  it("pre-commit is available where required (KEYSCAN_REQUIRE_PRE_COMMIT=1 in .ci/run)", () => {
    if (process.env.KEYSCAN_REQUIRE_PRE_COMMIT === "1") expect(found.length).toBeGreaterThan(0);
  });
  for (const { bin, version } of found) {
    it(`pre-commit ${version}: keyscan-staged blocks a staged key and passes a clean commit`, () => {
      // The hooks repository: a clone of this checkout's HEAD with a release tag (scripts/pack.mjs --tag).
      const hooks = join(base, `hooks-${version}`);
      ok("git", ["clone", "-q", "--no-hardlinks", ROOT, hooks], base);
      ok(process.execPath, [join(ROOT, "scripts/pack.mjs"), "--no-build", "--out", join(base, `packed-${version}`), "--tag", "v0.0.0-rehearsal", "--repo", hooks], ROOT);
      const dir = join(base, `pc-${version}`);
      mkdirSync(dir);
      gitRepo(dir);
      writeFileSync(join(dir, ".pre-commit-config.yaml"), `repos:\n  - repo: ${hooks}\n    rev: v0.0.0-rehearsal\n    hooks:\n      - id: keyscan-staged\n`);
      ok(bin, ["install"], dir);
      writeFileSync(join(dir, "app.env"), fakeKey());
      ok("git", ["add", "-A"], dir);
      const blocked = sh("git", ["commit", "-m", "add key"], dir);
      expect(blocked.status, blocked.stdout + blocked.stderr).not.toBe(0);
      expect(blocked.stdout + blocked.stderr).toMatch(/1 secret found/);
      writeFileSync(join(dir, "app.env"), "PORT=8080\n");
      ok("git", ["add", "-A"], dir);
      const passed = sh("git", ["commit", "-m", "clean"], dir);
      expect(passed.status, passed.stdout + passed.stderr).toBe(0);
    });
  }
});
