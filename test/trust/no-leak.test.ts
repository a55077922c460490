// Secrets never leak through keyscan itself (issue 8, part 5). A tree with secrets in several forms and with
// per-file problems provoked (binary, oversized, FIFO, symlink, a file deleted mid-scan is in the catalogue) is
// scanned in every registered format, to stdout and to --output, and through the baseline command; bad flags,
// configs and baselines that quote a secret are given; a crash report is built from an error that quotes one.
// The secret must appear nowhere — unless --no-redact, which is checked too, so each check can fail. The scan must
// also leave no file behind in TMPDIR, HOME or XDG_CACHE_HOME that holds a secret.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeInternalError } from "../../src/cli/internal-error.js";
import { REPORTERS } from "../../src/report/index.js";
import { altTextKey, cli, getimgKey, gitRepo, tempDir, unescaped } from "./helpers.js";

function leakyTree(): { dir: string; secrets: string[] } {
  const dir = tempDir();
  const secrets = [getimgKey(), altTextKey(), getimgKey()];
  writeFileSync(join(dir, "app.env"), `GETIMG_API_KEY=${secrets[0]}\nALTTEXT_API_KEY=${secrets[1]}\n`);
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "client.js"), `const client = new GetimgAI({ apiKey: "${secrets[2]}" });\n`);
  // Problems that produce per-file messages: binary with a secret inside, oversized, FIFO, symlink.
  writeFileSync(join(dir, "blob.bin"), Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(secrets[0]!)]));
  writeFileSync(join(dir, "big.env"), `GETIMG_API_KEY=${secrets[2]}\n${"#".repeat(3000)}\n`);
  spawnSync("mkfifo", [join(dir, "pipe")]);
  symlinkSync(join(dir, "app.env"), join(dir, "link.env"));
  return { dir, secrets };
}

