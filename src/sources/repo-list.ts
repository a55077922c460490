/**
 * `--repos <file>`: the repositories of an organisation audit, one local path or clone URL per line (blank lines
 * and `#` comments ignored). Each gets a canonical id (the line without a trailing slash or `.git`), which is what
 * findings carry as `repo` and what `--shard` hashes, so every CI job agrees on who scans which repository. Clone
 * URLs are mirrored (`git clone --mirror --no-hardlinks`) into a cache folder, and updated there on the next run.
 * Only ordinary transports are accepted (https, http, ssh, git, file and scp-like `host:path`): a line cannot smuggle
 * an option or git's `ext::` command transport.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { KeyscanError, describeCause } from "../errors.js";
import { firstLine, gitRaw } from "./git.js";

export interface RepoEntry {
  /** Canonical id: what findings carry and shards hash. */
  id: string;
  /** A local path, or a clone URL. */
  location: string;
  remote: boolean;
}

const URL_SCHEME = /^(https?|ssh|git|file):\/\//i;
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\\]/;

export function canonicalRepoId(line: string): string {
  let id = line.trim().replace(/\/+$/, "");
  if (id.endsWith(".git") && id.length > 4) id = id.slice(0, -4).replace(/\/+$/, "");
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/]*)(.*)$/i.exec(id);
  return m ? `${m[1]!.toLowerCase()}${m[2]!.toLowerCase()}${m[3]}` : id;
}

/** Parse a repository list; relative local paths are taken from the list file's folder. */
export function readRepoList(file: string, cwd: string): RepoEntry[] {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new KeyscanError("E_USAGE", `cannot read --repos ${file} (${describeCause(err)}).`, { cause: err });
  }
  const entries = new Map<string, RepoEntry>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (line.startsWith("-") || /^[a-z][a-z0-9+.-]*::/i.test(line)) {
      throw new KeyscanError("E_USAGE", `--repos ${file} line ${i + 1}: ${JSON.stringify(line.slice(0, 80))} is neither a path nor a clone URL (https, ssh, git, file or host:path).`);
    }
    const remote = URL_SCHEME.test(line) || SCP_LIKE.test(line);
    if (!remote && /^[a-z][a-z0-9+.-]*:\/\//i.test(line)) {
      throw new KeyscanError("E_USAGE", `--repos ${file} line ${i + 1}: unsupported URL scheme in ${JSON.stringify(line.slice(0, 80))} (use https, http, ssh, git or file).`);
    }
    const id = canonicalRepoId(line);
    if (!entries.has(id)) entries.set(id, { id, location: remote ? line : resolve(dirname(path), line), remote });
  });
  if (entries.size === 0) throw new KeyscanError("E_USAGE", `--repos ${file} names no repository (one path or clone URL per line).`);
  return [...entries.values()];
}

/** A local directory to scan for the entry: the path itself, or a mirror clone kept under `cacheDir`. */
export async function materializeRepo(entry: RepoEntry, cacheDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (!entry.remote) return entry.location;
  mkdirSync(cacheDir, { recursive: true });
  const dir = join(cacheDir, `${createHash("sha256").update(entry.id).digest("hex").slice(0, 16)}.git`);
  const r = existsSync(dir)
    ? await gitRaw({ cwd: dir, env }, ["remote", "update", "--prune"])
    : await gitRaw({ cwd: cacheDir, env }, ["clone", "--mirror", "--no-hardlinks", "-q", "--", entry.location, dir]);
  if (r.code !== 0) {
    throw new KeyscanError("E_GIT", `cannot ${existsSync(dir) ? "update the mirror of" : "clone"} ${entry.id}: ${firstLine(r.stderr)}`, { fatal: false });
  }
  return dir;
}
