// Issue 21, no per-file retention of content: once scanText returns, nothing the matcher core keeps refers to the
// text it matched. Its per-text memos (the near-word window, the file-wide context, SQL tables) each used to keep the
// last text they saw, so up to three files' texts outlived their scans on every matching thread. Checked in a child
// process with --expose-gc: V8's large-object space after a full GC, before and after scanning a large text that
// reaches every memo and then a plain one that reaches none. Also: the per-thread read buffer no longer grows to the
// largest file read.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFileBounded } from "../../src/sources/read-file.js";
import { REPO_ROOT } from "../git/repo.js";
import { tempDir } from "../helpers.js";

const script = `
const { loadRules } = await import(${JSON.stringify(join(REPO_ROOT, "dist/engine/load-rules.js"))});
const { exampleCases } = await import(${JSON.stringify(join(REPO_ROOT, "dist/engine/rule-examples.js"))});
const { scanText } = await import(${JSON.stringify(join(REPO_ROOT, "dist/engine/scan-text.js"))});
const { getHeapSpaceStatistics } = await import("node:v8");
const ruleset = loadRules({ cacheDir: false });
// Every shipped example (they reach near words, host context and SQL columns), then an SQL dump with its table.
const examples = ruleset.rules.flatMap((r) => exampleCases(r)).map((c) => c.text).join("\\n") +
  "\\nCREATE TABLE users (\\n  id int,\\n  password varchar(64)\\n);\\nINSERT INTO users VALUES (1,'Xk9#mQ2!vL7pR4zT');\\n";
const fill = (line) => (line + "\\n").repeat((6 << 20) / (line.length + 1));
// Texts this large live in V8's large-object space; after a full GC what is left there is what something keeps.
const large = () => { gc(); gc(); return getHeapSpaceStatistics().find((s) => s.space_name === "large_object_space").space_used_size; };
// The texts are made and dropped inside a call, so no register of this frame keeps one.
const scanFilled = (prefix, line) => scanText(prefix + fill(line), ruleset, { path: "dump.sql" }).length;
const before = large();
const found = scanFilled(examples, "const a = 1;"); // reaches every memo
scanFilled("", "x"); // a plain text after it, reaching none
const after = large();
process.stdout.write(JSON.stringify({ before, after, found }));
`;

describe("issue 21: no text outlives its scan", () => {
  it("keeps none of a 6 MB text once its scan and the next are done", () => {
    const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8", maxBuffer: 1 << 20 });
    expect(r.stderr).toBe("");
    const { before, after, found } = JSON.parse(r.stdout) as { before: number; after: number; found: number };
    expect(found).toBeGreaterThan(100);
    // The text (two-byte: the examples are not all ASCII) is 12 MB; before the fix 13.3 MB stayed.
    expect(after - before).toBeLessThan(2 << 20);
  });
});

describe("issue 21: the reused read buffer stays small", () => {
  it("reads a file over 1 MB into a buffer of its own, and the next small file into a buffer of at most 1 MB", () => {
    const t = tempDir("keyscan-issue21-read-");
    try {
      writeFileSync(join(t.dir, "big.js"), "a".repeat(3 << 20));
      writeFileSync(join(t.dir, "small.js"), "const b = 2;\n");
      const big = readFileBounded(join(t.dir, "big.js"), 10 << 20, { reuseBuffer: true });
      expect(big.ok && big.data.length).toBe(3 << 20);
      expect(big.ok && big.data.subarray(0, 3).toString()).toBe("aaa");
      const small = readFileBounded(join(t.dir, "small.js"), 10 << 20, { reuseBuffer: true });
      expect(small.ok && small.data.toString()).toBe("const b = 2;\n");
      // Before issue 21 the per-thread buffer grew to the largest file read and was kept for the rest of the scan.
      expect(small.ok && small.data.buffer.byteLength).toBeLessThanOrEqual(1 << 20);
      // The big file's bytes are not the reused buffer: reading the small one did not overwrite them.
      expect(big.ok && big.data.subarray(0, 3).toString()).toBe("aaa");
    } finally {
      t.cleanup();
    }
  });
});
