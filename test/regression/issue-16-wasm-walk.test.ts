// Issue 16 (a bigger catalogue at no cost in speed): the keyword automaton's dense walk runs in WebAssembly, several
// streams at once over pieces of the text (interleaved-walk.ts). It must report exactly what the JavaScript walk
// reports — every occurrence, in the same order — across chunk and piece boundaries, lead-ins, states too deep for a
// row, skipped stretches and any UTF-16 text; and where WebAssembly is missing (node --jitless) scans find the same.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRunFinder, type RunFinder, simdRunsModule } from "../../src/engine/base64-runs.js";
import { forEachRun, MIN_BASE64 } from "../../src/engine/decode.js";
import { denseWalkModule } from "../../src/engine/dense-walk-wasm.js";
import { createInterleavedWalker } from "../../src/engine/interleaved-walk.js";
import { buildKeywordAutomaton } from "../../src/engine/keyword-automaton.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { exampleCases } from "../../src/engine/rule-examples.js";
import { seededRandom } from "../../src/engine/template.js";
import { tempDir } from "../helpers.js";

const distBin = join(__dirname, "../../dist/cli/bin.js");

type Automaton = ReturnType<typeof buildKeywordAutomaton>;
const occurrences = (a: Automaton, text: string, skip?: [number, number]) => {
  const r = a.findAll(text, skip);
  return Array.from({ length: r.count }, (_, h) => `${r.starts[h]}:${r.ids[h]}`);
};

