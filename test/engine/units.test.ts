// Unit tests of the engine's small parts: prefilter, placeholder filter, checksum, line index, schema errors.
import { describe, expect, it } from "vitest";
import { foldName, nameKeywords } from "../../src/engine/compile.js";
import { base62, crc32, githubCrc32Valid } from "../../src/engine/filters/checksum.js";
import { shannonEntropy } from "../../src/engine/filters/entropy.js";
import { allowedInline } from "../../src/engine/filters/inline-allow.js";
import { isPlaceholder } from "../../src/engine/filters/placeholder.js";
import { LineIndex } from "../../src/engine/lines.js";
import { parseProviderFile } from "../../src/engine/load-rules.js";
import { buildPrefilter } from "../../src/engine/prefilter.js";
import type { Matcher } from "../../src/engine/rule.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";

const fakeMatcher = (usage: string, keywords: string[]) => ({ usage, keywords }) as unknown as Matcher;

describe("prefilter", () => {
  it("selects every matcher whose keyword occurs, including overlapping and contained keywords", () => {
    const ms = [fakeMatcher("a", ["x-api-key"]), fakeMatcher("b", ["api-key"]), fakeMatcher("c", ["keyfob"]), fakeMatcher("d", ["zzz"]), fakeMatcher("e", [])];
    const pf = buildPrefilter(ms);
    // "x-api-keyfob": x-api-key starts at 0, api-key inside it, keyfob overlaps its end.
    expect(pf.select("HEADER X-API-KEYFOB").map((m) => m.usage).sort()).toEqual(["a", "b", "c", "e"]);
    expect(pf.select("nothing here").map((m) => m.usage)).toEqual(["e"]);
  });
});

describe("name folding", () => {
  it("accepts case and separator variants and lists them as keywords", () => {
    const re = new RegExp(`^${foldName("GETIMG_API_KEY")}$`);
    for (const s of ["GETIMG_API_KEY", "getimg_api_key", "getimgApiKey", "getimg-api-key", "GETIMGAPIKEY"]) expect(re.test(s), s).toBe(true);
    expect(re.test("GETIMG_API_KEYS")).toBe(false);
    expect(nameKeywords("x-api-key")).toEqual(expect.arrayContaining(["x-api-key", "x_api_key", "xapikey", "x-apikey"]));
  });
});

describe("placeholders", () => {
  it.each(["YOUR_API_KEY", "your_api_key_here", "xxxxxxxxxxxxxxxxxxxxxxxx", "<your_access_token>", "${{ secrets.X }}", "ALL_IMAGES_API_KEY", "getimgApiKey", "replace-me-with-your-key", "sk_live_************************"])(
    "%s is a placeholder",
    (v) => expect(isPlaceholder(v)).toBe(true),
  );
  it("random keys are not placeholders, even with a word inside", () => {
    const rand = seededRandom("placeholder");
    for (let i = 0; i < 200; i++) expect(isPlaceholder(generateSecret("key-{alnum:96}", rand))).toBe(false);
    expect(isPlaceholder("a8Fq2yourZp09KkLm3NbQ7rT")).toBe(false);
  });
});

describe("checksum", () => {
  it("CRC32 matches the reference value and GitHub-format tokens validate", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(base62(61, 2)).toBe("0z");
    const rand = seededRandom("crc");
    for (let i = 0; i < 50; i++) {
      const tok = generateSecret("ghp_{alnum:30}{crc32}", rand);
      expect(githubCrc32Valid(tok)).toBe(true);
      const flipped = tok.slice(0, 10) + (tok[10] === "A" ? "B" : "A") + tok.slice(11);
      expect(githubCrc32Valid(flipped)).toBe(false);
    }
  });
});

describe("entropy", () => {
  it("is low for words and high for random text", () => {
    expect(shannonEntropy("aaaaaaaa")).toBe(0);
    expect(shannonEntropy("password")).toBeLessThan(3);
    expect(shannonEntropy(generateSecret("{alnum:64}", seededRandom("e")))).toBeGreaterThan(5);
  });
});

describe("line index", () => {
  it("counts \\n, \\r\\n and lone \\r as line ends", () => {
    const text = "a\r\nbb\rccc\nd";
    const li = new LineIndex(text);
    expect(li.position(text.indexOf("bb"))).toEqual({ line: 2, column: 1 });
    expect(li.position(text.indexOf("ccc") + 2)).toEqual({ line: 3, column: 3 });
    expect(li.position(text.indexOf("d"))).toEqual({ line: 4, column: 1 });
    expect(li.lineText(2)).toBe("bb");
    expect(li.lineCount).toBe(4);
  });
});

describe("inline allow comments", () => {
  it.each([
    ["x = 1 # keyscan:allow", undefined, true],
    ["x = 1 // gitleaks:allow", undefined, true],
    ["x = 1 # trufflehog:ignore", undefined, true],
    ["x = 1  # pragma: allowlist secret", undefined, true],
    ["x = 1 // secretlint-disable-line", undefined, true],
    ["x = 1", "// secretlint-disable-next-line", true],
    ["x = 1", "# pragma: allowlist nextline secret", true],
    ["x = 1", "# keyscan:allow-next-line", true],
    ["x = 1 # keyscan:allow-next-line", undefined, false],
    ["x = 1", "# keyscan:allow", false],
  ])("%s (above: %s) → %s", (line, prev, expected) => expect(allowedInline(line, prev)).toBe(expected));
});

describe("rule file errors", () => {
  it("name the line and field", () => {
    const text = "provider: acme\nname: Acme\nrules:\n  - id: acme.t\n    name: T\n    description: d\n    severity: high\n    secret:\n      pattern: 'a'\n      standalone: maybe\n    examples: [x]\n    negatives: [y]\n";
    expect(() => parseProviderFile(text, "acme.yaml")).toThrow(/acme\.yaml:10:19: field `rules\.0\.secret\.standalone`/);
    expect(() => parseProviderFile("provider: acme\nname: [unclosed\n", "bad.yaml")).toThrow(/bad\.yaml:\d+:\d+: invalid YAML/);
  });
});
