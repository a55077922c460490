// Issue 21 (a file with many secrets): companion values on a long line. Each finding's declared lines are the whole
// line when a file is minified, so every finding searched the whole line for its companions (time in the square of
// the findings on it) and took the line's first candidate, not its own neighbour. Now the nearest wins — fewest
// lines, then fewest characters away — and a pattern is looked for within NEAR_RADIUS characters of the secret.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { companionsFor, resolveCompanions } from "../../src/engine/companions.js";
import { NEAR_RADIUS } from "../../src/engine/limits.js";
import { LineIndex } from "../../src/engine/lines.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { scanText } from "../../src/engine/scan-text.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";

// acme.token wants `account` (an acme.account-id finding within 3 lines) and `shop` (`shop: <name>` within 5 lines).
const RULES = join(dirname(fileURLToPath(import.meta.url)), "..", "verify", "fixtures", "rules", "acme.yaml");
const ruleset = loadRules({ builtin: false, extra: [{ path: RULES }] });
const rand = seededRandom("issue-21-companions");
const token = () => generateSecret("acmetok_{alnum:32}", rand);
const account = () => generateSecret("AC{hex:16}", rand);

/** One minified line of `n` records, each a shop, an account id and a token, in that order. */
function minified(n: number) {
  const records = Array.from({ length: n }, (_, i) => ({ shop: `shop-${i}`, account: account(), token: token() }));
  const text = records.map((r) => `{"shop: ${r.shop}","account":"${r.account}","token":"${r.token}","note":"${"x".repeat(60)}"}`).join(",") + "\n";
  return { records, text };
}

describe("companions on a long line", () => {
  it("each token gets the account id and shop beside it, not the line's first", () => {
    const { records, text } = minified(2);
    const found = scanText(text, ruleset, { inlineAllow: false });
    const companions = companionsFor(found, text);
    const byToken = new Map(found.map((f, i) => [f.secret, companions[i]]));
    for (const r of records) expect(byToken.get(r.token)).toEqual({ account: r.account, shop: r.shop });
  });

  it("resolveCompanions without the per-rule index gives the same answer", () => {
    const { records, text } = minified(3);
    const found = scanText(text, ruleset, { inlineAllow: false });
    const last = found.find((f) => f.secret === records[2]!.token)!;
    expect(resolveCompanions(last, found, () => new LineIndex(text))).toEqual({ account: records[2]!.account, shop: records[2]!.shop });
  });

  it("hundreds of records on one line each resolve their own", () => {
    const { records, text } = minified(600);
    expect(text.length).toBeGreaterThan(NEAR_RADIUS * 20);
    const found = scanText(text, ruleset, { inlineAllow: false });
    const companions = companionsFor(found, text);
    const got = new Map(found.map((f, i) => [f.secret, companions[i]]));
    expect(records.filter((r) => got.get(r.token)?.account !== r.account || got.get(r.token)?.shop !== r.shop)).toEqual([]);
  });

  it("a pattern value further than NEAR_RADIUS characters along the line is not taken", () => {
    const t = token();
    const text = `shop: far-away ${"y".repeat(NEAR_RADIUS + 100)} ACME_ACCOUNT=${account()} ACME_TOKEN=${t}\n`;
    const found = scanText(text, ruleset, { inlineAllow: false });
    const i = found.findIndex((f) => f.secret === t);
    expect(companionsFor(found, text)[i]!.shop).toBeUndefined();
  });

  it("across lines the nearest line still wins, and the declared lines still bound it", () => {
    const near = account();
    const t = token();
    const text = `ACME_ACCOUNT=${account()}\nshop: far-shop\n\n\nshop: near-shop\nACME_ACCOUNT=${near}\nACME_TOKEN=${t}\n\n\n\n\nACME_ACCOUNT=${account()}\n`;
    const found = scanText(text, ruleset, { inlineAllow: false });
    const i = found.findIndex((f) => f.secret === t);
    expect(companionsFor(found, text)[i]).toEqual({ account: near, shop: "near-shop" });
  });
});
