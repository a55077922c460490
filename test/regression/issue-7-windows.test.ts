// Issue 7: anchored matchers run only in windows around their keywords' occurrences. These tests pin the proof
// obligations (every match holds a keyword; the windowed scan finds exactly what a whole-text scan finds) on the
// shipped rules and on synthetic texts built from their own examples, so a rule or engine change that breaks the
// windowing shows up as a finding that differs between the two scans.
import { describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { buildPrefilter } from "../../src/engine/prefilter.js";
import { analyseRegex } from "../../src/engine/regex/analyse.js";
import { keywordLead, keywordLeads, keywordsCoverMatches } from "../../src/engine/regex/leads.js";
import { exampleCases } from "../../src/engine/rule-examples.js";
import type { RuleSet } from "../../src/engine/rule.js";
import { NEAR_RADIUS } from "../../src/engine/limits.js";
import { scanText } from "../../src/engine/scan-text.js";
import { seededRandom } from "../../src/engine/template.js";
import { encodedSegments, forEachRun, mayHoldEncoded } from "../../src/engine/decode.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/run.js";
import { acmeRuleFile } from "../helpers.js";

/** The same rules with every anchor removed: each matcher then runs over whole texts, as before issue 7's windows. */
function unanchored(rs: RuleSet): RuleSet {
  const matchers = rs.matchers.map(({ anchor: _anchor, ...m }) => m);
  return { ...rs, matchers, prefilter: buildPrefilter(matchers) };
}

const key = (f: { rule: { id: string }; usage: string; start: number; end: number; secret: string }) => `${f.rule.id}|${f.usage}|${f.start}|${f.end}|${f.secret}`;

describe("issue 7: keyword coverage analysis", () => {
  it("proves what it should and refuses what it cannot", () => {
    expect(keywordsCoverMatches("[tT][oO][kK][eE][nN]=(?<secret>x+)", "", ["token"])).toBe(true);
    expect(keywordsCoverMatches("api[-_]?key:(?<secret>\\w{8})", "", ["api-key", "api_key", "apikey"])).toBe(true);
    expect(keywordsCoverMatches("api[-_]?key:(?<secret>\\w{8})", "", ["api-key"])).toBe(false);
    expect(keywordsCoverMatches("(?:foo|bar)(?<secret>\\d+)", "", ["foo"])).toBe(false);
    expect(keywordsCoverMatches("(?:foo|bar)(?<secret>\\d+)", "", ["foo", "bar"])).toBe(true);
    expect(keywordsCoverMatches("[A-Za-z]+TOKEN(?<secret>\\d+)", "", ["token"])).toBe(true); // the prefilter ignores case
    expect(keywordsCoverMatches("(?:token)?(?<secret>x\\d+)", "", ["token"])).toBe(false);
    expect(keywordsCoverMatches("(?<secret>x\\d+)(?=token)", "", ["token"])).toBe(false); // lookahead text is not in the match
    expect(keywordsCoverMatches("(?<secret>ghp_[A-Za-z0-9]{36})", "", ["ghp_"])).toBe(true);
    expect(keywordsCoverMatches("(?<secret>GHP_[a-z]{36})", "i", ["ghp_"])).toBe(true);
    expect(keywordsCoverMatches("(?<secret>(?:ab){2,3}c)", "", ["ababc", "abababc"])).toBe(true);
    expect(keywordsCoverMatches("(?<secret>(?:ab){0,3}c)", "", ["abc"])).toBe(false);
  });

  it("bounds how far into a match the first keyword starts (the window before each occurrence)", () => {
    expect(keywordLead("(?<![a-z])[tT][oO][kK][eE][nN]=(?<secret>x+)", "", ["token"])).toBe(0);
    expect(keywordLead("(?:bearer_)?token=(?<secret>x+)", "", ["token"])).toBe(7);
    expect(keywordLead("(?:^|[^a-z])key=(?<secret>x+)", "", ["key"])).toBe(1);
    expect(keywordLead("\\w{0,5}ghp_(?<secret>x+)", "", ["ghp_"])).toBe(5);
    expect(keywordLead("[a-z]+ghp_(?<secret>x+)", "", ["ghp_"])).toBe(Infinity); // covered, start unbounded
    expect(keywordLead("(?:api|x)(?<secret>\\d+)", "", ["api"])).toBeUndefined();
  });

  it("gives each keyword its own lead, and never mixes two proofs into one", () => {
    const leads = (source: string, keywords: string[]) => Object.fromEntries(keywordLeads(source, "", keywords) ?? []);
    // `key` starts every match it is in; `secret` sits up to 9 characters in (after `consumer_`).
    expect(leads("(?:key|consumer_secret|secret)=(?<secret>x+)", ["key", "secret"])).toEqual({ key: 0, secret: 9 });
    // Each string is proved by its earliest keyword: `secret_key` needs no window at `key`.
    expect(leads("(?:secret_key|key)=(?<secret>x+)", ["key", "secret"])).toEqual({ key: 0, secret: 0 });
    // Two covering parts of a sequence: one whole proof is kept (the narrower), not an element-wise minimum.
    expect(leads("(?:a_tok|bbbbbbb_key)-(?:key|token)=(?<secret>x+)", ["tok", "key"])).toEqual({ tok: 2, key: 8 });
    expect(leads("(?:a_tok|bbbbbbb_key)-(?:key|token)=(?<secret>x+)", ["tok", "key", "token"])).toEqual({ tok: 2, key: 8 });
    // An alternation takes, per keyword, the larger lead of its branches; keywords no branch needs are left out.
    expect(leads("(?:\\d{0,3}ghp_|xy_ghs_)(?<secret>x+)", ["ghp_", "ghs_", "ghx_"])).toEqual({ ghp_: 3, ghs_: 3 });
    expect(keywordLead("(?:key|consumer_secret|secret)=(?<secret>x+)", "", ["key", "secret"])).toBe(9);
  });

  it("knows which characters a match can start with (windowed tries skip the others)", () => {
    const starts = (source: string, flags = "") => {
      const set = analyseRegex(source, flags).startSet;
      if (!set) return undefined;
      let chars = "";
      for (let c = 0; c < 128; c++) if ((set.bits[c >> 5]! & (1 << (c & 31))) !== 0) chars += String.fromCharCode(c);
      return set.nonAscii ? `${chars}+` : chars;
    };
    expect(starts("(?<![A-Za-z0-9_])(?<secret>EAA[A-Za-z0-9]{90})")).toBe("E"); // lookbehind reads, but does not start, the match
    expect(starts("(?<secret>eaa\\d+)", "i")).toBe("Ee");
    expect(starts("(?:x?y|\\bz)w")).toBe("xyz");
    expect(starts("(?:ab)*c")).toBe("ac");
    expect(starts("[^a]b")).toMatch(/\+$/); // a negated class may start with any non-ASCII character
    expect(starts("x?")).toBeUndefined(); // may match the empty string: no start set
    expect(starts("(?=a)\\w*")).toBeUndefined();
  });

  it("anchors the generic assignment rule's `key` at the match start (one sticky try per occurrence)", () => {
    const rs = loadRules({ cacheDir: false });
    const generic = rs.matchers.find((m) => m.rule.id === "generic.secret-assignment")!;
    const a = generic.windows!.anchor;
    const leadOf = (k: string) => a.leads?.[a.keywords.indexOf(k)] ?? a.before;
    expect(leadOf("key")).toBe(0);
    expect(leadOf("secret")).toBeGreaterThan(leadOf("key")); // consumer_secret, client_secret
  });

  it("holds for every shipped matcher that compile.ts anchors without analysing (usages)", () => {
    const rs = loadRules({ cacheDir: false });
    const usages = rs.matchers.filter((m) => m.usage !== "format" && m.windows && m.windows.anchor.after === 0);
    expect(usages.length).toBeGreaterThan(200);
    const unproved = usages.filter((m) => !keywordsCoverMatches(m.regex.source, m.regex.flags, m.keywords, 4096)).map((m) => `${m.rule.id} ${m.usage}`);
    expect(unproved).toEqual([]);
    // The window compile.ts gives each usage (its keyword starts the match) is at least what the analysis proves.
    const tooNarrow = usages
      .filter((m) => (keywordLead(m.regex.source, m.regex.flags, m.keywords, 4096) ?? Infinity) > m.windows!.anchor.before)
      .map((m) => `${m.rule.id} ${m.usage}`);
    expect(tooNarrow).toEqual([]);
  });

  it("anchors almost every shipped matcher, each with a bounded match length", () => {
    const rs = loadRules({ cacheDir: false });
    const anchored = rs.matchers.filter((m) => m.windows);
    expect(anchored.length / rs.matchers.length).toBeGreaterThan(0.9);
    for (const m of anchored) expect(m.maxMatchLength).toBeLessThan(64 * 1024);
  });
});

describe("issue 7: windowed matching finds exactly what a whole-text scan finds", () => {
  const rs = loadRules({ cacheDir: false });
  const whole = unanchored(rs);
  const cases = rs.rules.flatMap((r) => exampleCases(r));
  const keywords = rs.prefilter.keywords;

  it("on texts mixing every rule's examples, bare keywords and filler, at window-boundary distances", () => {
    const rand = seededRandom("issue-7-windows");
    const fillerChars = "abcdefghijklmnopqrstuvwxyzABCDEF0123456789 _-=:\"'\n\t.;,(){}";
    const filler = (n: number) => Array.from({ length: n }, () => fillerChars[Math.floor(rand() * fillerChars.length)]).join("");
    let compared = 0;
    let found = 0;
    for (let round = 0; round < 60; round++) {
      const parts: string[] = [];
      const pieces = 5 + Math.floor(rand() * 25);
      for (let p = 0; p < pieces; p++) {
        const roll = rand();
        if (roll < 0.45) parts.push(cases[Math.floor(rand() * cases.length)]!.text);
        else if (roll < 0.75) parts.push(keywords[Math.floor(rand() * keywords.length)]!);
        // Gaps around the window sizes: a match length, NEAR_RADIUS, and small ones.
        const gap = [0, 1, 3, 40, 300, 700, NEAR_RADIUS - 20, NEAR_RADIUS + 50][Math.floor(rand() * 8)]!;
        parts.push(filler(gap));
      }
      const text = parts.join(rand() < 0.5 ? "\n" : " ");
      const a = scanText(text, rs).map(key);
      const b = scanText(text, whole).map(key);
      expect(a).toEqual(b);
      compared++;
      found += b.length;
    }
    expect(compared).toBe(60);
    expect(found).toBeGreaterThan(100);
  });

  it("for generic assignments whose names put a keyword at different depths (per-keyword leads)", () => {
    const names = ["consumer_secret", "consumersecret", "bearertoken", "refreshtoken", "CLIENT_SECRET", "refresh_token", "bearerToken", "secretKey", "api_key", "myKey", "key", "monkey", "token_key", "access-key", "xKey", "a.key"];
    const rand = seededRandom("issue-7-leads");
    const value = () => Array.from({ length: 24 }, () => "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[Math.floor(rand() * 57)]).join("");
    let found = 0;
    for (let round = 0; round < 40; round++) {
      const lines: string[] = [];
      for (let i = 0; i < 12; i++) {
        const name = names[Math.floor(rand() * names.length)]!;
        const sep = [" = ", ": ", "=", ' = "', ":'"][Math.floor(rand() * 5)]!;
        lines.push(`${" ".repeat(Math.floor(rand() * 3))}${name}${sep}${value()}${sep.includes('"') ? '"' : sep.includes("'") ? "'" : ""}`);
      }
      // Keyword-free filler between the lines, so the prefilter runs the rule in windows, not over the whole text.
      const text = lines.join(rand() < 0.5 ? `\n// ${"lorem ipsum dolor ".repeat(20)}\n` : `; ${"lorem ipsum dolor ".repeat(20)}; `);
      const a = scanText(text, rs).map(key);
      const b = scanText(text, whole).map(key);
      expect(a).toEqual(b);
      found += b.length;
    }
    expect(found).toBeGreaterThan(200);
  });

  it("for each rule example embedded in a long text, alone and next to its own repeats", () => {
    const padding = "const x = 1; // nothing here\n".repeat(400);
    const mismatches: string[] = [];
    for (const c of cases) {
      const text = `${padding}${c.text}\n${padding}${c.text} ${c.text}\n${padding}`;
      const a = scanText(text, rs).map(key);
      const b = scanText(text, whole).map(key);
      if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push(`${c.rule.id} ${c.kind} ${c.index}`);
    }
    expect(mismatches).toEqual([]);
  });
});

describe("issue 7: the skipping run finder of the decode pass", () => {
  /** The plain definition: every maximal run of base64 characters, checked one character at a time. */
  function naiveRuns(text: string): Array<[number, number]> {
    const runs: Array<[number, number]> = [];
    const re = /[A-Za-z0-9+/\-_]{24,}/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) runs.push([m.index, m.index + m[0].length]);
    return runs;
  }

  it("finds every encoded run a character-by-character scan finds, at every alignment", () => {
    const rand = seededRandom("issue-7-runs");
    const payload = Buffer.from("token = 'sk_live_example_only_not_a_key' # some config text").toString("base64");
    for (let round = 0; round < 300; round++) {
      const pad = (n: number) => Array.from({ length: n }, () => "ab.c d(eF)9_-x"[Math.floor(rand() * 14)]).join("");
      const text = `${pad(Math.floor(rand() * 60))} ${payload} ${pad(Math.floor(rand() * 60))}`;
      const segs = encodedSegments(text).filter((s) => s.encoding === "base64");
      const body = payload.replace(/=+$/, "");
      const runs = naiveRuns(text).filter(([a, b]) => text.slice(a, b).includes(body));
      expect(runs.length).toBe(1);
      expect(segs.some((s) => s.start <= runs[0]![0] && s.text.includes("sk_live_example_only"))).toBe(true);
      expect(mayHoldEncoded(Buffer.from(text))).toBe(true);
    }
  });

  it("visits exactly the maximal runs of at least 24 base64 characters, on random text around that length", () => {
    const rand = seededRandom("issue-7-run-lengths");
    for (let round = 0; round < 500; round++) {
      let text = "";
      while (text.length < 400) {
        const len = 18 + Math.floor(rand() * 12); // 18..29: both sides of the minimum
        text += Array.from({ length: len }, () => "aZ09+/_-"[Math.floor(rand() * 8)]).join("") + " .,(\n"[Math.floor(rand() * 5)];
      }
      const visited: Array<[number, number]> = [];
      forEachRun(text, (start, stop) => {
        visited.push([start, stop]);
        return true;
      });
      expect(visited).toEqual(naiveRuns(text));
    }
  });

  it("says no run for text whose base64-character runs are all shorter than the minimum", () => {
    const text = "short identifiers only, like camelCaseName and snake_case_value2, repeated. ".repeat(2000);
    expect(naiveRuns(text)).toEqual([]);
    expect(encodedSegments(text)).toEqual([]);
    expect(mayHoldEncoded(Buffer.from(text))).toBe(false);
  });
});

describe("issue 7: `keyscan rules test` says which matchers run over whole texts", () => {
  const ruleFile = (pattern: string) => acmeRuleFile(pattern, ["x = acme_q8w2k5z9r4t1m7xq3v8kd0"], ["acme"]);

  it("notes an unbounded format and not a bounded one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyscan-windows-"));
    writeFileSync(join(dir, "unbounded.yaml"), ruleFile("acme_[a-z0-9]+"));
    writeFileSync(join(dir, "bounded.yaml"), ruleFile("acme_[a-z0-9]{6,64}"));
    const loose = await run(["rules", "test", join(dir, "unbounded.yaml")], { cwd: dir, env: {} });
    expect(loose.stdout).toMatch(/unbounded\.yaml:\d+:\d+: warning: acme\.token: \(format\) runs over whole texts.*\[windows\]/);
    const tight = await run(["rules", "test", join(dir, "bounded.yaml")], { cwd: dir, env: {} });
    expect(tight.stdout).not.toMatch(/\[windows\]/);
    expect(tight.stdout).toMatch(/1 rules, 2 examples and negatives: 2 passed, 0 failed/);
  });
});
