// Issue 21 (bounded memory) with issue 16's catalogue: the keyword automaton's dense table is made once, in a shared
// WebAssembly memory, and every thread's walker works in a region of its own of that memory instead of copying the
// table (dense-table-memory.ts). Walkers in different regions must not disturb one another; with no region free a
// walker copies the table, as before; the pool gives each worker a region and takes it back once the worker is gone.
// Pool tests run the built worker (dist/executor/pool-worker.js), so they need `npx tsc -p .` first, as CI does.
import { describe, expect, it } from "vitest";
import { claimRegion, regionOf, releaseRegion, SLOTS, TABLE_AT } from "../../src/engine/dense-table-memory.js";
import { CLASS_AT } from "../../src/engine/dense-walk-wasm.js";
import { buildKeywordAutomaton } from "../../src/engine/keyword-automaton.js";
import { loadRules } from "../../src/engine/load-rules.js";
import { prefilterParts } from "../../src/engine/prefilter.js";
import { scanText } from "../../src/engine/scan-text.js";
import { generateSecret, seededRandom } from "../../src/engine/template.js";
import type { WasmMemory } from "../../src/engine/wasm-emit.js";
import { ScanPool } from "../../src/executor/pool.js";

type Automaton = ReturnType<typeof buildKeywordAutomaton>;
const occurrences = (a: Automaton, text: string) => {
  const r = a.findAll(text);
  return Array.from({ length: r.count }, (_, h) => `${r.starts[h]}:${r.ids[h]}`);
};
const taken = (memory: WasmMemory) => Array.from({ length: SLOTS }, (_, slot) => slot).filter((slot) => Atomics.load(new Int32Array(memory.buffer, 0, 4 + SLOTS), 4 + slot) === 1);
/** Whether a walker has written its class map in `slot`'s region (it does so when it is made there). */
const regionUsed = (memory: WasmMemory, slot: number) => new Uint8Array(memory.buffer, regionOf(memory, slot).base + CLASS_AT, 65536).some((b) => b !== 0);

