// Issue 5: the CI integrations. The action's own shell step (taken from action.yml) runs `keyscan ci` on a real temp
// repository with a GitHub-like environment; the log must not let repository text inject workflow commands, the
// job summary, SARIF and step outputs must be written, exit codes must follow --fail-on, and a git failure must
// never look clean. Also: the annotation escaping rules, the summary size cap and the pre-commit hook file.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { run } from "../../src/cli/run.js";
import { escapeData, escapeProperty } from "../../src/report/github.js";
import { truncateMarkdown } from "../../src/report/markdown.js";
import { secrets, tempDir, writeTree } from "../helpers.js";

const REPO_ROOT = resolve(__dirname, "../..");
const action = parse(readFileSync(join(REPO_ROOT, "action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Array<{ id?: string; run?: string; env?: Record<string, string>; uses?: string }> };
};

/** What the Actions runner would execute from this log: commands outside `::stop-commands::` blocks. */
function workflowCommands(log: string): string[] {
  const commands: string[] = [];
  let stopToken: string | undefined;
  for (const line of log.split("\n")) {
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    const m = /^::stop-commands::(.+)$/.exec(line);
    if (m) stopToken = m[1];
    else if (line.startsWith("::")) commands.push(line);
  }
  expect(stopToken, "every stop-commands block is closed").toBeUndefined();
  return commands;
}

const t = tempDir("keyscan-issue5-");
const gen = secrets("issue-5");
const evilName = "::set-output name=leak::x\n::add-mask::y.env";
let key: string;

beforeAll(() => {
  key = gen("key-{alnum:96}");
  writeTree(t.dir, {
    "app.env": `GETIMG_API_KEY=${key}\n`,
    [evilName]: `GETIMG_API_KEY=${gen("key-{alnum:96}")}\n`,
    ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`more/k${i}.env`, `GETIMG_API_KEY=${gen("key-{alnum:96}")}\n`])),
  });
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: t.dir, GIT_AUTHOR_NAME: "a", GIT_AUTHOR_EMAIL: "a@example.invalid", GIT_COMMITTER_NAME: "a", GIT_COMMITTER_EMAIL: "a@example.invalid" };
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: t.dir, env });
  execFileSync("git", ["add", "-A"], { cwd: t.dir, env });
  execFileSync("git", ["commit", "-q", "-m", "init"], { cwd: t.dir, env });
});
afterAll(() => t.cleanup());

