// Issue 20: `keyscan --staged` from the release bundle is served by a resident process (src/cli/daemon/server.ts,
// the client in scripts/launcher.cjs) once one is up: the same output and exit codes as a run of its own, the
// client's environment (git's GIT_INDEX_FILE) and folder, nothing but pre-commit runs, only through a private folder,
// off when asked or in CI, a killed process's socket replaced, and an exit when idle or told to stop.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { connect as connectSocket, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { askAll } from "../../src/cli/daemon/client.js";
import { DAEMON_ARG, lineReader, MAX_REQUEST_BYTES, parseRequest } from "../../src/cli/daemon/protocol.js";
import { isPreCommitRun } from "../../src/cli/daemon/server.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { newKey, tempRepos } from "../git/repo.js";

const ROOT = resolve(__dirname, "../..");
const LAUNCHER = join(ROOT, "dist/bundle/keyscan.js");
const repo = tempRepos();
const caches: string[] = [];

/** A cache folder of its own (short: a socket path has at most ~100 bytes). */
function newCache(): string {
  const dir = mkdtempSync(join(tmpdir(), "ks-res-"));
  caches.push(dir);
  return dir;
}

function envFor(cache: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, KEYSCAN_CACHE_DIR: cache, NO_COLOR: "1", ...extra };
  if (!("KEYSCAN_DAEMON" in extra)) delete env.KEYSCAN_DAEMON;
  if (!("CI" in extra)) delete env.CI;
  for (const k of Object.keys(env)) if (k.startsWith("GIT_") && !(k in extra)) delete env[k];
  return env;
}

function keyscan(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], { cwd, env, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** keyscan without blocking this process (a fake server in it must answer meanwhile). */
function keyscanAsync(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => res({ status, stdout, stderr }));
  });
}

/** The summary's timing is the only part of a text report that differs between two runs. */
const untimed = (text: string): string => text.replace(/\(\d+\.\d MB, \d+ ms\)/g, "(…)");

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  for (const cache of caches) {
    await askAll(cache, "stop");
    rmSync(cache, { recursive: true, force: true });
  }
});

function stagedKey() {
  const r = repo();
  r.write("README.md", "# app\n");
  r.commitAll("initial");
  r.write("app.env", `GETIMG_API_KEY=${newKey()}\n`);
  r.git("add", "app.env");
  return r;
}