describe("issue 21: one dense table for every thread", () => {
  const rand = seededRandom(21);
  const pick = (n: number, alphabet: string) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
  const keywords = [...new Set(Array.from({ length: 300 }, () => pick(2 + Math.floor(rand() * 12), "abcdefgh_-")))];
  const texts = Array.from({ length: 12 }, () => pick(200_000, "aAbBcCdDeEfFgGhH_- \n"));

  it("is made in a shared memory, and walkers in separate regions of it find what the JavaScript walk finds", () => {
    const js = buildKeywordAutomaton(keywords, undefined, 6, "js");
    js.dense();
    const main = buildKeywordAutomaton(keywords, undefined, 6);
    const table = main.dense();
    const memory = main.tables.transitionsMemory;
    expect(memory).toBeDefined();
    expect(table.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(table.byteOffset).toBe(TABLE_AT);
    // A second automaton over the same tables, as a worker restores it, with a region claimed for it.
    const slot = claimRegion(memory!)!;
    const other = buildKeywordAutomaton(keywords, { ...main.tables }, 6, { shared: { memory: memory!, slot } });
    // Alternate the two over long texts (many chunks), so that each walks while the other's region holds its state.
    for (const text of texts) {
      const want = occurrences(js, text);
      expect(want.length).toBeGreaterThan(100);
      expect(occurrences(main, text)).toEqual(want);
      expect(occurrences(other, text)).toEqual(want);
    }
    // The second used the region given to it; the first claimed another for itself.
    const regions = taken(memory!);
    expect(regions).toHaveLength(2);
    expect(regions).toContain(slot);
    for (const r of regions) expect(regionUsed(memory!, r)).toBe(true);
    // Not one table copy more: the walkers read the one in the shared memory.
    expect(other.tables.transitions).toBe(table);
  });

  it("copies the table, and still finds the same, when no region is free", () => {
    const js = buildKeywordAutomaton(keywords, undefined, 6, "js");
    js.dense();
    const main = buildKeywordAutomaton(keywords, undefined, 6);
    main.dense();
    const memory = main.tables.transitionsMemory!;
    const claimed: number[] = [];
    for (let slot = claimRegion(memory); slot !== undefined; slot = claimRegion(memory)) claimed.push(slot);
    expect(claimed).toHaveLength(SLOTS);
    // Each region lies past the table, inside the memory, and apart from every other.
    const spans = claimed.map((slot) => regionOf(memory, slot)).sort((a, b) => a.base - b.base);
    expect(spans[0]!.base).toBeGreaterThanOrEqual(TABLE_AT + main.tables.transitions!.length * 4);
    for (let k = 1; k < spans.length; k++) expect(spans[k]!.base).toBeGreaterThanOrEqual(spans[k - 1]!.base + spans[k - 1]!.bytes);
    expect(spans.at(-1)!.base + spans.at(-1)!.bytes).toBeLessThanOrEqual(memory.buffer.byteLength);
    for (const text of texts.slice(0, 3)) expect(occurrences(main, text)).toEqual(occurrences(js, text));
    expect(claimed.some((slot) => regionUsed(memory, slot))).toBe(false);
    for (const slot of claimed) releaseRegion(memory, slot);
    expect(taken(memory)).toEqual([]);
  });

  it("gives each pool worker a region of the main thread's memory, and takes it back once the worker has exited", async () => {
    const ruleset = loadRules({ cacheDir: false });
    const pool = new ScanPool(ruleset, { threads: 2, inlineAllow: true });
    const memory = prefilterParts(ruleset.prefilter)?.tables.transitionsMemory;
    expect(memory).toBeDefined();
    const workers = taken(memory!); // claimed as the pool started them (this thread has not walked yet)
    expect(workers).toHaveLength(2);
    try {
      const lines = Array.from({ length: 2000 }, (_, i) => (i % 50 === 7 ? `GITHUB_TOKEN=${generateSecret("ghp_{alnum:36}", rand)}` : `const api_key_${i} = process.env.TOKEN_${i}; // secret`));
      const text = `${lines.join("\n")}\n`;
      const want = scanText(text, ruleset, { path: "a.env" }).map((f) => `${f.rule.id}@${f.start}`);
      expect(want.length).toBeGreaterThan(10);
      const outcomes = await Promise.all([0, 1, 2, 3].map(() => pool.scan(Buffer.from(text), "a.env")));
      for (const o of outcomes) {
        expect(o.ok).toBe(true);
        if (o.ok) expect(o.findings.map((f) => `${f.ruleId}@${f.start}`)).toEqual(want);
      }
      // Both workers walked in their own regions (four inputs go two to each); this thread in a third.
      for (const slot of workers) expect(regionUsed(memory!, slot)).toBe(true);
      expect(taken(memory!)).toHaveLength(3);
    } finally {
      await pool.close();
    }
    const mine = taken(memory!).filter((slot) => !workers.includes(slot));
    const deadline = Date.now() + 10_000;
    while (taken(memory!).length > mine.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(taken(memory!)).toEqual(mine);
  });

  it("gives a worker that found no free region the table alone: it copies it and claims none that nobody would free", async () => {
    const ruleset = loadRules({ cacheDir: false });
    const parts = prefilterParts(ruleset.prefilter)!;
    parts.dense();
    const memory = parts.tables.transitionsMemory!;
    const ours: number[] = [];
    for (let slot = claimRegion(memory); slot !== undefined; slot = claimRegion(memory)) ours.push(slot);
    const pool = new ScanPool(ruleset, { threads: 2, inlineAllow: true });
    // Regions free up while the workers run: they must still not take one (the pool would never give it back).
    for (const slot of ours) releaseRegion(memory, slot);
    try {
      const text = `${Array.from({ length: 3000 }, (_, i) => `GITHUB_TOKEN=${generateSecret("ghp_{alnum:36}", rand)} // ${i}`).join("\n")}\n`;
      const want = scanText(text, ruleset, { path: "b.env" }).map((f) => `${f.rule.id}@${f.start}`);
      expect(taken(memory)).toHaveLength(1); // this thread's walker
      const outcomes = await Promise.all([0, 1, 2, 3].map(() => pool.scan(Buffer.from(text), "b.env")));
      for (const o of outcomes) if (o.ok) expect(o.findings.map((f) => `${f.ruleId}@${f.start}`)).toEqual(want);
      expect(outcomes.every((o) => o.ok)).toBe(true);
    } finally {
      await pool.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(taken(memory)).toHaveLength(1);
  });
});
