// Issue 21 (memory bounded by design): history's blobs of 256 KB or more are read into page buffers (resizable
// ArrayBuffers, src/util/page-buffer.ts) whose memory is returned as soon as they are matched, on this thread or in
// a worker, instead of waiting in glibc's heap for a collection. The findings must not change.
import { describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { createExecutor, type ContentItem } from "../../src/executor/index.js";
import type { TextFinding } from "../../src/engine/scan-text.js";
import { CatFileBatch } from "../../src/sources/git-cat-file.js";
import { PAGE_BUFFER_MIN_BYTES, pageBuffer, releasePages } from "../../src/util/page-buffer.js";
import { newKey, tempRepos } from "../git/repo.js";

const ruleset = loadRules();

function pagedItem(path: string, text: string): ContentItem & { type: "bytes" } {
  const data = pageBuffer(Buffer.byteLength(text));
  data.write(text, "utf8");
  return { type: "bytes", provenance: { path }, data, bytes: data.length, release: true };
}

/** Filler code of about `size` bytes with `line` in the middle. */
function filler(size: number, line: string): string {
  const row = "export function add(a, b) { return a + b; } // arithmetic helper for the tests\n";
  const half = row.repeat(Math.ceil(size / 2 / row.length));
  return `${half}${line}\n${half}`;
}

async function matchAll(items: ContentItem[], threads: number) {
  const found: Array<{ path: string; secret: string }> = [];
  const executor = createExecutor(ruleset, { threads, ...(threads > 1 ? { feeder: true, poolAfter: { bytes: 0 } } : {}) }, {
    matched: () => undefined,
    found: (t: TextFinding, item) => found.push({ path: item.provenance.path, secret: t.secret }),
    problem: (path, code) => {
      throw new Error(`${path}: ${code}`);
    },
  });
  try {
    for (const item of items) await executor.match(item);
    await executor.drain();
  } finally {
    await executor.close();
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

describe("issue 21: page buffers for large blobs", { timeout: 60_000 }, () => {
  it("are resizable and emptied by releasePages; other buffers are left alone", () => {
    const paged = pageBuffer(1 << 20);
    paged.fill(0x61);
    expect(paged.length).toBe(1 << 20);
    releasePages(paged);
    expect(paged.length).toBe(0);
    expect(paged.buffer.byteLength).toBe(0);
    const plain = Buffer.alloc(1 << 20, 0x61);
    releasePages(plain);
    expect(plain.length).toBe(1 << 20);
  });

  it("are released once matched here, and give the same findings here and in a worker", async () => {
    const key = newKey();
    const text = filler(600_000, `const GETIMG_API_KEY = "${key}";`);
    const here = [pagedItem("a.js", text), pagedItem("b.js", text)];
    const alone = await matchAll(here, 1);
    for (const item of here) expect(item.data.length, "released after its match").toBe(0);
    const pooled = [pagedItem("a.js", text), pagedItem("b.js", text)];
    const fed = await matchAll(pooled, 2);
    for (const item of pooled) expect(item.data.length, "transferred to the worker").toBe(0);
    expect(alone.map((f) => f.secret)).toEqual([key, key]);
    expect(fed).toEqual(alone);
  });

  const repo = tempRepos();
  it("hold history's blobs from PAGE_BUFFER_MIN_BYTES on, and only where asked", async () => {
    const r = repo();
    r.write("big.js", filler(PAGE_BUFFER_MIN_BYTES + 1000, "// big"));
    r.write("small.js", "export const x = 1;\n");
    r.commitAll("initial");
    const oid = (path: string) => r.git("rev-parse", `HEAD:${path}`);
    for (const pageBuffers of [true, false]) {
      const cat = new CatFileBatch({ cwd: r.dir, env: r.env }, { pageBuffers });
      try {
        const big = await cat.read(oid("big.js"), 1 << 30);
        const small = await cat.read(oid("small.js"), 1 << 30);
        if (big.kind !== "ok" || small.kind !== "ok") throw new Error("unreadable");
        expect(big.paged === true).toBe(pageBuffers);
        expect((big.content.buffer as ArrayBuffer & { resizable?: boolean }).resizable === true).toBe(pageBuffers);
        expect(small.paged).toBeUndefined();
        expect(big.content.toString("utf8")).toBe(r.git("show", "HEAD:big.js") + "\n");
      } finally {
        await cat.close();
      }
    }
  });
});
