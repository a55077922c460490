// Issue 16: a keyword may straddle a finite run of a pattern and the first character of what follows it, e.g. a
// names alternation and the quote or colon after it (`token"`, `token:`: generic.secret-named-argument's keywords,
// far rarer in code than `token`). The leads analysis (regex/leads.ts) must see such keywords only when every match
// has one — never when what follows may be empty or may start otherwise — and bound where each occurs.
import { describe, expect, it } from "vitest";
import { formatLeads, keywordLeads } from "../../src/engine/regex/leads.js";
import { seededRandom } from "../../src/engine/template.js";

describe("issue 16: keywords across a run and the character after it", () => {
  it("proves a names alternation followed by a quote, an escaped quote or a colon, with each keyword's lead", () => {
    const source = String.raw`(?:token|api_token|refresh[-_]token)(?=\\?["']|:)(?:\\?["']\s{0,4},\s{0,4}["'](?<secret>[a-z0-9]{8,40})|:\s{0,4}(?<s2>[a-z0-9]{8,40}))`;
    const keywords = ['token"', "token'", "token:", "token\\"];
    expect(Object.fromEntries(keywordLeads(source, "", keywords) ?? [])).toEqual({ 'token"': 8, "token'": 8, "token:": 8, "token\\": 8 });
    // A keyword set that misses one way on (no `token\`): not proved, the matcher runs over whole texts.
    expect(keywordLeads(source, "", ['token"', "token'", "token:"])).toBeUndefined();
    // What follows may be empty (and is not a finite set, which the analysis would multiply out): the name alone
    // starts a match, so nothing is proved.
    expect(keywordLeads(String.raw`(?:token|api_token)(?:["':]x*)?y`, "", ['token"', "token'", "token:"])).toBeUndefined();
    // The shipped rule's names (~150 spellings) times the four first characters: formatLeads' wider bound proves it.
    expect(formatLeads(String.raw`(?:[Tt]oken|TOKEN|[Aa]pi[_-]?[Tt]oken|API_TOKEN)(?:\\?["']|:)x`, "", keywords)).toBeDefined();
  });

  it("is sound: in every match of random patterns of this shape, a proved keyword starts within its lead", () => {
    const rand = seededRandom(1616);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const follows = ['"', "'", ":", "="];
    let proved = 0;
    let checked = 0;
    for (let round = 0; round < 300; round++) {
      const words = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 4) }, () => Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(["a", "b", "c"])).join("")))];
      const prefix = rand() < 0.5 ? "(?:x[-_]?)?" : "";
      const after = follows.filter(() => rand() < 0.6);
      if (after.length === 0) after.push(":");
      const escaped = rand() < 0.5;
      const head = `${escaped ? "\\\\?" : ""}[${after.map((c) => (c === "'" ? "'" : c)).join("")}]`;
      // What follows the names is never a finite set (y+), so the straddling proof is what is tested; sometimes it
      // is optional, and nothing may then be proved from it.
      const optional = rand() < 0.3;
      const source = `${prefix}(?:${words.join("|")})(?:${head}y+|zz)${optional ? "?q" : ""}`;
      // Keywords: each word's last letter with what may follow it, and sometimes a word alone.
      const keywords = [...new Set(words.flatMap((w) => [...after, ...(escaped ? ["\\"] : []), "z"].map((c) => w.slice(-1) + c)).concat(rand() < 0.2 ? [pick(words)] : []))];
      const leads = keywordLeads(source, "", keywords, 1024);
      if (!leads) continue;
      proved++;
      const re = new RegExp(source, "g");
      for (let t = 0; t < 80; t++) {
        const text = Array.from({ length: 60 }, () => pick(["a", "b", "c", "x", "_", "y", "z", "q", "\\", ...follows])).join("");
        for (const m of text.matchAll(re)) {
          checked++;
          const s = m[0].toLowerCase();
          expect([...leads].some(([k, lead]) => { const at = s.indexOf(k); return at >= 0 && at <= lead; })).toBe(true);
        }
      }
    }
    expect(proved).toBeGreaterThan(100);
    expect(checked).toBeGreaterThan(1000);
  });
});
