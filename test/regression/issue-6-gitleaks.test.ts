// Issue 6, part 4: a gitleaks config (.gitleaks.toml) loads with --config / --gitleaks-config; Go regex syntax is
// translated or rejected with the rule id and the construct; allowlists apply. The config is written in the test.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { translateGoRegex } from "../../src/engine/gitleaks.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";

const rand = seededRandom("issue-6-gitleaks");

const CONFIG = `
title = "team rules"

[extend]
useDefault = true

[[rules]]
id = "Acme-Token"
description = "Acme API token"
regex = '''(?i)\\bacme[_-]?token\\s*[:=]\\s*["']?(?P<tok>[[:alnum:]]{32})\\b'''
secretGroup = 1
entropy = 3.0
keywords = ["acme"]

[[rules]]
id = "widget-key"
description = "Widget key"
regex = '''wdg_(?i:live|test)_([[:xdigit:]]{24})\\b'''
keywords = ["wdg_"]
  [[rules.allowlists]]
  regexes = ['''^0{24}$''']
  stopwords = ["deadbeef"]

[[rules]]
id = "internal-password"
regex = '''internal_pw\\s*=\\s*"([^"]{12,64})"'''
keywords = ["internal_pw"]
  [rules.allowlist]
  regexTarget = "line"
  regexes = ['''# ?test fixture''']

[[rules]]
id = "p12-file"
path = '''\\.p12$'''

[allowlist]
paths = ['''(^|/)vendor/''']
`;

function setup(config = CONFIG) {
  const dir = mkdtempSync(join(tmpdir(), "keyscan-gitleaks-"));
  writeFileSync(join(dir, ".gitleaks.toml"), config);
  return dir;
}

describe("gitleaks config import", () => {
  it("translates (?i), (?P<>), (?i:…), POSIX classes and \\z", () => {
    const t = translateGoRegex("(?i)key_(?P<v>[[:alnum:]]{4})", "t");
    expect(t).toEqual({ source: "key_(?<v>[A-Za-z0-9]{4})", flags: "i" });
    const inline = translateGoRegex("wdg_(?i:live)_x\\z", "t");
    expect(inline.flags).toBe("");
    expect(new RegExp(inline.source).test("wdg_LiVe_x")).toBe(true);
    expect(new RegExp(inline.source).test("WDG_live_x")).toBe(false);
    expect(new RegExp(inline.source).test("wdg_live_x\n")).toBe(false);
  });

  it("finds secrets with the imported rules and applies rule and global allowlists", async () => {
    const dir = setup();
    const acme = generateSecret("{alnum:32}", rand);
    const widget = generateSecret("{hex:24}", rand);
    const internal = generateSecret("{alnum:20}", rand);
    writeFileSync(join(dir, "app.py"), `ACME_TOKEN = "${acme}"\nw = "wdg_LIVE_${widget}"\ninternal_pw = "${internal}"\n`);
    writeFileSync(join(dir, "fixture.py"), `internal_pw = "${generateSecret("{alnum:20}", rand)}"  # test fixture\nz = "wdg_live_${"0".repeat(24)}"\nq = "wdg_test_deadbeef${generateSecret("{hex:16}", rand)}"\n`);
    writeFileSync(join(dir, "vendor.txt"), "");
    const vendorDir = join(dir, "vendor");
    (await import("node:fs")).mkdirSync(vendorDir);
    writeFileSync(join(vendorDir, "lib.py"), `ACME_TOKEN = "${generateSecret("{alnum:32}", rand)}"\n`);

    const res = await run(["--config", ".gitleaks.toml", "--format", "json", "--no-redact", "."], { cwd: dir, env: {} });
    expect(res.exitCode).toBe(1);
    const findings = JSON.parse(res.stdout).findings as Array<{ ruleId: string; secret: string; path: string }>;
    expect(findings.map((f) => [f.ruleId, f.secret, f.path]).sort()).toEqual(
      [
        ["gitleaks.acme-token", acme, "app.py"],
        ["gitleaks.widget-key", widget, "app.py"],
        ["gitleaks.internal-password", internal, "app.py"],
      ].sort(),
    );
    expect(res.stderr).toMatch(/warning: .*\[extend\]/);
    expect(res.stderr).toMatch(/warning: .*p12-file.*path/);

    const same = await run(["--gitleaks-config", ".gitleaks.toml", "--format", "json", "."], { cwd: dir, env: {} });
    expect(JSON.parse(same.stdout).findings).toHaveLength(3);
  });

  it("rejects untranslatable constructs with exit 2, naming the rule and the construct", async () => {
    const dir = setup(`[[rules]]\nid = "uni"\nregex = '''\\p{Greek}{8}'''\nkeywords = ["x"]\n`);
    const res = await run(["--config", ".gitleaks.toml", "."], { cwd: dir, env: {} });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/gitleaks rule uni.*`\\p`/);
    const dir2 = setup(`[[rules]]\nid = "lazy"\nregex = '''(?U)a+'''\n`);
    const res2 = await run(["--gitleaks-config", ".gitleaks.toml", "."], { cwd: dir2, env: {} });
    expect(res2.exitCode).toBe(2);
    expect(res2.stderr).toMatch(/lazy.*\(\?U\)/);
  });
});
