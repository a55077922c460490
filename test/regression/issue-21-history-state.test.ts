// Issue 21, bounded memory for `keyscan history`: the walk's object ids are kept as raw bytes (OidTable) rather than
// strings in Maps, the blob reader parses at most a bounded number of content bytes ahead of the matcher, and
// attribution over the compact state is what it was (SHA-1 and SHA-256 repositories).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CatFileBatch, readObjects } from "../../src/sources/git-cat-file.js";
import { OidTable } from "../../src/sources/oid-table.js";
import { newKey, tempRepos } from "../git/repo.js";

const repo = tempRepos();

/** Deterministic object ids: sha1/sha256 of a counter. */
const sha1 = (i: number) => createHash("sha1").update(`blob ${i}`).digest("hex");
const sha256 = (i: number) => createHash("sha256").update(`blob ${i}`).digest("hex");

describe("OidTable", () => {
  it("interns SHA-1 ids compactly: one id per distinct string, found again, hex round trip", () => {
    const t = new OidTable();
    const n = 50_000;
    for (let i = 0; i < n; i++) expect(t.intern(sha1(i))).toEqual([i, true]);
    // Again, in another order and in upper case: the same ids, nothing new.
    for (let i = n - 1; i >= 0; i -= 7) expect(t.intern(i % 2 ? sha1(i) : sha1(i).toUpperCase())).toEqual([i, false]);
    expect(t.length).toBe(n);
    for (let i = 0; i < n; i += 13) {
      expect(t.id(sha1(i))).toBe(i);
      expect(t.hex(i)).toBe(sha1(i));
    }
    expect(t.id(sha1(n))).toBeUndefined();
    expect(t.id("not an id")).toBeUndefined();
    expect([...t].slice(0, 3)).toEqual([sha1(0), sha1(1), sha1(2)]);
    // 20 bytes per id plus an index at most half full of 4-byte slots (the whole point: no string per id).
    expect(t.byteSize).toBeLessThanOrEqual(n * 20 * 2 + n * 4 * 4);
  });

  it("keeps SHA-256 ids (64 hex digits) and refuses to mix widths or take non-hex", () => {
    const t = new OidTable();
    for (let i = 0; i < 3000; i++) t.intern(sha256(i));
    expect(t.id(sha256(2999))).toBe(2999);
    expect(t.hex(1234)).toBe(sha256(1234));
    expect(t.id(sha1(1))).toBeUndefined();
    expect(() => t.intern(sha1(1))).toThrow(TypeError);
    expect(() => new OidTable().intern("g".repeat(40))).toThrow(TypeError);
  });

  it("as an unindexed list appends every id, duplicates included", () => {
    const t = new OidTable(false);
    expect(t.push(sha1(1))).toBe(0);
    expect(t.push(sha1(1))).toBe(1);
    expect(t.hex(1)).toBe(sha1(1));
    expect(() => t.id(sha1(1))).toThrow();
  });
});

describe("CatFileBatch readAheadBytes", () => {
  it("parses at most the bound (plus one object) of content ahead of what readObjects has yielded", async () => {
    const r = repo();
    const size = 60_000;
    for (let i = 0; i < 20; i++) r.write(`f${i}.txt`, `${i}`.padEnd(size, "x"));
    r.commitAll("many blobs");
    const oids = Array.from({ length: 20 }, (_, i) => ({ oid: r.git("rev-parse", `HEAD:f${i}.txt`), i }));
    const bound = 100_000;
    const cat = new CatFileBatch({ cwd: r.dir, env: r.env }, { readAheadBytes: bound });
    const ahead: number[] = [];
    const seen: number[] = [];
    try {
      for await (const { req, read } of readObjects(cat, oids, 1 << 20, 64)) {
        // Give the reader every chance to run ahead before looking at what it holds.
        await new Promise((resolve) => setTimeout(resolve, 15));
        ahead.push(cat.unclaimedBytes);
        seen.push(req.i);
        expect(read.kind === "ok" && read.content.subarray(0, 2).toString()).toBe(`${req.i}`.padEnd(2, "x"));
      }
    } finally {
      await cat.close();
    }
    expect(seen).toEqual(oids.map((o) => o.i));
    // Without the bound the reader parses all 20 answers (1.2 MB) while the first is still being used.
    expect(Math.max(...ahead)).toBeLessThanOrEqual(bound + size);
    expect(Math.max(...ahead)).toBeGreaterThan(0);
  });
});

describe("keyscan history over the compact state", () => {
  it("attributes, lists locations and removals in a SHA-256 repository", async () => {
    const r = repo({ init: false });
    r.git("init", "-q", "-b", "main", "--object-format=sha256");
    r.git("config", "user.name", "Test Author");
    r.git("config", "user.email", "author@example.test");
    const key = newKey();
    r.write("README.md", "# app\n");
    r.commitAll("initial");
    r.write("config/app.env", `PORT=8080\nGETIMG_API_KEY=${key}\n`);
    const introduced = r.commitAll("add config");
    r.write("copy.env", `GETIMG_API_KEY=${key}\n`);
    const copied = r.commitAll("copy");
    r.remove("config/app.env");
    const removed = r.commitAll("remove config");
    expect(introduced).toMatch(/^[0-9a-f]{64}$/);

    const { exitCode, result } = await r.keyscan("history");
    expect(exitCode).toBe(1);
    expect(result!.findings).toHaveLength(1);
    const f = result!.findings[0]!;
    expect(f.secret).toBe(key);
    expect(f.commit?.commit).toBe(introduced);
    expect(f.blob).toMatch(/^[0-9a-f]{64}$/);
    expect(f.locations?.map((l) => [l.path, l.commit.commit])).toEqual([
      ["config/app.env", introduced],
      ["copy.env", copied],
    ]);
    expect(f.removedIn?.map((x) => [x.path, x.commit.commit])).toEqual([["config/app.env", removed]]);
    expect(f.atHead).toBe(true);
  });
});
