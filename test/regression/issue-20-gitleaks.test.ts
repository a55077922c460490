// Issue 20: at home for gitleaks users — gitleaks' flags (--report-path, --report-format, --exit-code,
// --baseline-path with a gitleaks report, --log-opts), its files (.gitleaks.toml when keyscan has no config,
// .gitleaksignore beside .keyscanignore), --fail-on with the same values in `keyscan .` and `keyscan ci`, report-only
// mode, and "did you mean" for a mistyped flag or command.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { FAIL_ON_CHOICES } from "../../src/cli/exit-policy.js";
import { parseLogOpts } from "../../src/cli/log-opts.js";
import { closest } from "../../src/cli/did-you-mean.js";
import type { ScanResult } from "../../src/report/types.js";
import { newKey, tempRepos } from "../git/repo.js";

const repo = tempRepos();
const env = { NO_COLOR: "1" };
const ks = (cwd: string, ...argv: string[]) => run(argv, { cwd, env });

/** A repository with one committed getimg key (severity high) in app.env. */
function withKey() {
  const r = repo();
  const key = newKey();
  r.write("app.env", `GETIMG_API_KEY=${key}\n`);
  r.commitAll("add key");
  return { r, key };
}

describe("issue 20: exit codes", { timeout: 120_000 }, () => {
  it("--exit-code N, --exit-code 0 and --no-fail (report only); --fail-on takes severities and none", async () => {
    const { r } = withKey();
    expect((await ks(r.dir, ".")).exitCode).toBe(1);
    expect((await ks(r.dir, ".", "--exit-code", "7")).exitCode).toBe(7);
    const zero = await ks(r.dir, ".", "--exit-code", "0");
    expect(zero.exitCode).toBe(0);
    expect(zero.stdout).toMatch(/1 secret found/);
    expect(zero.stderr).toMatch(/--exit-code 0: report only/);
    const noFail = await ks(r.dir, ".", "--no-fail");
    expect(noFail.exitCode).toBe(0);
    expect(noFail.stdout).toMatch(/app\.env:1:16/);
    expect((await ks(r.dir, ".", "--fail-on", "critical")).exitCode).toBe(0);
    expect((await ks(r.dir, ".", "--fail-on", "high")).exitCode).toBe(1);
    expect((await ks(r.dir, ".", "--fail-on", "none")).exitCode).toBe(0);
    expect((await ks(r.dir, "history", "--fail-on", "critical")).exitCode).toBe(0);
    expect((await ks(r.dir, "history", "--fail-on", "medium", "--exit-code", "9")).exitCode).toBe(9);
    const bad = await ks(r.dir, ".", "--exit-code", "-1");
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--exit-code -1: expected a whole number/);
  });

  it("`keyscan .` and `keyscan ci` offer the same --fail-on values", async () => {
    const help = async (...argv: string[]) => (await run([...argv, "--help"], { cwd: process.cwd(), env })).stdout.replace(/\s+/g, " ");
    const choices = (text: string) => /--fail-on .*?\[choices: ([^\]]*)\]/.exec(text)?.[1];
    const scanChoices = choices(await help());
    expect(scanChoices).toBe(FAIL_ON_CHOICES.map((c) => `"${c}"`).join(", "));
    expect(choices(await help("ci"))).toBe(scanChoices);
    expect(choices(await help("history"))).toBe(scanChoices);
  });
});

describe("issue 20: gitleaks' report flags", { timeout: 120_000 }, () => {
  it("--report-path and --report-format write the named format; csv, junit and template say what to use", async () => {
    const { r } = withKey();
    const out = await ks(r.dir, ".", "--report-format", "sarif", "--report-path", "out.sarif");
    expect(out.exitCode).toBe(1);
    expect(JSON.parse(readFileSync(join(r.dir, "out.sarif"), "utf8")).version).toBe("2.1.0");
    for (const [name, hint] of [["csv", /--format json/], ["junit", /--format sarif/], ["template", /jq/]] as const) {
      const res = await ks(r.dir, ".", "--report-format", name);
      expect(res.exitCode, name).toBe(2);
      expect(res.stderr, name).toMatch(hint);
    }
  });

  it("--baseline-path takes a gitleaks JSON report: by secret, or by file:rule:line when redacted", async () => {
    const { r, key } = withKey();
    const head = r.head();
    writeFileSync(join(r.home, "gl.json"), JSON.stringify([{ RuleID: "getimg-key", File: "app.env", StartLine: 1, Secret: key, Fingerprint: `${head}:app.env:getimg-key:1` }]));
    const bySecret = await ks(r.dir, ".", "--baseline-path", join(r.home, "gl.json"));
    expect(bySecret.exitCode, bySecret.stderr).toBe(0);
    expect(bySecret.stderr).toMatch(/is a gitleaks report: 1 entry matched by secret/);
    writeFileSync(join(r.home, "red.json"), JSON.stringify([{ RuleID: "getimg-key", File: "app.env", StartLine: 1, Secret: "REDACTED", Fingerprint: "app.env:getimg-key:1" }]));
    expect((await ks(r.dir, ".", "--baseline-path", join(r.home, "red.json"))).exitCode).toBe(0);
    writeFileSync(join(r.home, "other.json"), JSON.stringify([{ RuleID: "getimg-key", Secret: "REDACTED", Fingerprint: "app.env:getimg-key:2" }]));
    expect((await ks(r.dir, ".", "--baseline-path", join(r.home, "other.json"))).exitCode).toBe(1);
  });
});

