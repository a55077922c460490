/**
 * A disk cache of validated rule specs, so that start-up does not parse every rule file's YAML and validate it
 * with zod on each run (with ~200 provider files that costs most of a second; a pre-commit hook runs on every
 * commit). Entries are keyed by a hash of the file's exact bytes, and the whole cache by keyscan's build (the
 * schema and its defaults belong to a build, see buildStamp): an edited rule file simply misses and is parsed again,
 * a cache written by another build is ignored, and a cache that cannot be read or parsed is treated as empty. Writing is
 * best effort (temp file + rename, so a reader never sees half a file) and never fails a scan. Location:
 * `$KEYSCAN_CACHE_DIR`, else `$XDG_CACHE_HOME/keyscan`, else `~/.cache/keyscan`; `KEYSCAN_CACHE_DIR=off` disables.
 *
 * Beside it, a second cache holds whole compiled rule sets (issue 7: a pre-commit run must start in well under a
 * second), as one binary image each (rule-set-image.ts, issue 21): specs, matcher plans and the prefilter's tables,
 * so that a warm start does no regex analysis or automaton build, and makes a provider's matchers only when its
 * keywords occur (lazy-rule-set.ts). One file per rule set, keyed by every input of the compile: each rule file's
 * bytes (for keyscan's own rules, their stat: fileStatKey), how it is shown and whether it came from a repository
 * config, the disabled ids and keyscan's build stamp (the hash of its sources, written at build time). The key is
 * that text itself, kept in the image and compared in full; the file is named by a checksum of it (compiledSetKey).
 * Any edit misses; a file that fails to read or check is a miss.
 */
import type * as Crypto from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { crc32, gunzipSync, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { VERSION } from "../version.js";
import type { ProviderFile } from "./rule-schema.js";

const CACHE_FORMAT = "keyscan-rule-specs/1";
/**
 * Gzipped, not plain JSON: the specs hold the rules' examples, and a cache under a scanned folder (CI often sets HOME
 * inside the workspace) must not be reported as full of secrets. Compressed, it is a binary file to every scanner.
 */
const CACHE_FILE = "rule-specs.json.gz";
/** Entries kept when rewriting (the ones used now first); bounds the file when people switch between rule sets. */
const MAX_ENTRIES = 2000;

export interface RuleSpecCache {
  /** Where the cache lives (undefined when disabled). */
  readonly file?: string;
  get(key: string): ProviderFile | undefined;
  set(key: string, spec: ProviderFile): void;
  /** Write back if anything was added; errors are swallowed (a cache must never fail a scan). */
  save(): void;
}

// node:crypto is loaded when a rule file must be hashed (a repository's or --rules file, or a cold compile), not on
// a warm start of keyscan's own rules (issue 20: loading it was ~4 ms of a pre-commit run).
const lazyRequire = createRequire(import.meta.url);
let cryptoModule: typeof Crypto | undefined;
const crypto = (): typeof Crypto => (cryptoModule ??= lazyRequire("node:crypto") as typeof Crypto);

/** The cache key of one rule file: a hash of its bytes. */
export function ruleFileKey(text: string): string {
  return crypto().createHash("sha256").update(text).digest("hex").slice(0, 32);
}

/** The cache folder from the environment, or undefined when caching is off. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.KEYSCAN_CACHE_DIR;
  if (explicit !== undefined && explicit !== "") return explicit === "off" ? undefined : explicit;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "keyscan");
  try {
    return join(homedir(), ".cache", "keyscan");
  } catch {
    return undefined;
  }
}

/**
 * What a cache entry depends on besides the rule files: keyscan's version and the build (issue 18). The build writes
 * dist/build-stamp.json, a hash of every source file (scripts/build-stamp.mjs), so an entry is reused only by the
 * code that wrote it, and nothing is hashed at start-up. The stamp counts only if it is at least as new as this
 * module: a dist/ compiled again without the stamp script (a bare `tsc`) gets none. Without a stamp (that case, or
 * running from the TypeScript sources) the stamp is random per process: entries are still reused within the
 * process, never across processes. The rule files themselves are keyed by their bytes, which are read anyway for
 * the rule-set version, so an edited rule file (shipped or the user's) always misses.
 */
let stampMemo: string | undefined;
export function buildStamp(): string {
  return (stampMemo ??= `${VERSION}+${readBuildStamp() ?? `unstamped-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`}`);
}

function readBuildStamp(): string | undefined {
  if (import.meta.url.endsWith(".ts")) return undefined;
  const self = fileURLToPath(import.meta.url);
  try {
    // In the release bundle (issue 20) this code lives inside the bundle file, written once by the release build:
    // its size and time stand for the build.
    if (!/rule-cache\.js$/.test(self)) {
      const st = statSync(self);
      return `bundle-${st.size}-${st.mtimeMs}`;
    }
    const file = fileURLToPath(new URL("../build-stamp.json", import.meta.url));
    if (statSync(file).mtimeMs < statSync(self).mtimeMs) return undefined;
    const stamp = (JSON.parse(readFileSync(file, "utf8")) as { stamp?: unknown }).stamp;
    return typeof stamp === "string" && stamp.length > 0 ? stamp : undefined;
  } catch {
    return undefined;
  }
}

interface CacheFile {
  format: string;
  version: string;
  entries: Record<string, ProviderFile>;
}

export function openRuleCache(dir: string | undefined): RuleSpecCache {
  if (dir === undefined) return { get: () => undefined, set: () => undefined, save: () => undefined };
  const file = join(dir, CACHE_FILE);
  const stamp = buildStamp();
  let entries: Record<string, ProviderFile> = {};
  try {
    const data = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as Partial<CacheFile>;
    if (data && data.format === CACHE_FORMAT && data.version === stamp && data.entries && typeof data.entries === "object") entries = data.entries;
  } catch {
    // Missing, unreadable or corrupt: start empty; the next save replaces it.
  }
  const used = new Set<string>();
  let dirty = false;
  return {
    file,
    get(key) {
      const spec = Object.hasOwn(entries, key) ? entries[key] : undefined;
      if (spec && typeof spec === "object" && typeof spec.provider === "string" && Array.isArray(spec.rules)) {
        used.add(key);
        return spec;
      }
      return undefined;
    },
    set(key, spec) {
      entries[key] = spec;
      used.add(key);
      dirty = true;
    },
    save() {
      if (!dirty) return;
      const keys = [...used, ...Object.keys(entries).filter((k) => !used.has(k))].slice(0, MAX_ENTRIES);
      const out: CacheFile = { format: CACHE_FORMAT, version: stamp, entries: Object.fromEntries(keys.map((k) => [k, entries[k]!])) };
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(tmp, gzipSync(JSON.stringify(out), { level: 1 }));
        renameSync(tmp, file);
        dirty = false;
      } catch {
        // Read-only home, full disk…: run without a cache.
      }
    },
  };
}

