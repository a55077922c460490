// Issue 17: rules scoped to file names (`paths:`) and password fields (`secret.password`). The globs, the password
// value test, and that the matcher core runs a path-scoped rule only on its files — on this thread, from bytes and in
// the worker pool — while a keyword-less one (.pgpass) never makes other files decode.
import { describe, expect, it } from "vitest";
import { compilePathGlobs } from "../../src/engine/path-scope.js";
import { isPasswordPlaceholder } from "../../src/engine/filters/password.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { scanText } from "../../src/engine/scan-text.js";
import { scanBytes } from "../../src/engine/scan-bytes.js";
import { scan } from "../../src/scan.js";
import type { Source } from "../../src/sources/types.js";
import { secrets } from "../helpers.js";

const ruleset = loadRules();
const gen = secrets("path-scope");

describe("path globs", () => {
  const re = compilePathGlobs([".netrc", "*.tfvars", ".docker/config.json", "**/mysql/**/*.cnf", "kubeconfig*.y{a,}ml"], "test");
  it.each([
    [".netrc", true],
    ["home/u/.netrc", true],
    ["C:/Users/u/.NETRC", true],
    ["x.netrc", false],
    [".netrc.bak", false],
    ["envs/prod/terraform.tfvars", true],
    ["prod.auto.tfvars", true],
    ["terraform.tfvars.example", false],
    ["home/u/.docker/config.json", true],
    ["config.json", false],
    ["my.docker/config.json", false],
    ["etc/mysql/conf.d/client.cnf", true],
    ["mysql/my.cnf", true],
    ["kubeconfig.yml", true],
    ["kubeconfig-prod.yaml", true],
  ])("%s → %s", (path, expected) => {
    expect(re.test(path)).toBe(expected);
  });
});

describe("password values", () => {
  it.each(["hunter2", "Summer2024!", "correct-horse-battery", "summerRain", "x7", "P@55w0rd!9", "a<7>c{{d"])("%s is a password", (v) => {
    expect(isPasswordPlaceholder(v)).toBe(false);
  });
  it.each(["", "changeme", "password", "PASSWORD", "${DB_PASS}", "$DB_PASS", "%PASS%", "{{ .Values.pw }}", "<password>", "<your", "***", "xxxx", "your_password", "password_here", "put your unique phrase here", "root", "postgres", "env(DB_PASS)", "<%= ENV['X'] %>"])(
    "%j is not",
    (v) => {
      expect(isPasswordPlaceholder(v)).toBe(true);
    },
  );
});

describe("path-scoped rules in the matcher core", () => {
  const pw = gen("{lower:5}{digits:2}");
  const netrc = `machine ftp.example.net\nlogin deploy\npassword ${pw}\n`;
  const pgpass = `db.example.net:5432:app:app:${pw}\n`;

  it("runs only on a matching path, and not at all without one", () => {
    expect(scanText(netrc, ruleset, { path: "home/u/.netrc" }).map((f) => [f.rule.id, f.secret, f.line, f.column, f.confidence])).toEqual([["netrc.password", pw, 3, 10, "high"]]);
    expect(scanText(netrc, ruleset, { path: "docs/netrc.txt" }).map((f) => f.rule.id)).toEqual([]);
    expect(scanText(netrc, ruleset).map((f) => f.rule.id)).toEqual([]);
    expect(scanText(netrc, ruleset, { path: "C:\\Users\\u\\_netrc" }).map((f) => f.rule.id)).toEqual(["netrc.password"]);
  });

  it("a keyword-less rule (.pgpass) runs by its path, and its path alone makes bytes decode", () => {
    expect(ruleset.prefilter.pathGated.map((m) => m.rule.id)).toContain("pgpass.password");
    const data = Buffer.from(pgpass);
    expect(ruleset.prefilter.mayMatchBytes(data)).toBe(false); // no keyword: other files are never decoded for it
    const found = scanBytes(data, ruleset, { path: "home/u/.pgpass" });
    expect(found.ok && found.findings.map((f) => [f.rule.id, f.secret, f.column])).toEqual([["pgpass.password", pw, 29]]);
    const elsewhere = scanBytes(data, ruleset, { path: "notes.txt" });
    expect(elsewhere.ok && elsewhere.findings).toEqual([]);
  });

  it("a path-scoped rule does not take a finding from another rule outside its files", () => {
    const key = gen("{alnum:24}");
    const text = `password = ${key}\n`;
    expect(scanText(text, ruleset, { path: "app/settings.ini" }).map((f) => f.rule.id)).toEqual(["generic.secret-assignment"]);
    expect(scanText(text, ruleset, { path: ".pypirc" }).map((f) => f.rule.id)).toEqual(["pypirc.password"]);
  });

  it("the scan passes each item's path to the worker pool too", async () => {
    const items = Array.from({ length: 6 }, (_, i) => ({ path: i % 2 ? `u${i}/.pgpass` : `u${i}/notes.txt`, data: Buffer.from(pgpass) }));
    const source: Source = {
      description: "test",
      async *items() {
        for (const it of items) yield { type: "bytes", data: it.data, bytes: it.data.length, provenance: { kind: "file", path: it.path } } as never;
      },
    };
    const result = await scan(source, ruleset, { threads: 2, poolAfter: { bytes: 0, items: 0 } });
    expect(result.findings.map((f) => [f.path, f.ruleId])).toEqual([
      ["u1/.pgpass", "pgpass.password"],
      ["u3/.pgpass", "pgpass.password"],
      ["u5/.pgpass", "pgpass.password"],
    ]);
  });
});