/** The action's "locate" step, run as on a release tag (issue 20: this checkout's dist/bundle/), and its outputs. */
function locate(inputs: Record<string, string>): Record<string, string> {
  const step = action.runs.steps.find((s) => s.id === "locate")!;
  const out = join(t.dir, "..", `locate-${process.pid}.txt`);
  writeFileSync(out, "");
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", ACTION_PATH: REPO_ROOT, GITHUB_OUTPUT: out, KEYSCAN_VERSION: inputs.version ?? "" };
  const r = spawnSync("bash", ["-e", "-c", step.run!], { env, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return Object.fromEntries(readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

function runActionStep(inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
  const step = action.runs.steps.find((s) => s.id === "scan")!;
  const located = locate(inputs);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: t.dir,
    ACTION_PATH: REPO_ROOT,
    GITHUB_STEP_SUMMARY: join(t.dir, "..", `summary-${process.pid}.md`),
    GITHUB_OUTPUT: join(t.dir, "..", `output-${process.pid}.txt`),
  };
  for (const [name, expr] of Object.entries(step.env ?? {})) {
    const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(expr)?.[1];
    if (input) env[name] = inputs[input] ?? action.inputs[input]?.default ?? "";
    const output = /^\$\{\{ steps\.locate\.outputs\.([\w-]+) \}\}$/.exec(expr)?.[1];
    if (output) env[name] = located[output] ?? "";
  }
  env.KEYSCAN_PATH = t.dir;
  writeFileSync(env.GITHUB_STEP_SUMMARY!, "");
  writeFileSync(env.GITHUB_OUTPUT!, "");
  const r = spawnSync("bash", ["-e", "-c", step.run!], { env: { ...env, ...extraEnv }, encoding: "utf8" });
  return { ...r, summary: readFileSync(env.GITHUB_STEP_SUMMARY!, "utf8"), outputs: readFileSync(env.GITHUB_OUTPUT!, "utf8") };
}

describe("action.yml", () => {
  it("is a composite action that never inlines ${{ }} into a shell script", () => {
    expect(action.runs.using).toBe("composite");
    for (const step of action.runs.steps) if (step.run) expect(step.run).not.toContain("${{");
    expect(Object.keys(action.inputs).sort()).toEqual(
      ["config", "deepen", "extra-args", "fail-on", "format", "mode", "node-version", "path", "redact", "sarif-file", "verify", "version"].sort(),
    );
    expect(Object.keys(action.outputs).sort()).toEqual(["findings", "sarif-file"]);
    expect(action.runs.steps.some((s) => s.uses?.startsWith("actions/setup-node@"))).toBe(true);
    // Issue 20: no dev toolchain install, third-party actions pinned by commit.
    for (const step of action.runs.steps) {
      expect(step.run ?? "").not.toMatch(/npm (ci|install)|tsc/);
      if (step.uses) expect(step.uses).toMatch(/@[0-9a-f]{40}$/);
    }
  });

  it("runs the bundle a release tag carries, else the published package of the named or checked-out version", () => {
    expect(locate({})).toEqual({ bin: join(REPO_ROOT, "dist/bundle/keyscan.js") });
    expect(locate({ version: "1.2.3" })).toEqual({ version: "1.2.3" });
  });

  it("its scan step writes annotations, summary, SARIF and outputs; repo text cannot inject commands", () => {
    expect(existsSync(join(REPO_ROOT, "dist/bundle/keyscan.js")), "the bundle is built (npm ci runs prepare; else npm run bundle)").toBe(true);
    const r = runActionStep({ mode: "tree", "sarif-file": "out.sarif", "extra-args": "--max-file-size 1MB" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain(key);
    expect(r.stdout).toContain("::set-output name=leak::x"); // printed, but only inside a stop-commands block
    const commands = workflowCommands(r.stdout);
    expect(commands.filter((c) => c.startsWith("::error ")).length).toBe(10);
    expect(commands.filter((c) => c.startsWith("::notice ")).length).toBe(1);
    for (const c of commands) expect(c).toMatch(/^::(error|notice) /);
    // The crafted name is an escaped property when annotated.
    expect(r.stdout).not.toMatch(/file=::set-output/);
    expect(r.summary).toMatch(/^## keyscan: 13 secrets found/);
    expect(r.summary).not.toContain(key);
    const sarifPath = join(t.dir, "out.sarif");
    expect(r.outputs).toBe(`findings=13\nsarif-file=${sarifPath}\n`);
    const sarif = JSON.parse(readFileSync(sarifPath, "utf8"));
    expect(sarif.runs[0].automationDetails.id).toBe("keyscan/tree/");
    expect(sarif.runs[0].results).toHaveLength(13);
  });

  it("extra-args reach the scan command; output flags are refused", () => {
    const r = runActionStep({ mode: "tree", "extra-args": "--max-file-size 10" });
    expect(r.status).toBe(0);
    expect(r.outputs).toBe("findings=0\n");
    const bad = runActionStep({ mode: "tree", "extra-args": "-o x.json" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/-o cannot be passed to the scan/);
  });

  it("fail-on decides the exit code", () => {
    expect(runActionStep({ mode: "tree", "fail-on": "none" }).status).toBe(0);
    expect(runActionStep({ mode: "tree", "fail-on": "critical" }).status).toBe(0); // getimg keys are high
    expect(runActionStep({ mode: "tree", "fail-on": "high" }).status).toBe(1);
    expect(runActionStep({ mode: "tree", "fail-on": "any" }).status).toBe(1);
    const verified = runActionStep({ mode: "tree", "fail-on": "verified" });
    expect(verified.status).toBe(2);
    expect(verified.stderr).toMatch(/--fail-on verified needs --verify/);
  });

  it("a git failure is exit 2 and writes no clean outputs", () => {
    const event = join(t.dir, "..", `event-${process.pid}.json`);
    writeFileSync(event, JSON.stringify({ ref: "refs/heads/main", before: "1".repeat(40), after: "2".repeat(40) }));
    const r = runActionStep({ mode: "diff", deepen: "false" }, { GITHUB_EVENT_NAME: "push", GITHUB_EVENT_PATH: event });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/keyscan: /);
    expect(r.outputs).toBe("");
    expect(r.summary).toBe("");
  });
});

describe("keyscan ci", () => {
  it("push: reports only what the pushed commits add, with the commit, as diff-category SARIF", async () => {
    const repo = tempDir("keyscan-issue5-push-");
    try {
      const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: repo.dir, GIT_AUTHOR_NAME: "Alice", GIT_AUTHOR_EMAIL: "alice@example.invalid", GIT_COMMITTER_NAME: "Alice", GIT_COMMITTER_EMAIL: "alice@example.invalid" };
      const git = (...args: string[]) => execFileSync("git", args, { cwd: repo.dir, env, encoding: "utf8" }).trim();
      git("init", "-q", "-b", "main");
      const old = gen("key-{alnum:96}");
      const added = gen("key-{alnum:96}");
      writeTree(repo.dir, { "old.env": `GETIMG_API_KEY=${old}\n` });
      git("add", "-A");
      git("commit", "-q", "-m", "old key, before the push");
      const before = git("rev-parse", "HEAD");
      writeTree(repo.dir, { "src/new.env": `GETIMG_API_KEY=${added}\n` });
      git("add", "-A");
      git("commit", "-q", "-m", "add a key");
      const after = git("rev-parse", "HEAD");
      const eventPath = join(repo.dir, "..", `push-${process.pid}.json`);
      writeFileSync(eventPath, JSON.stringify({ ref: "refs/heads/main", before, after, forced: false }));
      const out = await run(["ci", "--sarif-file", "out.sarif", "--summary-file", "summary.md", "--output-file", "outputs.txt"], {
        cwd: repo.dir,
        env: { ...env, GITHUB_EVENT_NAME: "push", GITHUB_EVENT_PATH: eventPath },
      });
      expect(out.stderr).toBe("");
      expect(out.exitCode).toBe(1);
      const commands = workflowCommands(out.stdout);
      expect(commands).toHaveLength(1);
      expect(commands[0]).toMatch(/^::error file=src\/new\.env,line=1,/);
      expect(commands[0]).toContain(`Introduced in commit ${after.slice(0, 12)} by Alice`);
      expect(out.stdout).not.toContain(added);
      expect(out.stdout).toContain(`scanning diff: push ${before.slice(0, 12)}..${after.slice(0, 12)}`);
      const sarif = JSON.parse(readFileSync(join(repo.dir, "out.sarif"), "utf8"));
      expect(sarif.runs[0].automationDetails.id).toBe("keyscan/diff/");
      expect(sarif.runs[0].results.map((r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => r.locations[0]!.physicalLocation.artifactLocation.uri)).toEqual(["src/new.env"]);
      expect(readFileSync(join(repo.dir, "summary.md"), "utf8")).toMatch(/keyscan: 1 secret found[\s\S]*Alice/);
      expect(readFileSync(join(repo.dir, "outputs.txt"), "utf8")).toBe(`findings=1\nsarif-file=${join(repo.dir, "out.sarif")}\n`);
    } finally {
      repo.cleanup();
    }
  });

  it("needs an event for diff mode, and says how to give one", async () => {
    const r = await run(["ci", "--mode", "diff"], { cwd: t.dir, env: {} });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/GITHUB_EVENT_PATH/);
  });
});

describe("workflow command escaping", () => {
  it("escapes data and properties as the runner expects", () => {
    expect(escapeData("50% done\r\nnext::x")).toBe("50%25 done%0D%0Anext::x");
    expect(escapeProperty("a,b:c%\n")).toBe("a%2Cb%3Ac%25%0A");
  });
});

describe("job summary size", () => {
  it("is cut at a line under the limit, with a note; small summaries are unchanged", () => {
    const row = `| ${"x".repeat(200)} |`;
    const big = ["## keyscan", "", ...Array.from({ length: 10_000 }, () => row)].join("\n");
    const cut = truncateMarkdown(big, 100_000);
    expect(Buffer.byteLength(cut, "utf8")).toBeLessThanOrEqual(100_000);
    expect(cut).toMatch(/\*\*Truncated:\*\* \d+ of 10002 lines/);
    expect(cut.startsWith("## keyscan\n\n| x")).toBe(true);
    expect(truncateMarkdown("small\n", 100)).toBe("small\n");
  });
});

describe(".pre-commit-hooks.yaml", () => {
  it("has a staged hook and a files hook, both node hooks running the package's bin (issue 20: from a release tag)", () => {
    const hooks = parse(readFileSync(join(REPO_ROOT, ".pre-commit-hooks.yaml"), "utf8")) as Array<Record<string, unknown>>;
    const staged = hooks.find((h) => h.id === "keyscan-staged")!;
    const files = hooks.find((h) => h.id === "keyscan")!;
    expect(staged).toMatchObject({ entry: "keyscan --staged", language: "node", pass_filenames: false });
    expect(files).toMatchObject({ entry: "keyscan", language: "node" });
    // Debian's pre-commit 3.0.4 refuses a hooks file that demands more; test/release/rehearsal.test.ts installs them.
    for (const h of hooks) expect(h.minimum_pre_commit_version).toBeUndefined();
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    expect(pkg.bin.keyscan).toBe("dist/bundle/keyscan.js");
  });
});
