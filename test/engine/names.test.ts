// Issue 18: the generic rule's names come from a `names:` list (src/engine/names.ts), not a hand-built 3,800-character
// pattern. The old pattern is kept as a fixture; the compiled rule must match exactly what it matched.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileProvider } from "../../src/engine/compile.js";
import { builtinRulesDir, compileRuleSet, parseProviderFile } from "../../src/engine/load-rules.js";
import { NAMES_PLACEHOLDER, expandNames, namesAlternation } from "../../src/engine/names.js";
import type { ProviderFile } from "../../src/engine/rule-schema.js";
import { exampleCases } from "../../src/engine/rule-examples.js";
import { scanText } from "../../src/engine/scan-text.js";
import { seededRandom, generateSecret } from "../../src/engine/template.js";

/**
 * Issue 17 then changed the pattern around the names, on purpose: a `$` may stand before a name (`$password = "…"`
 * in PHP, Perl and shell) and quotes may be JSON-escaped (`\"apiKey\":\"…\"` inside a string). The same edits,
 * applied to the hand-written pattern, keep this an exact comparison of the names' expansion.
 */
const ISSUE_17_EDITS: ReadonlyArray<[string, string]> = [
  ["|key)(?=[\"'`]?", "|key)(?=\\\\?[\"'`]?"],
  ["(?<=(?:^|[^A-Za-z0-9$])", "(?<=(?:^|[^A-Za-z0-9])"],
  ["(?=[\"'`]?\\s{0,4}[:=]\\s{0,4}[\"'`]))[\"'`]?", "(?=\\\\?[\"'`]?\\s{0,4}[:=]\\s{0,4}\\\\?[\"'`]))\\\\?[\"'`]?"],
  ["(?:[rbfu]{0,2}[\"'`])?(?<secret>", "(?:[rbfu]{0,2}\\\\?[\"'`])?(?<secret>"],
  ["(?=[\"'`\\s,;)}\\]]|$)", "(?=\\\\[\"'nrt]|[\"'`\\s,;)}\\]]|$)"],
];
const OLD_PATTERN = ISSUE_17_EDITS.reduce((p, [from, to]) => p.split(from).join(to), readFileSync(join(__dirname, "fixtures/generic-pattern-before-issue-18.txt"), "utf8").trim());
const GENERIC_FILE = join(builtinRulesDir(), "generic.yaml");
const generic = parseProviderFile(readFileSync(GENERIC_FILE, "utf8"), "rules/generic.yaml");
const NAMES = (/names: (?:&\S+ )?\[([^\]]*)\]/.exec(readFileSync(GENERIC_FILE, "utf8"))?.[1] ?? "").split(/,\s*/).map((s) => s.trim());
/** The names the old pattern spelled out by hand (the corpus below spells each of them, whatever the file says now). */
const OLD_NAMES = "access_key access_secret access_token api_key api_secret api_token apikey app_secret auth auth_key auth_token bearer_token client_secret consumer_secret credential credentials encryption_key master_key passphrase pass passwd password private_key pwd refresh_token secret secret_access_key secret_key signing_key token".split(" ");
/** The generic rule file as it was: the same spec with the old literal pattern. */
const before: ProviderFile = { ...generic, rules: generic.rules.map((r, i) => (i === 0 ? { ...r, secret: { ...r.secret, pattern: OLD_PATTERN } } : r)) };

/** Every way code spells a snake_case name (and some it does not, which must stay unmatched alike). */
function spellings(name: string): string[] {
  const w = name.split("_");
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  return [
    w.join("_"),
    w.join("-"),
    w.join(""),
    w[0] + w.slice(1).map(cap).join(""),
    w.map(cap).join(""),
    w.map(cap).join("_"),
    w.join("_").toUpperCase(),
    w.join("").toUpperCase(),
    w.join("-").toUpperCase(),
    cap(w[0]!) + w.slice(1).join("_").toUpperCase(),
  ];
}

describe("secret.names", () => {
  it("spells each name in snake, kebab, camel, Pascal and UPPER case, and a longer name before its prefix", () => {
    const re = new RegExp(`^${namesAlternation(["client_secret", "pass", "passwd"])}`);
    for (const s of ["client_secret", "client-secret", "clientsecret", "clientSecret", "ClientSecret", "Client_Secret", "CLIENT_SECRET", "CLIENTSECRET", "pass", "PASS", "Pass"]) {
      expect(re.exec(s)?.[0], s).toBe(s);
    }
    expect(re.exec("passwd")?.[0]).toBe("passwd");
    expect(re.exec("PASSWD=1")?.[0]).toBe("PASSWD");
    for (const s of ["CLIENT-SECRET", "cLIENTsECRET", "secret"]) expect(re.exec(s)?.[0], s).not.toBe(s);
    expect(expandNames(`a${NAMES_PLACEHOLDER}b${NAMES_PLACEHOLDER}`, ["pwd"])).toBe("a(?:[Pp](?:WD|wd))b(?:[Pp](?:WD|wd))");
  });

  it("is checked by the schema: a placeholder needs names, names need the placeholder, names are snake_case", () => {
    const file = (secret: string) => `provider: zorp\nname: Zorp\nrules:\n  - id: zorp.x\n    name: x\n    description: x\n    severity: low\n    secret: ${secret}\n    examples: [a]\n    negatives: [b]\n`;
    expect(() => parseProviderFile(file("{ pattern: 'x{{names}}', standalone: true }"), "z.yaml")).toThrow(/z\.yaml:8:\d+: field `rules\.0\.secret\.pattern`: `\{\{names\}\}` needs a `names` list/);
    expect(() => parseProviderFile(file("{ pattern: 'x', names: [pwd] }"), "z.yaml")).toThrow(/field `rules\.0\.secret\.names`: `names` is only used through/);
    expect(() => parseProviderFile(file("{ pattern: 'x{{names}}', names: [ApiKey] }"), "z.yaml")).toThrow(/field `rules\.0\.secret\.names\.0`: use lowercase snake_case/);
    expect(() => parseProviderFile(file("{ pattern: 'x{{names}}', names: [pwd, pwd] }"), "z.yaml")).toThrow(/`pwd` is listed twice/);
    const spec = parseProviderFile(file("{ pattern: 'x{{names}}', names: [pwd] }"), "z.yaml");
    expect(spec.rules[0]!.secret).toEqual({ pattern: "x(?:[Pp](?:WD|wd))" });
  });
});

