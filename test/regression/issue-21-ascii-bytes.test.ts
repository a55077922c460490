// Issue 21 (a tree scan within a few times ripgrep's): an ASCII file's bytes are its text's characters, so the keyword
// walk and the encoded-run finder read those bytes (scan-bytes.ts → scanAsciiText) instead of each writing a UTF-16
// copy of the text into its WebAssembly memory. Each must report exactly what it reports for the text: every keyword
// occurrence (across chunks, pieces, deep states and skips) and every run, and a scan the same findings.
import { describe, expect, it } from "vitest";
import { createRunFinders, type RunVisitor } from "../../src/engine/base64-runs.js";
import { MIN_BASE64 } from "../../src/engine/decode.js";
import { buildKeywordAutomaton } from "../../src/engine/keyword-automaton.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { prefilterParts } from "../../src/engine/prefilter.js";
import { exampleCases } from "../../src/engine/rule-examples.js";
import { scanAsciiText, scanText } from "../../src/engine/scan-text.js";
import { seededRandom } from "../../src/engine/template.js";

const latin1 = (text: string) => Buffer.from(text, "latin1");

describe("issue 21: ASCII texts walked as their bytes", () => {
  it("the keyword walk over bytes reports what the walk over the text reports, skips included", () => {
    const rand = seededRandom(2101);
    const pick = (n: number, alphabet: string) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
    let compared = 0;
    for (let round = 0; round < 30; round++) {
      const keywords = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 120) }, () => pick(1 + Math.floor(rand() * 9), "ab-_c")))];
      for (const depth of [6, 2]) {
        // Tiny chunks and pieces, so that a text crosses many boundaries, and the shipped sizes.
        for (const walk of [{ chunk: 7 + Math.floor(rand() * 40), minPiece: 1 + Math.floor(rand() * 5) }, {}]) {
          const a = buildKeywordAutomaton(keywords, undefined, depth, walk);
          a.dense();
          for (let j = 0; j < 6; j++) {
            const text = pick(Math.floor(rand() * 400), "aAbB-_cC x\n");
            const from = Math.floor(rand() * text.length);
            const skip: [number, number] | undefined = j % 2 === 0 ? undefined : [from, from + Math.floor(rand() * 40)];
            const list = (bytes?: Uint8Array) => {
              const r = a.findAll(text, skip, bytes);
              return Array.from({ length: r.count }, (_, h) => `${r.starts[h]}:${r.ids[h]}`);
            };
            const want = list();
            expect(list(latin1(text))).toEqual(want);
            compared += want.length;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it("the run finder over bytes finds the runs it finds in the same characters as text, any byte beside them", () => {
    const rand = seededRandom(2102);
    const classes = new Uint8Array(128);
    for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") classes[ch.charCodeAt(0)] = 1 << Math.floor(rand() * 6);
    // Latin-1 bytes that fold onto letters (0xC1 | 0x20 is 0xE1) and the bytes next to the base64 ranges.
    const near = "@[`{/:+,-._= \n\u00c1\u00e1\u00ff\u0080\u0000";
    const runChars = "aZ9+/-_mQ0";
    const runs = (find: (visit: RunVisitor) => void) => {
      const out: number[][] = [];
      find((a, b, c) => (out.push([a, b, c]), true));
      return out;
    };
    // SIMD (the shipped minimum) and the scalar loop (a minimum below a step), each with small chunks and shipped ones.
    const finders = [createRunFinders(classes, MIN_BASE64, 100, 50)!, createRunFinders(classes, MIN_BASE64, 100)!, createRunFinders(classes, 6, 40, 13)!, createRunFinders(classes, 6, 40)!];
    let compared = 0;
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: Math.floor(rand() * 30) }, () => {
        const run = Array.from({ length: Math.floor(rand() * (rand() < 0.2 ? 300 : 50)) }, () => runChars[Math.floor(rand() * runChars.length)]).join("");
        const gap = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => near[Math.floor(rand() * near.length)]).join("");
        return run + gap;
      }).join("");
      const bytes = latin1(text);
      for (const f of finders) {
        const want = runs((visit) => f.text(text, visit));
        expect(runs((visit) => f.bytes(bytes, visit))).toEqual(want);
        compared += want.length;
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });

  it("a scan told the bytes finds what scanText finds: every rule's ASCII examples, plain and base64-encoded", () => {
    const rs = loadRules({ cacheDir: false });
    // The WebAssembly walk exists once the dense table does; the run finder's once a scan has read 1 MB.
    prefilterParts(rs.prefilter)!.dense();
    const examples = rs.rules.flatMap((r) => exampleCases(r).map((c) => c.text)).filter((t) => !/[^\x00-\x7f]/.test(t));
    const encoded = examples.slice(0, 400).map((t) => `blob = "${Buffer.from(t).toString("base64")}"`);
    const filler = "const value = computeSomething(input, options); // nothing here\n".repeat(20_000);
    const text = `${filler}${examples.join("\n")}\n${encoded.join("\n")}\n`;
    const key = (f: ReturnType<typeof scanText>[number]) => `${f.rule.id} ${f.start}-${f.end} ${f.usage} ${f.decoded?.join("/") ?? ""}`;
    const want = scanText(text, rs, { path: "examples.txt" }).map(key);
    expect(want.length).toBeGreaterThan(1000);
    expect(want.some((k) => k.endsWith(" base64"))).toBe(true);
    expect(scanAsciiText(text, latin1(text), rs, { path: "examples.txt" }).map(key)).toEqual(want);
  });
});