describe("issue 20: the resident pre-commit process", { timeout: 120_000 }, () => {
  it("serves later runs with the output, exit codes, environment and folder of a run of their own", async () => {
    const r = stagedKey();
    const cache = newCache();
    const env = envFor(cache);
    const own = keyscan(r.dir, envFor(cache, { KEYSCAN_DAEMON: "off" }), "--staged");
    expect(own.status, own.stderr).toBe(1);
    expect(await askAll(cache, "status")).toEqual([]); // off: none started

    const first = keyscan(r.dir, env, "--staged"); // none up: scans itself, then starts one
    expect(first.status, first.stderr).toBe(1);
    const up = await until("a resident process", async () => (await askAll(cache, "status"))[0]);
    expect(up!.served).toBe(0);
    expect(readdirSync(join(cache, "daemon")).filter((f) => f.endsWith(".sock"))).toHaveLength(1);

    const served = keyscan(r.dir, env, "--staged");
    expect(served.status, served.stderr).toBe(1);
    expect(untimed(served.stdout)).toBe(untimed(own.stdout));
    expect(served.stdout).toMatch(/1 secret found/);
    const json = keyscan(r.dir, env, "--staged", "-f", "json");
    const ownJson = keyscan(r.dir, envFor(cache, { KEYSCAN_DAEMON: "off" }), "--staged", "-f", "json");
    expect(json.status).toBe(1);
    const findings = (out: string) => (JSON.parse(out) as { findings: unknown[] }).findings;
    expect(findings(json.stdout)).toEqual(findings(ownJson.stdout));
    expect((await askAll(cache, "status"))[0]!.served).toBe(2);
    // A report written by the server has the mode a run of its own gives it (the socket's umask is not the runs').
    const modeOf = (file: string) => statSync(join(r.dir, file)).mode & 0o777;
    keyscan(r.dir, env, "--staged", "-o", "served.json");
    keyscan(r.dir, envFor(cache, { KEYSCAN_DAEMON: "off" }), "--staged", "-o", "own.json");
    expect(modeOf("served.json")).toBe(modeOf("own.json"));
    expect((await askAll(cache, "status"))[0]!.served).toBe(3);

    // A clean index, and the key staged in another index only, named by GIT_INDEX_FILE as git does for a hook.
    r.git("rm", "-q", "--cached", "app.env");
    const clean = keyscan(r.dir, env, "--staged");
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);
    const alt = join(r.dir, ".git", "alt-index");
    spawnSync("git", ["read-tree", "HEAD"], { cwd: r.dir, env: { ...process.env, GIT_INDEX_FILE: alt } });
    spawnSync("git", ["add", "app.env"], { cwd: r.dir, env: { ...process.env, GIT_INDEX_FILE: alt } });
    const viaAlt = keyscan(r.dir, envFor(cache, { GIT_INDEX_FILE: alt }), "--staged");
    expect(viaAlt.status, viaAlt.stderr).toBe(1);
    expect((await askAll(cache, "status"))[0]!.served).toBe(5);

    // Not a pre-commit run: refused, and scanned by the client itself.
    const refused = keyscan(r.dir, env, "--staged", "--fail-on", "none");
    expect(refused.status, refused.stderr).toBe(0);
    expect(refused.stdout).toMatch(/secret|no secrets/);
    expect((await askAll(cache, "status"))[0]!.served).toBe(5);

    const stop = keyscan(r.dir, env, "daemon", "stop");
    expect(stop.stdout).toMatch(/1 resident pre-commit process stopped/);
    await until("the process to exit", () => (alive(up!.pid) ? undefined : true));
    expect(existsSync(up!.socket)).toBe(false);
    expect(keyscan(r.dir, env, "daemon").stdout).toMatch(/no resident pre-commit process/);
  });

  it("is not used through a folder others can open, when off, in CI, or for other commands", async () => {
    const r = stagedKey();
    const open = newCache();
    const folder = join(open, "daemon");
    keyscan(r.dir, envFor(open, { KEYSCAN_DAEMON: "off" }), "--staged");
    spawnSync("mkdir", ["-p", folder]);
    chmodSync(folder, 0o755);
    expect(keyscan(r.dir, envFor(open), "--staged").status).toBe(1);
    await new Promise((res) => setTimeout(res, 1500));
    expect(readdirSync(folder)).toEqual([]);

    const cache = newCache();
    const runs: Array<[Record<string, string>, string[]]> = [
      [{ KEYSCAN_DAEMON: "off" }, ["--staged"]],
      [{ CI: "true" }, ["--staged"]],
      [{}, ["."]],
    ];
    for (const [extra, args] of runs) {
      expect(keyscan(r.dir, envFor(cache, extra), ...args).status).toBe(1);
      await new Promise((res) => setTimeout(res, 1000));
      expect(existsSync(join(cache, "daemon"))).toBe(false);
    }
  });

  it("replaces the socket of a killed process, and exits when idle", async () => {
    const r = stagedKey();
    const cache = newCache();
    const env = envFor(cache, { KEYSCAN_DAEMON_IDLE: "3" });
    expect(keyscan(r.dir, env, "--staged").status).toBe(1);
    const first = await until("a resident process", async () => (await askAll(cache, "status"))[0]);
    expect(first!.idleSeconds).toBe(3);
    process.kill(first!.pid, "SIGKILL");
    await until("the kill", () => (alive(first!.pid) ? undefined : true));
    expect(existsSync(first!.socket)).toBe(true); // left behind

    expect(keyscan(r.dir, env, "--staged").status).toBe(1); // nobody answers: scans itself, starts another
    const second = await until("another resident process", async () => {
      const s = (await askAll(cache, "status"))[0];
      return s && s.pid !== first!.pid ? s : undefined;
    });
    expect(second!.socket).toBe(first!.socket);
    // Idle for 3 s: it exits and takes its socket with it.
    await until("the idle exit", () => (alive(second!.pid) ? undefined : true), 20_000);
    expect(existsSync(second!.socket)).toBe(false);
  });

  it("answers only well-formed requests of bounded size", async () => {
    const r = stagedKey();
    const cache = newCache();
    keyscan(r.dir, envFor(cache), "--staged");
    const up = await until("a resident process", async () => (await askAll(cache, "status"))[0]);
    const exchange = (payload: Buffer | string) =>
      new Promise<{ answer: string; closed: boolean }>((res) => {
        const c = connectSocket(up!.socket);
        let answer = "";
        c.on("data", (d) => (answer += d.toString()));
        c.on("error", () => undefined);
        c.on("close", () => res({ answer, closed: true }));
        c.write(payload);
      });
    expect((await exchange("not json\n")).answer).toMatch(/"refused"/);
    expect((await exchange(`${JSON.stringify({ v: 1, kind: "run", argv: ["history"], cwd: r.dir, env: {} })}\n`)).answer).toMatch(/not a pre-commit run/);
    const big = await exchange(Buffer.alloc(MAX_REQUEST_BYTES + 65536, 0x61));
    expect(big).toEqual({ answer: "", closed: true });
    expect((await askAll(cache, "status"))[0]!.served).toBe(0);
  });
});