describe("issue 16: the WebAssembly walk", () => {
  it("is a valid module and is used where WebAssembly exists", () => {
    expect(WebAssembly.validate(denseWalkModule(1 << 20))).toBe(true);
    const table = new Int32Array(4); // one row of 4 classes, every move back to the root
    const walker = createInterleavedWalker(table, 4, Int32Array.of(0), Int32Array.of(97, 1), 1, { step: () => 0, ends: () => false, rowOf: Int32Array.of(0) });
    expect(walker).toBeDefined();
  });

  it("reports what the JavaScript walk reports, across streams, chunks, lead-ins, deep states and skips", () => {
    let seed = 16;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const pick = (n: number, alphabet: string) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
    let compared = 0;
    for (let round = 0; round < 40; round++) {
      const keywords = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 150) }, () => pick(1 + Math.floor(rand() * 9), "ab-_cé")))];
      const make = (walk: Parameters<typeof buildKeywordAutomaton>[3], depth: number) => {
        const a = buildKeywordAutomaton(keywords, undefined, depth, walk);
        a.dense();
        return a;
      };
      for (const depth of [6, 1, 2]) {
        const js = make("js", depth);
        // Tiny chunks and pieces, so that a 300-character text crosses many boundaries; and the shipped sizes.
        const wasms = [make({ chunk: 7 + Math.floor(rand() * 40), minPiece: 1 + Math.floor(rand() * 5) }, depth), make({}, depth)];
        for (let j = 0; j < 6; j++) {
          const text = pick(Math.floor(rand() * 300), "aAbB-_cCé x\n\u{1F600}\ud800");
          const from = Math.floor(rand() * text.length);
          const skip: [number, number] | undefined = j % 2 === 0 ? undefined : [from, from + Math.floor(rand() * 40)];
          const want = occurrences(js, text, skip);
          for (const w of wasms) expect(occurrences(w, text, skip)).toEqual(want);
          compared += want.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(20_000);
  });

  it("finds a keyword that straddles any chunk or piece boundary, at every offset", () => {
    const keywords = ["abcdefghij", "ghijk", "j"];
    for (const depth of [6, 2]) {
      const js = buildKeywordAutomaton(keywords, undefined, depth, "js");
      js.dense();
      for (const chunk of [11, 16, 40]) {
        const wasm = buildKeywordAutomaton(keywords, undefined, depth, { chunk, minPiece: 2 });
        wasm.dense();
        for (let at = 0; at < 60; at++) {
          const text = `${"z".repeat(at)}ABCDEFGHIJK${"y".repeat(70 - at)}`;
          const want = occurrences(js, text);
          expect(want).toContain(`${at}:0`);
          expect(occurrences(wasm, text)).toEqual(want);
        }
      }
    }
  });

  it("reports what the JavaScript walk reports for the shipped keywords over every rule example", () => {
    const rs = loadRules({ cacheDir: false });
    const keywords = rs.prefilter.keywords;
    const js = buildKeywordAutomaton(keywords, undefined, undefined, "js");
    js.dense();
    const wasm = buildKeywordAutomaton(keywords, undefined, undefined, { chunk: 4096, minPiece: 64 });
    wasm.dense();
    const all = rs.rules.flatMap((r) => exampleCases(r).map((c) => c.text)).join("\n");
    const want = occurrences(js, all);
    expect(want.length).toBeGreaterThan(10_000);
    expect(occurrences(wasm, all)).toEqual(want);
    expect(occurrences(wasm, all, [1000, 50_000])).toEqual(occurrences(js, all, [1000, 50_000]));
  });

  it("finds the same secrets without WebAssembly (node --jitless)", () => {
    const t = tempDir("keyscan-issue16-wasm-");
    try {
      const rs = loadRules({ cacheDir: false });
      // Enough text (over 2 MB) that the dense table, and with it the WebAssembly walk, is made.
      const examples = rs.rules.filter((r) => r.id.startsWith("github.") || r.id.startsWith("stripe.")).flatMap((r) => exampleCases(r).map((c) => c.text));
      const filler = "const value = computeSomething(input, options);\n".repeat(46_000);
      writeFileSync(join(t.dir, "big.js"), `${filler}${examples.join("\n")}\n`);
      const scan = (flags: string[]) => {
        try {
          return execFileSync(process.execPath, [...flags, distBin, t.dir, "--format", "json", "--no-gitignore", "--threads", "1"], { encoding: "utf8", env: { ...process.env, KEYSCAN_CACHE_DIR: "off" } });
        } catch (e) {
          return (e as { stdout: string }).stdout;
        }
      };
      const strip = (out: string) => (JSON.parse(out) as { findings: Array<{ rule: string; line: number; column: number }> }).findings.map((f) => `${f.rule}@${f.line}:${f.column}`).sort();
      const withWasm = strip(scan([]));
      expect(withWasm.length).toBeGreaterThan(3);
      expect(strip(scan(["--jitless"]))).toEqual(withWasm);
    } finally {
      t.cleanup();
    }
  });

  it("finds the base64 runs decode.ts's JavaScript finder finds, across chunks and runs longer than the longest kept", () => {
    let seed = 61;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const classes = new Uint8Array(128);
    for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") classes[ch.charCodeAt(0)] = 1 << Math.floor(rand() * 6);
    const runs = (find: typeof forEachRun, text: string, stopAfter = Infinity) => {
      const out: number[][] = [];
      find(text, (a, b, c) => (out.push([a, b, c]), out.length < stopAfter));
      return out;
    };
    // The JavaScript finder's own table is decode.ts's; this one runs both on the same classes.
    const js = (text: string, visit: Parameters<typeof forEachRun>[1]) => {
      const n = text.length;
      for (let i = 0; i < n; ) {
        while (i < n && !(text.charCodeAt(i) < 128 && classes[text.charCodeAt(i)]! !== 0)) i++;
        let stop = i;
        let cls = 0;
        while (stop < n && text.charCodeAt(stop) < 128 && classes[text.charCodeAt(stop)]! !== 0) cls |= classes[text.charCodeAt(stop++)]!;
        if (stop - i >= 6 && !visit(i, stop, cls)) return;
        i = stop;
      }
    };
    const finders = [createRunFinder(classes, 6, 40, 13)!, createRunFinder(classes, 6, 40, 64)!, createRunFinder(classes, 6, 40)!];
    let compared = 0;
    for (let round = 0; round < 300; round++) {
      const pieces = Array.from({ length: Math.floor(rand() * 40) }, () => {
        // Mostly short mixed pieces; some long runs (past the longest run kept, 40, and past a chunk).
        const long = rand() < 0.15;
        const alphabet = long ? "aZ9+/-_" : "aZ9+/-_ .\né\u{1F600}";
        return Array.from({ length: Math.floor(rand() * (long ? 200 : 12)) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
      });
      const text = pieces.join(rand() < 0.5 ? " " : "");
      const want = runs(js, text);
      for (const f of finders) {
        expect(runs(f, text)).toEqual(want);
        expect(runs(f, text, 2)).toEqual(want.slice(0, 2));
      }
      compared += want.length;
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("finds the same runs 16 characters a step (SIMD), at the shipped minimum, whatever the characters around them", () => {
    expect(WebAssembly.validate(simdRunsModule(MIN_BASE64, 1 << 20))).toBe(true);
    const rand = seededRandom(1616);
    const classes = new Uint8Array(128);
    for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") classes[ch.charCodeAt(0)] = 1 << Math.floor(rand() * 6);
    // Beside the base64 characters, those next to their ranges, Latin-1 ones that fold onto letters (0xC1 | 0x20 is
    // 0xE1), wider ones whose low byte is a letter (U+0141, U+0161), ones past U+7FFF, and a lone surrogate.
    const near = "@[`{/:+,-._=\x20\n\u00c1\u00e1\u0141\u0161\u8041\uffff\ud800\u0000";
    const runChars = "aZ9+/-_mQ0";
    const runs = (find: RunFinder, text: string) => {
      const out: number[][] = [];
      find(text, (a, b, c) => (out.push([a, b, c]), true));
      return out;
    };
    const naive = (text: string) => {
      const out: number[][] = [];
      for (let i = 0; i < text.length; ) {
        let stop = i;
        let cls = 0;
        while (stop < text.length && text.charCodeAt(stop) < 128 && classes[text.charCodeAt(stop)]! !== 0) cls |= classes[text.charCodeAt(stop++)]!;
        if (stop - i >= MIN_BASE64) out.push([i, stop, cls]);
        i = stop === i ? i + 1 : stop;
      }
      return out;
    };
    const finders = [createRunFinder(classes, MIN_BASE64, 100, 50)!, createRunFinder(classes, MIN_BASE64, 100)!];
    let compared = 0;
    for (let round = 0; round < 400; round++) {
      // Runs of every length around the minimum and the 16-character step, between stretches of other characters.
      const text = Array.from({ length: Math.floor(rand() * 30) }, () => {
        const run = Array.from({ length: Math.floor(rand() * (rand() < 0.2 ? 300 : 50)) }, () => runChars[Math.floor(rand() * runChars.length)]).join("");
        const gap = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => near[Math.floor(rand() * near.length)]).join("");
        return run + gap;
      }).join("");
      const want = naive(text);
      for (const f of finders) expect(runs(f, text)).toEqual(want);
      compared += want.length;
    }
    expect(compared).toBeGreaterThan(1000);
  });
});

