// Issue 21 (what a secret adds to its file's scan): a file with a finding or two checks inline-allow markers on the
// findings' own lines instead of searching the whole text for one first, and the randomness filter's occupancy
// chain keeps only the states it sums, in reused rows. Neither may change an answer: these pin the behaviour.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { logDistinctCdf } from "../../src/engine/filters/randomness.js";
import { NEAR_RADIUS } from "../../src/engine/limits.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { scanText } from "../../src/engine/scan-text.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";

const RULES = join(dirname(fileURLToPath(import.meta.url)), "..", "verify", "fixtures", "rules", "acme.yaml");
const ruleset = loadRules({ builtin: false, extra: [{ path: RULES }] });
const rand = seededRandom("issue-21-findings-per-file");
const token = () => generateSecret("acmetok_{alnum:32}", rand);
/** Ordinary code, many times longer than what one finding's allow check reads. */
const filler = (lines: number) => Array.from({ length: lines }, (_, i) => `export const value${i} = compute(${i}, "plain text");`).join("\n");

describe("inline allow in a long file with one finding", () => {
  const big = filler(2000);
  it("is longer than the span a finding's own check reads", () => expect(big.length).toBeGreaterThan(8 * NEAR_RADIUS));

  it.each([
    ["same line", (t: string) => `${big}\nconst k = "${t}"; // keyscan:allow\n${big}\n`],
    ["next-line marker above", (t: string) => `${big}\n// keyscan:allow-next-line\nconst k = "${t}";\n${big}\n`],
    ["gitleaks marker", (t: string) => `${big}\nconst k = "${t}"; // gitleaks:allow\n${big}\n`],
    ["detect-secrets marker", (t: string) => `${big}\nconst k = "${t}"; # pragma: allowlist secret\n${big}\n`],
  ])("%s: not reported, and reported with inline allow off", (_, make) => {
    const t = token();
    const text = make(t);
    expect(scanText(text, ruleset).map((f) => f.secret)).toEqual([]);
    expect(scanText(text, ruleset, { inlineAllow: false }).map((f) => f.secret)).toEqual([t]);
    expect(scanText(text, ruleset, { keepAllowed: true }).map((f) => [f.secret, f.allowedInline])).toEqual([[t, true]]);
  });

  it("a marker elsewhere in the file allows nothing", () => {
    const t = token();
    const text = `// keyscan:allow\n// keyscan:allow-next-line\n${big}\nconst k = "${t}";\n${big}\n// gitleaks:allow\n`;
    expect(scanText(text, ruleset).map((f) => f.secret)).toEqual([t]);
  });

  it("dense findings in a short text: each marked line allowed, the others reported", () => {
    const tokens = Array.from({ length: 40 }, token);
    const text = tokens.map((t, i) => `k${i} = "${t}"${i % 2 === 0 ? " # keyscan:allow" : ""}`).join("\n");
    expect(scanText(text, ruleset).map((f) => f.secret)).toEqual(tokens.filter((_, i) => i % 2 === 1));
  });
});

/** The occupancy chain written out in full, a fresh row per draw (the form before issue 21). */
function reference(d: number, n: number, c: number): number {
  if (d >= Math.min(n, c)) return 0;
  let dist = new Float64Array(Math.min(n, c) + 1);
  dist[0] = 1;
  for (let draw = 0; draw < n; draw++) {
    const next = new Float64Array(dist.length);
    for (let k = 0; k < dist.length; k++) {
      const pk = dist[k]!;
      if (pk === 0) continue;
      next[k] += pk * (k / c);
      if (k + 1 < dist.length) next[k + 1] += pk * ((c - k) / c);
    }
    dist = next;
  }
  let s = 0;
  for (let k = 0; k <= d; k++) s += dist[k]!;
  return Math.log(Math.max(s, 1e-300));
}

describe("the randomness filter's distinct-symbol probability", () => {
  it("is exactly the full chain's, for every state count, wide rows and narrow ones interleaved", () => {
    const mismatches: string[] = [];
    for (const c of [16, 62, 66, 200]) {
      for (const n of [1, 2, 3, 10, 20, 33, 64, 100, 150]) {
        for (let d = 0; d <= Math.min(n, c); d += d < 12 ? 1 : 7) {
          const got = logDistinctCdf(d, n, c);
          if (!Object.is(got, reference(d, n, c))) mismatches.push(`d=${d} n=${n} c=${c}: ${got} vs ${reference(d, n, c)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("matches the closed form on a small case: 3 draws from 2 symbols show one symbol with probability 1/4", () => {
    expect(logDistinctCdf(1, 3, 2)).toBeCloseTo(Math.log(0.25), 12);
  });
});
