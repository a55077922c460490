/**
 * Deterministic shards: `--shard k/n` picks a stable 1/n slice of a scan's work so n CI jobs (a GitHub Actions
 * matrix, GitLab parallel jobs) can split one audit with no coordination and no overlap. What is sliced depends on
 * the scan: unique blobs of one repository (a blob id is already a uniform hash, so its first 8 hex digits mod n),
 * repositories of a `--repos` list, or files of a tree scan (a hash of the canonical id or path). The same input
 * lands in the same shard on every machine and every run, so the union of shards 1..n is exactly the unsharded scan.
 */
import type * as Crypto from "node:crypto";
import { createRequire } from "node:module";
import { KeyscanError } from "../errors.js";

// node:crypto when a shard is asked for, not by every scan that can be sharded (issue 20: a pre-commit run's start-up).
const lazyRequire = createRequire(import.meta.url);
const createHash: typeof Crypto.createHash = (algorithm, options) => (lazyRequire("node:crypto") as typeof Crypto).createHash(algorithm, options);

export interface ShardSpec {
  /** 1-based shard number. */
  k: number;
  n: number;
}

/** What a sharded result records, so a merge can check the set of shards is complete and of one target. */
export interface ShardInfo extends ShardSpec {
  /** What was sliced: blobs of one repository, repositories of a list, or files of a tree. */
  by: "blob" | "repository" | "path";
  /** A digest of what every shard must agree on (the commit walk, the repository list, the tree's root). */
  target: string;
}

/** Parse `k/n` (1 ≤ k ≤ n); anything else is a usage error (exit 2). */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) {
    throw new KeyscanError("E_USAGE", `--shard ${JSON.stringify(text)} is not k/n with 1 ≤ k ≤ n (e.g. --shard 2/4 runs the second of four shards).`);
  }
  return { k, n };
}

/** Whether a blob (hex object id) belongs to the shard: its first 8 hex digits as an integer, mod n. */
export function blobInShard(oid: string, shard: ShardSpec): boolean {
  return Number.parseInt(oid.slice(0, 8), 16) % shard.n === shard.k - 1;
}

/** A stable 32-bit hash of a string (the first 8 hex digits of its SHA-256). */
export function stableHash(text: string): number {
  return Number.parseInt(createHash("sha256").update(text).digest("hex").slice(0, 8), 16);
}

/** Whether a named unit of work (a repository id, a file path) belongs to the shard. */
export function keyInShard(key: string, shard: ShardSpec): boolean {
  return stableHash(key) % shard.n === shard.k - 1;
}

/** A short digest of a list of strings (what all shards of one audit must agree on). */
export function digestOf(parts: Iterable<string>): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\n");
  return h.digest("hex").slice(0, 16);
}
