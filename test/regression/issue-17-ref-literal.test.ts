// Issue 17's one hop read a literal as an identifier: in ` ALTTEXT_API_KEY=atai_… GETIMG_API_KEY=sk_…` the env
// by-name matcher took the AltText key for an identifier, and Go's typed-declaration form (`name Type = value`)
// "resolved" it to the getimg key two words on. The getimg key was reported as AltText's, and the finding's usage
// (`env:ALTTEXT_API_KEY→atai_…`) carried the other secret into every redacted report. Found by the redaction property
// test (test/trust/properties.test.ts); this is its counterexample, fixed.
import { describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import { REPORTERS } from "../../src/report/index.js";
import { scan } from "../../src/scan.js";
import { stdinSource } from "../../src/sources/stdin.js";
import { References } from "../../src/engine/references.js";

const ruleset = loadRules();

async function* once(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text, "utf8");
}

describe("issue 17: a literal where an identifier may stand is not an identifier", () => {
  const random = seededRandom(17);
  const alttext = generateSecret("atai_{alnum:32}", random);
  const getimg = generateSecret("sk_{alnum:40}", random);
  const text = ` ALTTEXT_API_KEY=${alttext} GETIMG_API_KEY=${getimg}\n`;

  it("reports each key as its own provider's, and no redacted report names either", async () => {
    const result = await scan(stdinSource(once(text), "planted.txt", 1 << 20), ruleset);
    expect(result.findings.map((f) => [f.ruleId, f.secret])).toEqual([
      ["alttext-ai.api-key", alttext],
      ["getimg.api-key", getimg],
    ]);
    for (const f of result.findings) expect(f.usage).not.toContain(alttext.slice(0, 12));
    for (const [format, render] of Object.entries(REPORTERS)) {
      const out = render(result, { redact: true, color: false });
      for (const s of [alttext, getimg]) expect(out.includes(s), `${format} leaks`).toBe(false);
    }
  });

  it("Go's typed form needs `var`, `const` or the start of a line before the name", () => {
    const key = generateSecret("{alnum:32}", random);
    expect(new References(`var apiKey string = "${key}"\n`).resolve("apiKey", 30)?.value).toBe(key);
    expect(new References(`const (\n\tapiKey string = "${key}"\n)\n`).resolve("apiKey", 40)?.value).toBe(key);
    expect(new References(`x apiKey string = "${key}"\n`).resolve("apiKey", 40)).toBeUndefined();
    expect(new References(` FOO=apiKey OTHER=${key}\n`).resolve("apiKey", 0)).toBeUndefined();
  });
});
