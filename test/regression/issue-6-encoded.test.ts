// Issue 6, part 3: secrets inside base64, hex and percent-encoded text are found and reported at the encoded text,
// with the encodings noted; decoding depth is bounded (default 2).
import { describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { scanText } from "../../src/engine/scan-text.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";

const ruleset = loadRules();
const rand = seededRandom("issue-6-encoded");
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("encoded secrets", () => {
  const key = generateSecret("key-{alnum:96}", rand);
  const inner = `GETIMG_API_KEY=${key}\nOTHER=1\n`;

  it("finds a key inside base64 and reports it at the encoded run", () => {
    const encoded = b64(inner);
    const text = `apiVersion: v1\nkind: Secret\ndata:\n  env: ${encoded}\n`;
    const [f, ...rest] = scanText(text, ruleset);
    expect(rest).toHaveLength(0);
    expect(f?.rule.id).toBe("getimg.api-key");
    expect(f?.secret).toBe(key);
    expect(f?.decoded).toEqual(["base64"]);
    expect(text.slice(f!.start, f!.end)).toBe(encoded);
    expect([f?.line, f?.column]).toEqual([4, 8]);
  });

  it("looks through two layers, not three (bounded depth)", () => {
    const twice = b64(b64(inner));
    expect(scanText(`blob = "${twice}"`, ruleset).map((f) => f.decoded)).toEqual([["base64", "base64"]]);
    const thrice = b64(b64(b64(inner)));
    expect(scanText(`blob = "${thrice}"`, ruleset).filter((f) => f.rule.id === "getimg.api-key")).toEqual([]);
    expect(scanText(`blob = "${thrice}"`, ruleset, { decodeDepth: 3 }).map((f) => f.decoded)).toEqual([["base64", "base64", "base64"]]);
  });

  it("decodes hex and percent-encoding", () => {
    const hex = Buffer.from(inner).toString("hex");
    expect(scanText(`payload=${hex}`, ruleset).map((f) => [f.rule.id, f.decoded])).toEqual([["getimg.api-key", ["hex"]]]);
    const pw = generateSecret("{alnum:20}", rand);
    const url = encodeURIComponent(`postgres://app:${pw}@db.prod.internal:5432/app`);
    const found = scanText(`https://admin.test/connect?dsn=${url}`, ruleset);
    expect(found.map((f) => [f.rule.id, f.secret, f.decoded])).toEqual([["connection-string.uri", pw, ["percent"]]]);
  });

  it("reports several secrets in one blob, and nothing for base64 of ordinary text", () => {
    const key2 = generateSecret("key-{alnum:95}", rand);
    const blob = b64(`A=${key}\nB=${key2}\n`).replace(/=+$/, "");
    expect(scanText(`x: ${blob}`, ruleset).map((f) => f.secret).sort()).toEqual([key, key2].sort());
    expect(scanText(`x: ${b64("just some ordinary configuration text, nothing secret in here at all")}`, ruleset)).toEqual([]);
  });

  it("can be turned off", () => {
    expect(scanText(`env: ${b64(inner)}`, ruleset, { decodeDepth: 0 })).toEqual([]);
  });
});
