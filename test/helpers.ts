// Shared test helpers: temp dirs, synthetic secrets, and an independent line/column computation (so position
// assertions do not reuse the code under test).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
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
