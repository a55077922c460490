// Inline allow comments of keyscan and of the tools people migrate from, each checked through the CLI: the
// comment silences its line (or the next line, for next-line forms) and nothing else, and --ignore-inline-allow
// turns every form off.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, getimgKey, tempDir } from "./helpers.js";

const SAME_LINE = ["keyscan:allow", "gitleaks:allow", "betterleaks:allow", "trufflehog:ignore", "pragma: allowlist secret", "secretlint-disable-line"];
const NEXT_LINE = ["keyscan:allow-next-line", "pragma: allowlist nextline secret", "secretlint-disable-next-line"];

async function scanOne(text: string, extra: string[] = []): Promise<{ exitCode: number; lines: number[] }> {
  const dir = tempDir();
  writeFileSync(join(dir, "app.js"), text);
  const r = await cli([".", "-f", "json", ...extra], dir);
  return { exitCode: r.exitCode, lines: JSON.parse(r.stdout).findings.map((f: { line: number }) => f.line) };
}

describe("inline allow comments", { timeout: 180_000 }, () => {
  for (const marker of SAME_LINE) {
    it(`same line: ${marker}`, async () => {
      const k = getimgKey();
      const text = `const a = "${k}"; // ${marker}\nconst b = "${getimgKey()}";\n`;
      expect(await scanOne(text)).toEqual({ exitCode: 1, lines: [2] });
      expect(await scanOne(text, ["--ignore-inline-allow"])).toEqual({ exitCode: 1, lines: [1, 2] });
      // On the line above, a same-line marker does nothing.
      expect((await scanOne(`// ${marker}\nconst a = "${k}";\n`)).lines).toEqual([2]);
    });
  }
  for (const marker of NEXT_LINE) {
    it(`next line: ${marker}`, async () => {
      const text = `# ${marker}\nGETIMG_API_KEY=${getimgKey()}\nGETIMG_KEY=${getimgKey()}\n`;
      expect(await scanOne(text)).toEqual({ exitCode: 1, lines: [3] });
      expect(await scanOne(text, ["--ignore-inline-allow"])).toEqual({ exitCode: 1, lines: [2, 3] });
      // On the secret's own line, a next-line marker does nothing.
      expect((await scanOne(`x = "${getimgKey()}" # ${marker}\n`)).lines).toEqual([1]);
    });
  }
  it("a file whose only secret is allowed exits 0, and 1 with --ignore-inline-allow", async () => {
    const text = `token = "${getimgKey()}"  # gitleaks:allow\n`;
    expect((await scanOne(text)).exitCode).toBe(0);
    expect((await scanOne(text, ["--ignore-inline-allow"])).exitCode).toBe(1);
  });
});
