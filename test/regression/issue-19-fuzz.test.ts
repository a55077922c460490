// Issue 19: fuzzing the CLI as a hostile repository would. Random bytes under random file names (control and bidi
// characters, odd encodings), and random rule-shaped YAML given with --rules (bad fields, bad and dangerous
// patterns, secrets quoted in the wrong places), go through `run()`. Whatever the input: the exit code is 0, 1 or 2,
// there is no internal error, each run ends (vitest's timeout bounds it), and no planted secret reaches stderr.
import fc from "fast-check";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { secrets } from "../helpers.js";

const gen = secrets("issue-19-fuzz");
const root = mkdtempSync(join(tmpdir(), "keyscan-issue19-fuzz-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const NAME_CHARS = ["a", "b", "Z", "0", ".", "-", "_", " ", "é", "😀", "\u001b", "\u0007", "\u009b", "\u202e", "\u2066", "\r", "\t", "[", "]", "%", ":", ",", "'", '"', "\\"];
const fileName = fc.array(fc.constantFrom(...NAME_CHARS), { minLength: 1, maxLength: 16 }).map((a) => a.join("")).filter((s) => s !== "." && s !== ".." && !s.startsWith(".keyscan"));
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.string({ unit: "binary", maxLength: 512 }).map((s) => Buffer.from(s, "utf8")),
  fc.constantFrom(Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from([0xfe, 0xff]), Buffer.from([0xef, 0xbb, 0xbf])),
);

function check(out: { exitCode: number; stderr: string; stdout: string }, planted: readonly string[]): void {
  expect([0, 1, 2]).toContain(out.exitCode);
  expect(out.stderr).not.toMatch(/internal error/);
  for (const s of planted) expect(out.stderr).not.toContain(s);
}

describe("issue 19: fuzzing the CLI", () => {
  it("random bytes under random file names: exit 0/1/2, no crash, no secret on stderr", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fileName, bytes, fc.boolean()), { minLength: 1, maxLength: 6 }), fc.constantFrom("text", "json", "github", "markdown", "sarif"), async (files, format) => {
        const dir = join(root, `bytes-${n++}`);
        mkdirSync(dir);
        const planted: string[] = [];
        files.forEach(([name, content, plant], i) => {
          let data = Buffer.from(content);
          if (plant) {
            const key = gen("key-{alnum:96}");
            planted.push(key);
            data = Buffer.concat([data, Buffer.from(`\nGETIMG_API_KEY=${key}\n`)]);
          }
          try {
            writeFileSync(join(dir, `${i}${name}`), data);
          } catch {
            // a name the file system refuses: nothing to scan
          }
        });
        const out = await run([".", "--format", format], { cwd: dir, env: {} });
        check(out, planted);
        expect(out.stdout.includes(planted[0] ?? "\u0000never")).toBe(false); // redacted report
      }),
      { numRuns: 15 },
    );
  }, 240_000);

  const PATTERNS = ["acme_[a-z0-9]{32}", "(a+)+$", "(a|ab)*c", "[", "x\\s*\\s*y", "(?<secret>tok_[A-Z]{10,20})", "\\", "a{99999}", "(?=", "[A-Za-z0-9]{20,}", "(x{1,5}){1,5}"];
  const FIELDS = ["pattern", "keywords", "standalone", "examples", "negatives", "verify", "severity", "usages", "nonsense"];

  it("random rule-shaped YAML through --rules: exit 0/1/2 with a reason, no crash, no secret on stderr", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATTERNS),
        fc.subarray(FIELDS),
        fc.constantFrom("low", "high", "urgent", "1"),
        fc.boolean(),
        async (pattern, fields, severity, quoteSecret) => {
          const dir = join(root, `yaml-${n++}`);
          mkdirSync(dir);
          const key = gen("key-{alnum:96}");
          const lines = ["provider: acme", "name: Acme", "rules:", "  - id: acme.token", "    name: Acme token", "    description: fuzz"];
          lines.push(`    severity: ${severity}`);
          lines.push("    secret:");
          if (fields.includes("pattern")) lines.push(`      pattern: '${pattern.replace(/'/g, "''")}'`);
          if (fields.includes("keywords")) lines.push("      keywords: [acme_, a]");
          if (fields.includes("standalone")) lines.push("      standalone: true");
          if (fields.includes("usages")) lines.push("    usages: [{ env: [ACME_KEY] }]");
          if (fields.includes("verify")) lines.push("    verify: { request: { method: DELETE, url: 'http://169.254.169.254/{{secret}}' }, verified: { status: [200] } }");
          if (fields.includes("examples")) lines.push(`    examples: ['acme_${"a".repeat(32)}', 'x']`);
          if (fields.includes("negatives")) lines.push("    negatives: ['y', 'z']");
          if (fields.includes("nonsense")) lines.push(`    nonsense: [${quoteSecret ? key : "1"}`);
          if (quoteSecret) lines.push(`    # ${key}`, `  broken: "${key}`);
          writeFileSync(join(dir, "rules.yaml"), `${lines.join("\n")}\n`);
          writeFileSync(join(dir, "app.txt"), `${"a".repeat(40)}!\nACME_KEY=acme_${"b".repeat(32)}\nGETIMG_API_KEY=${key}\n`);
          const out = await run([".", "--rules", "rules.yaml"], { cwd: dir, env: {} });
          check(out, [key]);
          if (out.exitCode === 2) expect(out.stderr).toMatch(/^keyscan: /);
          const test = await run(["rules", "test", "rules.yaml"], { cwd: dir, env: {} });
          check(test, [key]);
        },
      ),
      { numRuns: 20 },
    );
  }, 240_000);
});
