// The git plumbing pieces on their own: the -z raw-diff parser (whatever the chunking), the merge rule (new relative
// to every parent), added lines, the cat-file reader (missing and oversized objects, order kept) and prefetch.
import { describe, expect, it } from "vitest";
import { addedLines } from "../../src/sources/added-lines.js";
import { CatFileBatch } from "../../src/sources/git-cat-file.js";
import { commitChanges, parseRawDiff, type ParentDiff } from "../../src/sources/git-diff.js";
import { prefetch } from "../../src/util/prefetch.js";
import { TempRepo } from "./repo.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const Z = "0".repeat(40);

function rawOutput(): Buffer {
  return Buffer.concat([
    Buffer.from(`${A} ${B} ${C}\0\n`),
    Buffer.from(`:100644 100644 ${B} ${C} M\0file one\0`),
    Buffer.from(`:100644 100644 ${B} ${C} R087\0old\nname\0new name\0`),
    Buffer.from(`${A} ${B} ${C}\0\n`),
    Buffer.from(`:000000 100644 ${Z} ${C} A\0file one\0`),
    Buffer.from(`:000000 160000 ${Z} ${A} A\0vendor/sub\0`),
    Buffer.from(`${B} \0\n`),
    Buffer.from(`:000000 100644 ${Z} ${B} A\0`),
    Buffer.from([0x62, 0xff, 0]),
  ]);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("parseRawDiff and commitChanges", () => {
  it("parse the same whatever the chunk boundaries", async () => {
    const whole = await collect(parseRawDiff([rawOutput()]));
    const bytes = rawOutput();
    const oneByOne = await collect(parseRawDiff(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))));
    expect(oneByOne).toEqual(whole);
    expect(whole.map((d) => [d.commit, d.parents.length, d.entries.map((e) => [e.status, e.srcPath, e.path])])).toEqual([
      [A, 2, [["M", undefined, "file one"], ["R", "old\nname", "new name"]]],
      [A, 2, [["A", undefined, "file one"], ["A", undefined, "vendor/sub"]]],
      [B, 0, [["A", undefined, "b\uFFFD"]]],
    ]);
  });

  it("keep, for a merge, only files new relative to every parent, and drop gitlinks", async () => {
    const changes = await collect(commitChanges(parseRawDiff([rawOutput()])));
    expect(changes.map((c) => [c.commit, c.introduced.map((i) => [i.path, i.previous])])).toEqual([
      [A, [["file one", [B]]]], // in both parents' diffs; "new name" only differs from one parent
      [B, [["b\uFFFD", []]]],
    ]);
    const onlyOneSide: ParentDiff[] = [{ commit: A, parents: [B, C], entries: [{ srcMode: "100644", dstMode: "100644", srcBlob: B, dstBlob: C, status: "M", path: "x" }] }];
    expect((await collect(commitChanges(onlyOneSide)))[0]!.introduced).toEqual([]);
  });
});

describe("addedLines", () => {
  it("marks lines absent from every previous version", () => {
    expect([...addedLines("a\nb\nc", [])]).toEqual([1, 2, 3]);
    expect([...addedLines("a\nx\nc\r\ny", ["a\nb\nc"])]).toEqual([2, 4]);
    expect([...addedLines("a\nb\nc", ["a", "b\nc"])]).toEqual([]);
  });
});

describe("CatFileBatch", () => {
  it("answers in order, drains objects over the size cap and reports missing ones", async () => {
    const r = TempRepo.create();
    try {
      r.write("small.txt", "small\n");
      r.write("big.txt", "x".repeat(100_000));
      r.commitAll("c");
      const small = r.git("rev-parse", "HEAD:small.txt");
      const big = r.git("rev-parse", "HEAD:big.txt");
      const cat = new CatFileBatch({ cwd: r.dir, env: r.env });
      const reads = await Promise.all([cat.read(big, 1000), cat.read("f".repeat(40), 1000), cat.read(small, 1000), cat.read(big, 1_000_000)]);
      await cat.close();
      expect(reads.map((x) => x.kind)).toEqual(["too-large", "unreadable", "ok", "ok"]);
      expect(reads[2]!.kind === "ok" && reads[2]!.content.toString()).toBe("small\n");
      expect(reads[3]!.kind === "ok" && reads[3]!.content.length).toBe(100_000);
    } finally {
      r.cleanup();
    }
  });
});

describe("prefetch", () => {
  it("passes every item through in order and stops the producer when the consumer stops", async () => {
    let finished = false;
    async function* numbers() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finished = true;
      }
    }
    const seen: number[] = [];
    for await (const n of prefetch(numbers(), 8)) {
      seen.push(n);
      if (n === 100) break;
    }
    expect(seen).toEqual(Array.from({ length: 101 }, (_, i) => i));
    expect(finished).toBe(true);
  });

  it("rethrows the producer's error", async () => {
    async function* failing() {
      yield 1;
      throw new Error("boom");
    }
    await expect(collect(prefetch(failing(), 4))).rejects.toThrow("boom");
  });
});