describe("the generic rule's names list compiles to what its hand-written pattern matched", () => {
  const newPattern = generic.rules[0]!.secret.pattern;
  const block = (p: string) => p.slice(p.indexOf("(?:[Aa]"), p.indexOf("[Tt](?:oken|OKEN))") + "[Tt](?:oken|OKEN))".length);
  /** A names block as letter groups, each a list of alternatives. */
  const groups = (b: string) => [...b.slice(3, -1).matchAll(/\[([A-Z])[a-z]\]\(\?:([^()]*)\)/g)].map((m) => ({ letter: m[1], alts: m[2]!.split("|") }));

  it("the same pattern around the names, the same names in the same letter groups, longest first", () => {
    const oldBlock = block(OLD_PATTERN);
    const newBlock = namesAlternation(NAMES);
    expect(NAMES.length).toBe(30);
    expect(newPattern.split(newBlock).join(NAMES_PLACEHOLDER)).toBe(OLD_PATTERN.split(oldBlock).join(NAMES_PLACEHOLDER));
    expect(newPattern.split(newBlock).length - 1).toBe(4);
    const [o, n] = [groups(oldBlock), groups(newBlock)];
    expect(n.map((g) => g.letter)).toEqual(o.map((g) => g.letter));
    for (const [i, g] of n.entries()) {
      // Only alternatives of equal length may be ordered differently (the old order among those was arbitrary).
      expect([...g.alts].sort(), g.letter).toEqual([...o[i]!.alts].sort());
      expect(g.alts.map((a) => a.length), g.letter).toEqual(o[i]!.alts.map((a) => a.length));
    }
  });

  it("compiles to a matcher with the same keywords, windows, bounds and start characters", () => {
    const [a, b] = [compileProvider(before, "rules/generic.yaml", false), compileProvider(generic, "rules/generic.yaml", false)];
    const strip = (plans: typeof a.plans) => plans.map(({ source: _source, ...rest }) => rest);
    expect(strip(b.plans)).toEqual(strip(a.plans));
    expect(b.plans[0]!.source).not.toBe(a.plans[0]!.source); // the test compares two different regexes
  });

  it("matches the same text at the same places, over every spelling of every name in many contexts and random text", () => {
    const [oldRe, newRe] = [compileProvider(before, "g", false), compileProvider(generic, "g", false)].map((c) => c.matchers[0]!.regex);
    const rand = seededRandom("issue-18-names");
    const value = () => generateSecret("{alnum:20}", rand);
    const lines: string[] = [];
    for (const name of [...OLD_NAMES, "key", "token_type", "password_hash", "next_token", "client_token", "compass", "bypass"]) {
      for (const s of spellings(name)) {
        for (const pre of ["", " ", "x", "my", "MY_", "my_", "a.", "$", "-", "next", "Next", ".svg?", "{ \"", "export "]) {
          for (const [op, q] of [[" = ", '"'], [": ", ""], ["=", ""], ['": "', ""], [" := ", "'"], [" => ", "`"], ["] = ", "'"], [" == ", '"']]) lines.push(`${pre}${s}${op}${q}${value()}${q}`);
        }
      }
    }
    const run = (re: RegExp, text: string) => [...text.matchAll(re)].map((m) => [m.index, m[0], m.groups?.secret]);
    const corpus = lines.join("\n");
    const found = run(newRe, corpus);
    expect(found.length).toBeGreaterThan(5000); // the corpus does exercise the rule
    expect(found).toEqual(run(oldRe, corpus));
    const fragments = [...OLD_NAMES.flatMap(spellings).slice(0, 120), "key", "Key", "_", "-", "=", ":", "\"", "'", " ", "\n", "x", "A", "1", "]", ".svg?", "next", value(), value()];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 24 }), (parts) => {
        const text = parts.join("");
        expect(run(newRe, text)).toEqual(run(oldRe, text));
      }),
      { numRuns: 3000, seed: 18 },
    );
  });

  it("the whole engine finds the same secrets in the rule's own examples and negatives", () => {
    const [a, b] = [before, generic].map((spec) => compileRuleSet([{ spec, file: "rules/generic.yaml", fromRepoConfig: false }], [], "t"));
    const texts = exampleCases(b!.rules[0]!).map((c) => c.text);
    expect(texts.length).toBeGreaterThan(50);
    const found = (rs: typeof a) => texts.map((t) => scanText(t, rs!, { inlineAllow: false }).map((f) => [f.rule.id, f.secret, f.line, f.column]));
    expect(found(b)).toEqual(found(a));
    expect(found(b).filter((f) => f.length > 0).length).toBe(b!.rules[0]!.examples.length);
  });
});