describe("issue 20: the launcher, as the resident process's client", { timeout: 120_000 }, () => {
  /** The socket a resident process for this build listens on (found by starting one, then stopped). */
  async function socketOf(dir: string, cache: string): Promise<string> {
    keyscan(dir, envFor(cache), "--staged");
    const up = await until("a resident process", async () => (await askAll(cache, "status"))[0]);
    await askAll(cache, "stop");
    await until("the process to exit", () => (alive(up.pid) ? undefined : true));
    return up.socket;
  }

  it("scans by itself when the process does not take the run, and exits 2 when it stops during the run", async () => {
    const r = stagedKey();
    const cache = newCache();
    const socket = await socketOf(r.dir, cache);
    let mode: "silent" | "dies" = "silent";
    const conns = new Set<import("node:net").Socket>();
    const fake = createServer((c) => {
      conns.add(c);
      c.on("error", () => undefined);
      if (mode === "dies") {
        c.write(`${JSON.stringify({ t: "accepted" })}\n${JSON.stringify({ t: "out", s: "partial " })}\n`);
        c.end();
      } // silent: never answers (a process busy with another run)
    });
    await new Promise<void>((res) => fake.listen(socket, res));
    try {
      const busy = await keyscanAsync(r.dir, envFor(cache), "--staged");
      expect(busy.status, busy.stderr).toBe(1);
      expect(busy.stdout).toMatch(/1 secret found/);
      mode = "dies";
      const died = await keyscanAsync(r.dir, envFor(cache), "--staged");
      expect(died.status).toBe(2);
      expect(died.stderr).toMatch(/resident pre-commit process stopped during the scan/);
    } finally {
      for (const c of conns) c.destroy();
      await new Promise((res) => fake.close(res));
    }
  });
});

describe("issue 20: the resident process's wire format", () => {
  it("parses run, status and stop requests and rejects the rest", () => {
    expect(parseRequest(JSON.stringify({ v: 1, kind: "stop" }))).toEqual({ v: 1, kind: "stop" });
    const run = parseRequest(JSON.stringify({ v: 1, kind: "run", argv: ["--staged"], cwd: "/x", env: { A: "b" }, stdoutIsTTY: true, stderrIsTTY: 1 }));
    expect(run).toEqual({ v: 1, kind: "run", argv: ["--staged"], cwd: "/x", env: { A: "b" }, stdoutIsTTY: true, stderrIsTTY: false });
    for (const bad of ["[]", "1", '{"v":2,"kind":"stop"}', '{"v":1,"kind":"exec"}', '{"v":1,"kind":"run","argv":[1],"cwd":"/","env":{}}', '{"v":1,"kind":"run","argv":[],"cwd":"/","env":{"A":1}}', '{"v":1,"kind":"run","argv":[],"cwd":"rel","env":{}}']) {
      expect(parseRequest(bad)).toHaveProperty("error");
    }
  });

  it("splits lines across chunks and stops at the size bound", () => {
    const lines: string[] = [];
    let over = 0;
    const feed = lineReader(8, (l) => lines.push(l), () => over++);
    feed(Buffer.from("ab"));
    feed(Buffer.from("c\nde\nf"));
    feed(Buffer.from("g\n"));
    expect(lines).toEqual(["abc", "de", "fg"]);
    feed(Buffer.from("123456789"));
    feed(Buffer.from("\n"));
    expect(over).toBe(1);
    expect(lines).toHaveLength(3);
  });

  it("serves the hook's arguments with --staged and nothing else; the launcher starts it with the same argument", () => {
    expect(isPreCommitRun(["--staged"])).toBe(true);
    expect(isPreCommitRun(["--staged", "-f", "json", "--no-redact"])).toBe(true);
    expect(isPreCommitRun(["."])).toBe(false);
    expect(isPreCommitRun(["--staged", "--config", "x.yaml"])).toBe(false);
    expect(isPreCommitRun(["history", "--staged"])).toBe(false);
    expect(readFileSync(join(ROOT, "scripts/launcher.cjs"), "utf8")).toContain(`const DAEMON_ARG = "${DAEMON_ARG}";`);
  });
});

describe("issue 20: a process that loads the same rules again keeps them", () => {
  it("takes the rule set it read last while the image file is unchanged, and reads a changed one", () => {
    const root = mkdtempSync(join(tmpdir(), "ks-memo-"));
    caches.push(root);
    const rules = join(root, "rules");
    mkdirSync(rules);
    copyFileSync(join(ROOT, "rules", "getimg.yaml"), join(rules, "getimg.yaml"));
    const options = { builtin: false, extra: [{ path: rules }], cacheDir: join(root, "cache") } as const;
    const compiled = loadRules(options); // compiles, and writes the image
    const first = loadRules(options);
    expect(first).not.toBe(compiled);
    expect(loadRules(options)).toBe(first);
    const image = readdirSync(options.cacheDir).filter((f) => /^rule-set-.*\.bin$/.test(f));
    expect(image).toHaveLength(1);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(options.cacheDir, image[0]!), later, later);
    const reread = loadRules(options);
    expect(reread).not.toBe(first);
    expect(reread.rules.map((r) => r.id)).toEqual(first.rules.map((r) => r.id));
    expect(loadRules(options)).toBe(reread);
    expect(loadRules({ ...options, disable: ["getimg.api-key"] })).not.toBe(reread);
  });
});
