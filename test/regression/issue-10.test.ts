// Issue 10 (sharded and incremental audits): the pure parts, pinned. Shard selection is a partition (every blob,
// repository or path in exactly one shard of n); `k/n` is validated; the merge decides removals a shard could not
// judge from the merged locations; and a finding that holds only a redacted secret (re-read from a --state file) is
// never sent to a provider: its verification is `unknown`.
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { loadRules } from "../../src/engine/load-rules.js";
import { KeyscanError } from "../../src/errors.js";
import { mergeResults } from "../../src/report/merge.js";
import { redactSecret } from "../../src/report/redact.js";
import type { Finding, ScanResult } from "../../src/report/types.js";
import { blobInShard, keyInShard, parseShard } from "../../src/sources/shard.js";
import { verifyFindings } from "../../src/verify/index.js";

describe("issue 10: shard selection", () => {
  it("parses k/n and rejects anything else", () => {
    expect(parseShard("2/4")).toEqual({ k: 2, n: 4 });
    expect(parseShard(" 1 / 1 ")).toEqual({ k: 1, n: 1 });
    for (const bad of ["0/3", "4/3", "1/0", "-1/2", "1", "a/b", "1/2/3", ""]) expect(() => parseShard(bad), bad).toThrow(KeyscanError);
  });

  it("puts every blob id and every name in exactly one shard, for any n", () => {
    // Ids as git makes them (SHA-1 output), from fixed inputs: the evenness check below does not depend on a draw.
    const blobs = Array.from({ length: 500 }, (_, i) => createHash("sha1").update(`blob ${i}`).digest("hex"));
    const names = Array.from({ length: 200 }, (_, i) => `https://git.example.test/org/repo-${i}`);
    for (const n of [1, 2, 3, 7]) {
      for (const b of blobs) expect(Array.from({ length: n }, (_, i) => blobInShard(b, { k: i + 1, n })).filter(Boolean)).toHaveLength(1);
      for (const name of names) expect(Array.from({ length: n }, (_, i) => keyInShard(name, { k: i + 1, n })).filter(Boolean)).toHaveLength(1);
    }
    // Roughly even: no shard of 4 gets less than a sixth of 500 blobs.
    for (let k = 1; k <= 4; k++) expect(blobs.filter((b) => blobInShard(b, { k, n: 4 })).length).toBeGreaterThan(500 / 6);
  });
});

const commit = (id: string) => ({ commit: id.repeat(40).slice(0, 40), author: "A", date: "2024-01-01T00:00:00+00:00" });

function shardResult(k: number, findings: Finding[]): ScanResult {
  return {
    format: "keyscan-scan",
    version: 1,
    tool: { name: "keyscan", version: "1.0.0" },
    rules: { version: "r1", count: 1 },
    target: "history",
    startedAt: "2024-01-01T00:00:00.000Z",
    stats: { scanned: 1, bytes: 10, skipped: {}, durationMs: 5 },
    findings,
    errors: [],
    skipped: [],
    shard: { k, n: 2, by: "blob", target: "walk" },
  };
}

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: "getimg.api-key",
    ruleName: "getimg.ai API key",
    provider: "getimg",
    providerName: "getimg.ai",
    severity: "high",
    confidence: "high",
    usage: "format",
    path: "a.env",
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 10,
    source: "commit",
    secret: "key-secret",
    fingerprint: "fp1",
    entropy: 4,
    ...over,
  };
}

describe("issue 10: merging shards", () => {
  it("drops a removal whose replacing blob still holds the secret (another shard's location), keeps a real one", () => {
    // Shard 1 holds blob b1 (commit 3, oldest); it was replaced by b2 in commit 2 (shard 2's, still holding the
    // secret) and, at another path, by bx in commit 1 (no secret anywhere).
    const s1 = finding({
      blob: "b1",
      commit: commit("3"),
      locations: [{ path: "a.env", commit: commit("3"), line: 1, column: 1, blob: "b1", order: 3 }],
      atHead: false,
      removedIn: [
        { path: "a.env", commit: commit("2"), order: 2, pending: "b2" },
        { path: "c.env", commit: commit("1"), order: 1, pending: "bx" },
      ],
    });
    const s2 = finding({
      blob: "b2",
      line: 2,
      path: "a.env",
      commit: commit("2"),
      locations: [{ path: "a.env", commit: commit("2"), line: 2, column: 1, blob: "b2", order: 2 }],
      atHead: true,
      removedIn: [],
    });
    const merged = mergeResults([
      { name: "s2.json", result: shardResult(2, [s2]) },
      { name: "s1.json", result: shardResult(1, [s1]) },
    ]);
    expect(merged.findings).toHaveLength(1);
    const f = merged.findings[0]!;
    expect(f.commit?.commit).toBe(commit("3").commit); // the oldest location, from the other shard
    expect(f.line).toBe(1);
    expect(f.atHead).toBe(true);
    expect(f.locations!.map((l) => l.blob)).toEqual(["b1", "b2"]);
    expect(f.removedIn).toEqual([{ path: "c.env", commit: commit("1") }]);
    expect(merged.stats.scanned).toBe(2);
    expect(merged.warnings ?? []).toEqual([]);
  });
});

describe("issue 10: findings re-read from a --state file", () => {
  it("are not verified (only the redacted secret is known): unknown, no request", async () => {
    const ruleset = loadRules({});
    const result = shardResult(1, [finding({ secret: redactSecret(`key-${"A1b2".repeat(24)}`) })]);
    const summary = await verifyFindings(result, ruleset, {});
    expect(summary.requests).toBe(0);
    expect(result.findings[0]!.verification?.status).toBe("unknown");
    expect(result.findings[0]!.verification?.reason).toContain("redacted");
  });
});