describe("issue 20: gitleaks' files", { timeout: 120_000 }, () => {
  const toml = `[[rules]]\nid = "acme-token"\ndescription = "Acme token"\nregex = '''acme_[a-z0-9]{24}'''\n`;
  const token = `acme_${"x1y2z3".repeat(4)}`;

  it(".gitleaks.toml is used (and said) when keyscan has no config, not when it has one", async () => {
    const r = repo();
    r.write("a.txt", `token = ${token}\n`);
    r.write(".gitleaks.toml", toml);
    const used = await ks(r.dir, ".", "--format", "json");
    expect(used.stderr).toMatch(/using \.gitleaks\.toml/);
    expect((JSON.parse(used.stdout) as ScanResult).findings.map((f) => f.ruleId)).toEqual(["gitleaks.acme-token"]);
    r.write(".keyscan.yaml", "exclude: []\n");
    const mine = await ks(r.dir, ".", "--format", "json");
    expect(mine.stderr).not.toMatch(/\.gitleaks\.toml/);
    expect((JSON.parse(mine.stdout) as ScanResult).findings).toEqual([]);
  });

  it(".gitleaksignore entries (file:rule:line, commit:file:rule:line) silence findings beside .keyscanignore", async () => {
    const { r } = withKey();
    r.write(".gitleaksignore", "# gitleaks\napp.env:getimg-api-key:2\n");
    expect((await ks(r.dir, ".")).exitCode).toBe(1); // another line
    r.write(".gitleaksignore", "app.env:getimg-api-key:1\n");
    const tree = await ks(r.dir, ".");
    expect(tree.exitCode).toBe(0);
    expect(tree.stderr).toMatch(/using \.gitleaksignore \(1 entry/);
    expect(tree.stdout).toMatch(/not shown: 1 ignored by gitleaks fingerprint/);
    const commit = r.head();
    r.write(".gitleaksignore", `${"0".repeat(40)}:app.env:getimg-api-key:1\n`);
    expect((await ks(r.dir, "history")).exitCode).toBe(1); // another commit
    r.write(".gitleaksignore", `${commit}:app.env:getimg-api-key:1\n`);
    expect((await ks(r.dir, "history")).exitCode).toBe(0);
  });
});

describe("issue 20: --log-opts", { timeout: 120_000 }, () => {
  it("passes options that select commits, and refuses any that could run a program or touch a file", async () => {
    expect(parseLogOpts(`--all --since="2024-01-01 00:00" -n 5 main..dev ^old`).args).toEqual(["--all", "--since=2024-01-01 00:00", "--max-count=5", "main..dev", "^old"]);
    for (const bad of ["--output=/tmp/x", "--ext-diff", "-c core.pager=sh", "--exec=sh", "--textconv", "-- src", "--upload-pack=x", "-p", "$(id)"]) {
      expect(() => parseLogOpts(bad), bad).toThrow(/not allowed|not taken/);
    }
    const { r } = withKey();
    const first = r.head();
    r.write("later.env", `GETIMG_API_KEY=${newKey()}\n`);
    r.commitAll("second key");
    const refused = await ks(r.dir, "history", "--log-opts", "--output=/tmp/keyscan-should-not-exist HEAD");
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/`--output=\/tmp\/keyscan-should-not-exist` is not allowed/);
    const one = await ks(r.dir, "history", "--log-opts", `${first}..HEAD`, "--format", "json");
    expect(one.exitCode, one.stderr).toBe(1);
    expect((JSON.parse(one.stdout) as ScanResult).findings.map((f) => f.path)).toEqual(["later.env"]);
    const all = await ks(r.dir, "history", "--log-opts=--all", "--format", "json");
    expect((JSON.parse(all.stdout) as ScanResult).findings.map((f) => f.path).sort()).toEqual(["app.env", "later.env"]);
    const diff = await ks(r.dir, "diff", "--log-opts", `${first}..HEAD`, "--format", "json");
    expect((JSON.parse(diff.stdout) as ScanResult).findings.map((f) => f.path)).toEqual(["later.env"]);
  });
});

describe("issue 20: did you mean", () => {
  it("suggests the nearest flag or command", async () => {
    const cwd = process.cwd();
    const flag = await run(["--repot-path", "x.json"], { cwd, env });
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toMatch(/did you mean --report-path \(for --repot-path\)\?/);
    const ciFlag = await run(["ci", "--fial-on", "none"], { cwd, env });
    expect(ciFlag.stderr).toMatch(/did you mean --fail-on/);
    const cmd = await run(["histroy"], { cwd, env });
    expect(cmd.exitCode).toBe(2);
    expect(cmd.stderr).toMatch(/did you mean `keyscan history`\?/);
    expect(closest("zzzzzz", ["history", "diff"])).toBeUndefined();
    const negated = await run([".", "--no-colr"], { cwd, env });
    expect(negated.stderr).toMatch(/did you mean --no-color \(for --no-colr\)\?/);
    // gitleaks flags keyscan has no alias for say what to do instead.
    const gl = await run([".", "--no-banner", "-v", "--max-target-megabytes", "3"], { cwd, env });
    expect(gl.exitCode).toBe(2);
    expect(gl.stderr).toMatch(/--no-banner is gitleaks': keyscan prints no banner/);
    expect(gl.stderr).toMatch(/-v is gitleaks'/);
    expect(gl.stderr).toMatch(/--max-target-megabytes is gitleaks': use --max-file-size/);
  });
});