function expectNoSecret(where: string, text: string, secrets: string[]): void {
  const plain = unescaped(text);
  for (const s of secrets) expect(text.includes(s) || plain.includes(s), `${where} contains a secret`).toBe(false);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

describe("secrets never leak through keyscan's own output", { timeout: 180_000 }, () => {
  const formats = Object.keys(REPORTERS);

  for (const format of formats) {
    it(`${format}: stdout, stderr and --output hold no secret; --no-redact shows them`, async () => {
      const { dir, secrets } = leakyTree();
      const r = await cli([".", "-f", format, "--max-file-size", "2KB"], dir);
      expect(r.exitCode).toBe(1);
      expectNoSecret(`${format} stdout`, r.stdout, secrets);
      expectNoSecret(`${format} stderr`, r.stderr, secrets);

      const toFile = await cli([".", "-f", format, "--max-file-size", "2KB", "-o", "report.out"], dir);
      expect(toFile.exitCode).toBe(1);
      expectNoSecret(`${format} stdout with --output`, toFile.stdout, secrets);
      expectNoSecret(`${format} stderr with --output`, toFile.stderr, secrets);
      expectNoSecret(`${format} report file`, readFileSync(join(dir, "report.out"), "utf8"), secrets);

      const full = await cli([".", "-f", format, "--max-file-size", "2KB", "--no-redact"], dir);
      for (const s of [secrets[0]!, secrets[1]!]) expect(unescaped(full.stdout)).toContain(s);
      const fullFile = await cli([".", "-f", format, "--no-redact", "-o", "full.out"], dir);
      expect(unescaped(readFileSync(join(dir, "full.out"), "utf8"))).toContain(secrets[0]);
      expect(statSync(join(dir, "full.out")).mode & 0o777, "an unredacted report is private").toBe(0o600);
      expectNoSecret(`${format} stderr with --no-redact --output`, fullFile.stderr, secrets);
    });
  }

  it("git modes (history, diff, --staged) in every format hold no secret; --no-redact shows them", async () => {
    const { dir, env, git } = gitRepo();
    const secrets = [getimgKey(), altTextKey(), getimgKey()];
    writeFileSync(join(dir, "a.env"), `GETIMG_API_KEY=${secrets[0]}\n`);
    git("add", "a.env");
    git("commit", "-q", "-m", "first");
    writeFileSync(join(dir, "b.env"), `ALTTEXT_API_KEY=${secrets[1]}\n`);
    git("add", "b.env");
    git("commit", "-q", "-m", "second");
    writeFileSync(join(dir, "c.env"), `GETIMG_API_KEY=${secrets[2]}\n`);
    git("add", "c.env");
    for (const args of [["history"], ["diff", "HEAD~1..HEAD"], ["--staged"]]) {
      for (const format of formats) {
        const r = await cli([...args, "-f", format], dir, env);
        expect(r.exitCode, `${args.join(" ")} ${format}: ${r.stderr}`).toBe(1);
        expectNoSecret(`${args.join(" ")} ${format}`, r.stdout + r.stderr, secrets);
      }
      const full = await cli([...args, "-f", "json", "--no-redact"], dir, env);
      expect(secrets.some((s) => unescaped(full.stdout).includes(s)), args.join(" ")).toBe(true);
    }
  });

  it("the baseline command and its file hold no secret", async () => {
    const { dir, secrets } = leakyTree();
    const r = await cli(["baseline"], dir);
    expect(r.exitCode).toBe(0);
    expectNoSecret("baseline stdout+stderr", r.stdout + r.stderr, secrets);
    expectNoSecret("baseline file", readFileSync(join(dir, ".keyscan-baseline.json"), "utf8"), secrets);
    writeFileSync(join(dir, "app.env"), "GETIMG_API_KEY=\n");
    const pruned = await cli(["baseline", "--prune"], dir);
    expect(pruned.stdout).toMatch(/^stale: /);
    expectNoSecret("prune output", pruned.stdout + pruned.stderr, secrets);
  });

  it("error messages that quote input mask the secret: flag values, a broken config, a broken baseline", async () => {
    const { dir, secrets } = leakyTree();
    const s = secrets[0]!;
    const cases: Array<[string, string[], () => void]> = [
      ["--format value", [".", "--format", s], () => undefined],
      ["--max-file-size value", [".", "--max-file-size", s], () => undefined],
      ["a path argument", [s], () => undefined],
      ["broken YAML config", ["."], () => writeFileSync(join(dir, ".keyscan.yaml"), `exclude: [${s}\n  foo: {`)],
      ["broken JSON config", ["--config", "c.json", "."], () => writeFileSync(join(dir, "c.json"), `{"exclude": ${s}]}`)],
      ["broken JSON baseline", [".", "--baseline", "b.json"], () => writeFileSync(join(dir, "b.json"), `{"entries": ${s}`)],
      ["baseline with a secret as fingerprint", [".", "--baseline", "b2.json"], () => writeFileSync(join(dir, "b2.json"), JSON.stringify({ format: "keyscan-baseline", version: 1, entries: [{ fingerprint: s, rule: "r", path: "p" }] }))],
    ];
    for (const [what, args, setup] of cases) {
      setup();
      const r = await cli(args, dir);
      expect(r.exitCode, what).toBe(2);
      expect(r.stderr.length, what).toBeGreaterThan(0);
      expectNoSecret(what, r.stdout + r.stderr, secrets);
      if (what === "broken YAML config") writeFileSync(join(dir, ".keyscan.yaml"), "{}\n");
    }
  });

  it("a hostile verify endpoint that reflects the key (fields, error body, header, redirect) gets it into no output", async () => {
    const dir = tempDir();
    const s = getimgKey();
    writeFileSync(join(dir, "a.env"), `GETIMG_API_KEY=${s}\n`);
    for (const mode of ["fields", "401", "500", "redirect"]) {
      let asked = 0;
      const server = createServer((req, res) => {
        asked++;
        const key = (req.headers.authorization ?? "").replace(/^Bearer /, "");
        if (mode === "fields") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ balance: key, currency: `echo ${key}` }));
        else if (mode === "401") res.writeHead(401).end(`bad key ${key}`);
        else if (mode === "500") res.writeHead(500, { "x-echo": key }).end(`error for ${key}`);
        else res.writeHead(302, { location: `http://127.0.0.1:1/${key}` }).end();
      });
      await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
      const override = `getimg=http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        for (const format of Object.keys(REPORTERS)) {
          const r = await cli([".", "--verify", "--verify-retries", "0", "-f", format, "--verify-endpoint-override", override], dir);
          expect(r.exitCode, `${mode} ${format}`).toBe(1);
          expectNoSecret(`verify ${mode} ${format}`, r.stdout + r.stderr, [s]);
        }
      } finally {
        server.closeAllConnections();
        await new Promise<void>((ok) => server.close(() => ok()));
      }
      expect(asked, `${mode}: the endpoint was really asked`).toBeGreaterThan(0);
    }
  });

  it("a crash report never carries the text the error quotes", () => {
    const s = getimgKey();
    let err: unknown;
    try {
      JSON.parse(`{"token": ${s}}`);
    } catch (e) {
      err = e;
    }
    expect(String((err as Error).message)).toContain(s.slice(0, 10)); // V8 quotes the input…
    const report = describeInternalError(err);
    expect(report).toMatch(/^keyscan: internal error \(SyntaxError\): /);
    expect(report).toMatch(/\n\s+at /); // …the frames stay, for the bug report…
    expect(report).not.toContain(s.slice(0, 10)); // …but not the quoted text.
  });

  it("a scan leaves nothing holding a secret in TMPDIR, HOME or XDG_CACHE_HOME", async () => {
    const { dir, secrets } = leakyTree();
    const home = tempDir();
    const tmp = tempDir();
    const cache = tempDir();
    const env = { TMPDIR: tmp, HOME: home, XDG_CACHE_HOME: cache };
    for (const args of [["."], [".", "-f", "json"], ["baseline", "-o", "base.json"]]) {
      // Without the test run's KEYSCAN_CACHE_DIR (test/setup/build.ts), so the cache goes where a user's would.
      const { KEYSCAN_CACHE_DIR: _runCache, ...inherited } = process.env;
      const r = spawnSync(process.execPath, [join(__dirname, "../../dist/cli/bin.js"), ...args], { cwd: dir, encoding: "utf8", env: { ...inherited, ...env } });
      expect(r.status).not.toBe(2);
    }
    for (const d of [tmp, home, cache]) {
      for (const f of filesUnder(d)) expectNoSecret(f, readFileSync(f, "latin1"), secrets);
    }
    // Nothing temporary is left behind. The one thing keyscan keeps on purpose is its compiled-rule cache
    // (issue 7, $XDG_CACHE_HOME/keyscan): rule specs only — checked above to hold no secret.
    expect(readdirSync(tmp), `${tmp} left with files`).toEqual([]);
    expect(readdirSync(home), `${home} left with files`).toEqual([]);
    expect(readdirSync(cache)).toEqual(["keyscan"]);
    expect(filesUnder(cache).every((f) => /\/keyscan\/[^/]+$/.test(f))).toBe(true);
  });
});
