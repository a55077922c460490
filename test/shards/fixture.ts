// Fixture repositories for the shard, merge and incremental tests (issue 10): real git repositories with several
// synthetic keys over many blobs and commits, and helpers that run the built CLI as separate processes.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, TempRepo, newKey } from "../git/repo.js";
import type { Finding, ScanResult } from "../../src/report/types.js";

export interface Fixture {
  repo: TempRepo;
  keys: Record<string, string>;
}

const blobOf = (r: TempRepo, path: string) => r.git("rev-parse", `HEAD:${path}`);
const residues = (blobs: string[], n: number) => new Set(blobs.map((b) => Number.parseInt(b.slice(0, 8), 16) % n)).size;

/**
 * Keys: `edited` lives in many versions of one file (edited until its blobs fall into different shards for n = 2
 * and n = 3) and a copy; `removed` is deleted; `rotatedOld` is replaced by `rotatedNew`; `merged` arrives through a
 * merged branch; `stale` lives only on an unmerged branch; `moved` is first written under zz/ and later copied to
 * aa/ (so path order and commit order disagree); twenty filler files add blobs without secrets.
 */
export function buildFixture(r: TempRepo, label = "app"): Fixture {
  const keys = { edited: newKey(), removed: newKey(), rotatedOld: newKey(), rotatedNew: newKey(), merged: newKey(), stale: newKey(), moved: newKey() };
  r.write("README.md", `# ${label}\n`);
  r.write("src/app.js", "export const answer = 42;\n");
  r.commitAll("initial");
  const editedBlobs: string[] = [];
  for (let i = 0; i < 40 && (editedBlobs.length < 3 || residues(editedBlobs, 2) < 2 || residues(editedBlobs, 3) < 3); i++) {
    r.write("config/app.env", `PORT=${8000 + i}\nGETIMG_API_KEY=${keys.edited}\n`);
    if (i % 3 === 0) r.write(`docs/note-${i}.md`, `note ${i} for ${label}\n`);
    r.commitAll(`config ${i}`);
    editedBlobs.push(blobOf(r, "config/app.env"));
  }
  if (residues(editedBlobs, 2) < 2 || residues(editedBlobs, 3) < 3) throw new Error("fixture: the edited key's blobs did not spread over the shards");
  r.write("zz/first.env", `GETIMG_API_KEY=${keys.moved}\n`);
  r.commitAll("moved key, first place");
  // Oldest location last in path order: attribution must follow commits, not names.
  r.write("aa/second.env", `# copy\nGETIMG_API_KEY=${keys.moved}\n`);
  r.write("deploy/app.env", readFileSync(join(r.dir, "config/app.env"), "utf8"));
  r.write("secrets/old.env", `GETIMG_API_KEY=${keys.removed}\n`);
  r.commitAll("deploy copy and old secret");
  r.write("rotate.env", `GETIMG_API_KEY=${keys.rotatedOld}\n`);
  r.commitAll("rotate: first key");
  for (let i = 0; i < 20; i++) r.write(`filler/file-${i}.txt`, `filler ${label} ${i}\n`.repeat(i + 1));
  r.remove("secrets/old.env");
  r.commitAll("remove old secret, add filler");
  r.write("rotate.env", `GETIMG_API_KEY=${keys.rotatedNew}\n`);
  r.commitAll("rotate: new key");
  r.git("checkout", "-q", "-b", "feature");
  r.write("feature.env", `GETIMG_API_KEY=${keys.merged}\n`);
  r.commitAll("feature key");
  r.git("tag", "v1");
  r.git("checkout", "-q", "main");
  r.write("src/app.js", "export const answer = 43;\n");
  r.commitAll("main moves on");
  r.tick();
  r.git("merge", "-q", "--no-ff", "--no-edit", "feature");
  r.git("checkout", "-q", "-b", "stale");
  r.write("stale.env", `GETIMG_API_KEY=${keys.stale}\n`);
  r.commitAll("stale branch key");
  r.git("checkout", "-q", "main");
  return { repo: r, keys };
}

export interface Spawned {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as its own process. */
export function keyscan(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Spawned> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first with \`npx tsc -p .\``);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function readResult(path: string): ScanResult {
  return JSON.parse(readFileSync(path, "utf8")) as ScanResult;
}

/** What must be equal between a merged and an unsharded audit: everything about each secret. */
export function comparable(findings: readonly Finding[]): unknown[] {
  return [...findings]
    .map((f) => ({
      repo: f.repo,
      fingerprint: f.fingerprint,
      secret: f.secret,
      ruleId: f.ruleId,
      path: f.path,
      line: f.line,
      column: f.column,
      introduced: f.commit?.commit,
      author: f.commit?.author,
      date: f.commit?.date,
      atHead: f.atHead,
      locations: f.locations,
      removedIn: f.removedIn,
      refs: f.refs,
      blob: f.blob,
    }))
    .sort((a, b) => `${a.repo ?? ""}${a.fingerprint}`.localeCompare(`${b.repo ?? ""}${b.fingerprint}`));
}