// ---- compiled rule sets (issue 7; their image: rule-set-image.ts, issue 21) ----------------------------------------

const COMPILED_FORMAT = "keyscan-rule-set/2";

/** One loaded rule file as the compiled-set key sees it. */
export interface CompiledSetInput {
  /** The file as shown in messages (warnings and providers carry it). */
  shown: string;
  fromRepoConfig: boolean;
  /** What stands for the file's bytes: ruleFileKey of them, or for keyscan's own rules their stat (fileStatKey). */
  key: string;
}

/**
 * A shipped rule file's key from its metadata (issue 21: hashing ~600 files' bytes was a fifth of a pre-commit run).
 * Any write to a file changes its ctime, which no program can set back, and a copy or checkout changes its inode:
 * an edited shipped file misses like an edited file keyed by content does. Rule files from a scanned repository or
 * the command line are still keyed by their bytes (ruleFileKey).
 */
export function fileStatKey(st: { size: number; mtimeMs: number; ctimeMs: number; ino: number; dev: number }): string {
  return `stat:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}`;
}

/** A compiled rule set's key: `text`, every input of the compile (see the header); `name`, its file's name. */
export interface CompiledSetKey {
  /** Stored in the image and compared in full: a name shared by two inputs (a checksum collision) is only a miss. */
  text: string;
  /** Two CRC-32s of `text` (the second of it backwards) and its length, in hex. */
  name: string;
}

/**
 * The key of a compiled rule set. Its fields are separated by NUL, which no path, stat key, hash or JSON holds, and
 * each input has three, so no two inputs give one text. Issue 20: it was a SHA-256 over the same fields, one JSON
 * string and two updates per rule file (~630 of them): ~4-6 ms of a pre-commit run with loading node:crypto; the text
 * joined once and two native checksums over it are ~1 ms, and the image's own check compares the text itself.
 */
export function compiledSetKey(inputs: readonly CompiledSetInput[], disable: readonly string[]): CompiledSetKey {
  const fields: string[] = [COMPILED_FORMAT, buildStamp(), JSON.stringify(disable)];
  for (const i of inputs) fields.push(i.shown, i.fromRepoConfig ? "1" : "0", i.key);
  const text = fields.join("\0");
  const hex = (n: number): string => n.toString(16).padStart(8, "0");
  const bytes = Buffer.from(text, "utf8");
  const forwards = crc32(bytes);
  const backwards = crc32(bytes.reverse());
  return { text, name: `${hex(forwards)}${hex(backwards)}${hex(text.length)}` };
}
