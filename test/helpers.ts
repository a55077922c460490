// Shared test helpers: temp dirs, synthetic secrets, and an independent line/column computation (so position
// assertions do not reuse the code under test).
import { copyFileSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { loadRules } from "../src/engine/load-rules.js";
import type { RuleSet } from "../src/engine/rule.js";
import { readRuleSetImage, type RuleSetImage } from "../src/engine/rule-set-image.js";
import { generateSecret, seededRandom } from "../src/engine/template.js";

export function tempDir(prefix = "keyscan-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/**
 * For rule-cache tests (call inside a describe): a temp folder with `rules/getimg.yaml` (a copy of the shipped file)
 * and a `cache` folder path, made before the describe's tests and removed after them.
 */
export function ruleFolderFixture(prefix: string): { dir: string; rulesDir: string; cacheDir: string } {
  const t = tempDir(prefix);
  afterAll(() => t.cleanup());
  const rulesDir = join(t.dir, "rules");
  beforeAll(() => {
    writeTree(t.dir, { "rules/.keep": "" });
    copyFileSync(resolve(__dirname, "../rules/getimg.yaml"), join(rulesDir, "getimg.yaml"));
  });
  return { dir: t.dir, rulesDir, cacheDir: join(t.dir, "cache") };
}

/**
 * For rule-set image tests (call inside a describe, issue 21): keyscan's own rules compiled without a cache (`cold`),
 * and the image loadRules stores for them in a temp cache folder, read back (`image`); both set before the tests.
 */
export function shippedImageFixture(prefix: string): { cold: RuleSet; image: RuleSetImage; cacheDir: string } {
  const t = tempDir(prefix);
  afterAll(() => t.cleanup());
  const cacheDir = join(t.dir, "cache");
  const made = { cacheDir } as { cold: RuleSet; image: RuleSetImage; cacheDir: string };
  beforeAll(() => {
    made.cold = loadRules({ cacheDir: false });
    loadRules({ cacheDir }); // writes the image
    const [file] = readdirSync(cacheDir).filter((f) => /^rule-set-[0-9a-f]{24}\.bin$/.test(f));
    const image = readRuleSetImage(cacheDir, file!.slice("rule-set-".length, -".bin".length));
    if (!image) throw new Error(`no rule-set image was stored in ${cacheDir}`);
    made.image = image;
  });
  return made;
}

/**
 * The head of a one-rule provider file: `<provider>.token`, a standalone format with keyword `<provider>_`, then
 * `secretExtra` lines inside `secret:`. Callers append usages, examples and negatives.
 */
export function oneRuleHead(provider: string, pattern: string, secretExtra: readonly string[] = []): string[] {
  const name = provider[0]!.toUpperCase() + provider.slice(1);
  return [
    `provider: ${provider}`,
    `name: ${name}`,
    "rules:",
    `  - id: ${provider}.token`,
    `    name: ${name} token`,
    "    description: test rule",
    "    severity: low",
    "    secret:",
    `      pattern: '${pattern}'`,
    `      keywords: [${provider}_]`,
    "      standalone: true",
    ...secretExtra,
  ];
}

/** A one-rule provider file (`acme.token`, a standalone format with keyword `acme_`) for `rules test` tests. */
export function acmeRuleFile(pattern: string, examples: readonly string[], negatives: readonly string[]): string {
  return [
    ...oneRuleHead("acme", pattern),
    `    examples: [${examples.map((e) => `'${e}'`).join(", ")}]`,
    `    negatives: [${negatives.map((e) => `'${e}'`).join(", ")}]`,
  ].join("\n");
}

/** A secret generator seeded per test, so failures reproduce. */
export function secrets(seed: string): (template: string) => string {
  const rand = seededRandom(seed);
  return (t) => generateSecret(t, rand);
}

/** 1-based line/column of the first occurrence of `needle`, counting \r\n, \n and \r as line ends. */
export function positionOf(text: string, needle: string): { line: number; column: number; endColumn: number } {
  const idx = text.indexOf(needle);
  if (idx < 0) throw new Error("needle not in text");
  const before = text.slice(0, idx);
  const lines = before.split(/\r\n|\n|\r/);
  const line = lines.length;
  const column = lines[lines.length - 1]!.length + 1;
  return { line, column, endColumn: column + needle.length };
}
