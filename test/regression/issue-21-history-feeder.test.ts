// Issue 21: `keyscan history` matches in the pool's workers while this thread only feeds them (ScanOptions.feeder):
// a long match here stops the event loop, so git cat-file's pipe fills and git waits. Once the pool is up every input
// goes to it; an input of 1 MB or more starts it at once and waits for it rather than being matched here, where the
// source knows many inputs lie ahead (its backlog); small inputs, or a large one in a small history, are matched
// here until the pool's usual start; one thread means no pool; the findings are the same.
import { describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { createExecutor, type ContentItem } from "../../src/executor/index.js";
import type { TextFinding } from "../../src/engine/scan-text.js";
import { historySource } from "../../src/sources/history.js";
import { newKey, tempRepos } from "../git/repo.js";

const ruleset = loadRules();

function bytesItem(path: string, text: string): ContentItem {
  const data = Buffer.from(text, "utf8");
  return { type: "bytes", provenance: { path }, data, bytes: data.length };
}

/** A JavaScript-like text of about `size` bytes, with `line` in the middle. */
function filler(size: number, line = ""): string {
  const row = "export function add(a, b) { return a + b; } // arithmetic helper for the tests\n";
  const half = row.repeat(Math.ceil(size / 2 / row.length));
  return `${half}${line}\n${half}`;
}

async function run(items: ContentItem[], options: { threads: number; feeder?: boolean; backlog?: () => number }) {
  const found: Array<{ path: string; rule: string; secret: string }> = [];
  const executor = createExecutor(ruleset, options, {
    matched: () => undefined,
    found: (t: TextFinding, item) => found.push({ path: item.provenance.path, rule: t.rule.id, secret: t.secret }),
    problem: (path, code) => {
      throw new Error(`${path}: ${code}`);
    },
  });
  try {
    for (const item of items) await executor.match(item);
    await executor.drain();
    return { found: found.sort((a, b) => a.path.localeCompare(b.path)), counts: executor.counts() };
  } finally {
    await executor.close();
  }
}

describe("issue 21: a history scan feeds its workers", { timeout: 60_000 }, () => {
  it("an input of 1 MB or more starts the pool and goes to it; every later input too; the findings are the same", async () => {
    const key = newKey();
    const items = () => [
      bytesItem("small-first.js", filler(20_000)),
      bytesItem("large.js", filler(1_200_000, `const GETIMG_API_KEY = "${key}";`)),
      ...Array.from({ length: 20 }, (_, i) => bytesItem(`small-${i}.js`, filler(30_000, i === 7 ? `GETIMG_API_KEY=${key}` : ""))),
    ];
    const many = () => 1000; // inputs the source knows lie ahead (a history's walk)
    const fed = await run(items(), { threads: 2, feeder: true, backlog: many });
    expect(fed.counts).toEqual({ here: 1, pooled: 21 }); // the first small input only
    const small = await run(items(), { threads: 2, feeder: true, backlog: () => 21 }); // a small history: no worker
    expect(small.counts).toEqual({ here: 22, pooled: 0 });
    expect(small.found).toEqual(fed.found);
    const alone = await run(items(), { threads: 1, feeder: true, backlog: many });
    expect(alone.counts).toEqual({ here: 22, pooled: 0 });
    const helped = await run(items(), { threads: 2, backlog: many }); // not feeding: the policy's start is not reached
    expect(helped.counts).toEqual({ here: 22, pooled: 0 });
    expect(fed.found).toEqual(alone.found);
    expect(fed.found.map((f) => f.path)).toEqual(["large.js", "small-7.js"]);
    expect(fed.found.every((f) => f.secret === key)).toBe(true);
  });

  it("small inputs alone are matched here until the pool's usual start", async () => {
    const items = Array.from({ length: 30 }, (_, i) => bytesItem(`f${i}.js`, filler(20_000)));
    expect((await run(items, { threads: 2, feeder: true, backlog: () => 1000 })).counts).toEqual({ here: 30, pooled: 0 });
  });
});

describe("issue 21: keyscan history with a worker fed from git", { timeout: 120_000 }, () => {
  const repo = tempRepos();
  it("finds and attributes a key in a large blob and in a small one, with two threads as with one", async () => {
    const r = repo();
    const key = newKey();
    r.write("README.md", "# app\n");
    r.commitAll("initial");
    r.write("vendor/bundle.js", filler(1_500_000, `const GETIMG_API_KEY = "${key}";`));
    const added = r.commitAll("vendor a bundle");
    r.write("app.env", `GETIMG_API_KEY=${key}\n`);
    r.commitAll("configure");
    const two = await r.keyscan("history", "--threads", "2");
    const one = await r.keyscan("history", "--threads", "1");
    expect(two.exitCode, two.stderr).toBe(1);
    const shape = (x: typeof two) => x.result!.findings.map((f) => [f.path, f.commit?.sha ?? f.commit]);
    expect(shape(two)).toEqual(shape(one));
    const bundle = two.result!.findings.find((f) => f.path === "vendor/bundle.js");
    expect(bundle).toBeDefined();
    expect(JSON.stringify(bundle)).toContain(added.slice(0, 12));
  });
});

describe("issue 21: the history source's backlog", { timeout: 60_000 }, () => {
  const repo = tempRepos();
  it("counts the blobs its walk has found and the scan has not taken yet, down to 0", async () => {
    const r = repo();
    for (let i = 0; i < 5; i++) r.write(`f${i}.txt`, `file ${i}\n`);
    r.commitAll("five files");
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GIT_"))); // not a hook's index
    const source = historySource({ cwd: r.dir, env, maxFileSize: 1 << 20 });
    const seen: number[] = [];
    for await (const item of source.items()) if (item.type === "bytes") seen.push(source.backlog!());
    expect(seen).toHaveLength(5);
    expect(Math.max(...seen)).toBeGreaterThan(0);
    seen.forEach((left, i) => expect(left).toBeLessThanOrEqual(5 - (i + 1)));
    expect(source.backlog!()).toBe(0);
  });
});
