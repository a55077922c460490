// Issue 21 (small and medium inputs): the pool starts on what is known — time spent matching and input matched —
// so a scan that ends quickly never pays for workers; tests can still force it with fixed thresholds.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EARLY_POOL_BYTES, EARLY_POOL_MS, LARGE_BACKLOG, POOL_AFTER_BYTES, POOL_AFTER_MS, poolWorkers, shouldStartPool } from "../../src/executor/policy.js";
import { workingTreeSource } from "../../src/sources/working-tree.js";
import { tempDir } from "../helpers.js";

describe("issue 21: pooling policy", () => {
  const big = { threads: 2, bytes: 64 << 20, items: 5000, elapsedMs: 2000 };

  it("never starts a pool for one thread", () => {
    expect(shouldStartPool({ ...big, threads: 1 })).toBe(false);
    expect(shouldStartPool({ ...big, threads: 0 })).toBe(false);
    expect(shouldStartPool({ ...big, threads: 1 }, { bytes: 0, items: 0 })).toBe(false);
  });

  it("waits until the scan has run long enough and matched enough to repay a worker", () => {
    expect(shouldStartPool(big)).toBe(true);
    // A pre-commit run: a few files, quickly.
    expect(shouldStartPool({ threads: 8, bytes: 40_000, items: 10, elapsedMs: 30 })).toBe(false);
    // Many small files, or a few MB, matched quickly (issue 7 started the pool after 32 files or 512 KB).
    expect(shouldStartPool({ threads: 2, bytes: 600_000, items: 33, elapsedMs: 40 })).toBe(false);
    expect(shouldStartPool({ threads: 2, bytes: 4 << 20, items: 2000, elapsedMs: 120 })).toBe(false);
    // Slow going on little input (a few files with deep decoding) is no sign of a large scan.
    expect(shouldStartPool({ threads: 2, bytes: 1 << 20, items: 3, elapsedMs: 5000 })).toBe(false);
    // At the thresholds, and just short of each.
    expect(shouldStartPool({ threads: 2, bytes: POOL_AFTER_BYTES, items: 100, elapsedMs: POOL_AFTER_MS })).toBe(true);
    expect(shouldStartPool({ threads: 2, bytes: POOL_AFTER_BYTES - 1, items: 100, elapsedMs: POOL_AFTER_MS })).toBe(false);
    expect(shouldStartPool({ threads: 2, bytes: POOL_AFTER_BYTES, items: 100, elapsedMs: POOL_AFTER_MS - 1 })).toBe(false);
  });

  it("starts threads - 1 workers once the scan has proved large", () => {
    expect(poolWorkers({ ...big, threads: 8 })).toBe(7);
    expect(poolWorkers({ ...big, threads: 2 })).toBe(1);
    expect(poolWorkers({ ...big, threads: 1 })).toBe(0);
  });

  it("takes fixed thresholds when given (tests force the pool with zeros)", () => {
    expect(shouldStartPool({ threads: 2, bytes: 1, items: 1, elapsedMs: 0 }, { bytes: 0, items: 0 })).toBe(true);
    expect(shouldStartPool({ threads: 2, bytes: 0, items: 0, elapsedMs: 0 }, { bytes: 0, items: 0 })).toBe(false);
    expect(shouldStartPool({ threads: 2, bytes: 10, items: 1, elapsedMs: 9999 }, { bytes: 100 })).toBe(false);
  });

  it("starts early when the source knows a large backlog (issue 16's A/B: the tree walk's folders still to list)", () => {
    const early = { threads: 2, bytes: EARLY_POOL_BYTES, items: 300, elapsedMs: EARLY_POOL_MS, backlog: LARGE_BACKLOG };
    expect(shouldStartPool(early)).toBe(true);
    // A medium tree (typescript + three had 12-13 folders left at 250 ms): no early start.
    expect(shouldStartPool({ ...early, backlog: LARGE_BACKLOG - 1 })).toBe(false);
    expect(shouldStartPool({ ...early, backlog: undefined })).toBe(false);
    // Not before EARLY_POOL_MS of matching nor on less input, however large the backlog.
    expect(shouldStartPool({ ...early, elapsedMs: EARLY_POOL_MS - 1, backlog: 10_000 })).toBe(false);
    expect(shouldStartPool({ ...early, bytes: EARLY_POOL_BYTES - 1, backlog: 10_000 })).toBe(false);
  });

  it("the working tree's backlog counts the folders its scan has still to list, and not its estimate's", async () => {
    const t = tempDir("keyscan-21-backlog-");
    try {
      for (let i = 0; i < 5; i++) {
        mkdirSync(join(t.dir, `d${i}`, "inner"), { recursive: true });
        writeFileSync(join(t.dir, `d${i}`, "inner", "f.txt"), "x\n");
      }
      writeFileSync(join(t.dir, "top.txt"), "x\n");
      const source = workingTreeSource({ paths: ["."], cwd: t.dir, maxFileSize: 1 << 20, deferRead: true });
      expect(source.backlog!()).toBe(0);
      // The estimate walks the same tree on its own count.
      expect(await source.estimate!(new AbortController().signal)).toBe(6);
      expect(source.backlog!()).toBe(0);
      const seen: number[] = [];
      for await (const _ of source.items()) seen.push(source.backlog!());
      // top.txt is yielded after the root is listed (d0-d4 ahead); d0/inner/f.txt after d0 and d0/inner were listed
      // (d1-d4 ahead), and so on to the last, with nothing left.
      expect(seen).toEqual([5, 4, 3, 2, 1, 0]);
    } finally {
      t.cleanup();
    }
  });
});
