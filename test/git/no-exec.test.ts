// Scanning an untrusted clone must execute nothing the clone configures. The repository's .git/config points
// fsmonitor, hooks, clean/smudge/process filters, textconv, external diff and gpg at a script that records every
// call in a marker file; a control shows the script really runs under ordinary git commands, and then
// `--staged`, `diff` and `history` must leave no trace.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TempRepo, newKey } from "./repo.js";

let repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos) r.cleanup();
  repos = [];
});

describe("git is driven without running repository-configured programs", () => {
  it("runs no fsmonitor, hook, filter, textconv, external diff or gpg program", async () => {
    const r = TempRepo.create();
    repos.push(r);
    const marker = join(r.base, "marker.log");
    const script = join(r.base, "evil.sh");
    // Records the call, then behaves like a pass-through filter so ordinary git commands still work.
    writeFileSync(script, `#!/bin/sh\necho "$1" >> ${JSON.stringify(marker)}\n[ "$1" = fsmonitor ] && exit 1\ncat\n`);
    chmodSync(script, 0o755);
    const hooks = join(r.base, "hooks");
    mkdirSync(hooks);
    for (const h of ["pre-commit", "post-checkout", "reference-transaction", "pre-auto-gc"]) {
      writeFileSync(join(hooks, h), `#!/bin/sh\n${JSON.stringify(script)} hook-${h} </dev/null\n`);
      chmodSync(join(hooks, h), 0o755);
    }

    const key = newKey();
    r.write(".gitattributes", "* filter=evil diff=evil\n");
    r.write("app.env", "PORT=1\n");
    const first = r.commitAll("initial");
    r.write("app.env", `PORT=1\nGETIMG_API_KEY=${key}\n`);
    r.commitAll("key");
    r.write("app.env", `PORT=2\nGETIMG_API_KEY=${key}\nGETIMG_KEY=${newKey()}\n`);
    r.git("add", "app.env"); // staged before the hostile config exists

    appendFileSync(
      join(r.dir, ".git", "config"),
      [
        "[core]",
        `\tfsmonitor = ${script} fsmonitor`,
        `\thooksPath = ${hooks}`,
        `\tpager = ${script} pager`,
        '[filter "evil"]',
        `\tclean = ${script} clean`,
        `\tsmudge = ${script} smudge`,
        `\tprocess = ${script} process`,
        '[diff "evil"]',
        `\ttextconv = ${script} textconv`,
        `\tcommand = ${script} diff-driver`,
        "[diff]",
        `\texternal = ${script} external`,
        "[log]",
        "\tshowSignature = true",
        "[gpg]",
        `\tprogram = ${script} gpg`,
        "",
      ].join("\n"),
    );

    // Control: the configuration is live, so ordinary git commands do run the script.
    r.tryGit("status");
    r.tryGit("diff", "HEAD~1", "HEAD");
    r.tryGit("log", "-p", "-1", "--no-ext-diff");
    expect(existsSync(marker)).toBe(true);
    const control = readFileSync(marker, "utf8");
    expect(control).toMatch(/fsmonitor/);
    expect(control).toMatch(/diff-driver|external/);
    expect(control).toMatch(/textconv/);
    expect(control).toMatch(/process|clean/);
    rmSync(marker);

    const staged = await r.keyscan("--staged");
    expect(staged.exitCode).toBe(1);
    const diff = await r.keyscan("diff", `${first}..HEAD`);
    expect(diff.exitCode).toBe(1);
    const history = await r.keyscan("history", "--all-refs");
    expect(history.exitCode).toBe(1);
    expect(history.result!.findings.map((f) => f.secret)).toEqual([key]);
    expect(existsSync(marker) ? readFileSync(marker, "utf8") : "").toBe("");
  });
});
