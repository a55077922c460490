/**
 * A disk cache of validated rule specs, so that start-up does not parse every rule file's YAML and validate it
 * with zod on each run (with ~200 provider files that costs most of a second; a pre-commit hook runs on every
 * commit). Entries are keyed by a hash of the file's exact bytes, and the whole cache by keyscan's version (the
 * schema and its defaults belong to a version): an edited rule file simply misses and is parsed again, a cache
 * written by another version is ignored, and a cache that cannot be read or parsed is treated as empty. Writing is
 * best effort (temp file + rename, so a reader never sees half a file) and never fails a scan. Location:
 * `$KEYSCAN_CACHE_DIR`, else `$XDG_CACHE_HOME/keyscan`, else `~/.cache/keyscan`; `KEYSCAN_CACHE_DIR=off` disables.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
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

/** The cache key of one rule file: a hash of its bytes. */
export function ruleFileKey(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
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
 * What a cached spec depends on besides the file: keyscan's version and the schema module's own bytes (its defaults
 * and transforms shape the validated spec), so a changed schema invalidates the cache even within one version.
 */
function cacheStamp(): string {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  let schemaBytes = "";
  try {
    schemaBytes = readFileSync(fileURLToPath(new URL(`./rule-schema${ext}`, import.meta.url)), "utf8");
  } catch {
    schemaBytes = String(Date.now()); // cannot tell: never match
  }
  return `${VERSION}+${createHash("sha256").update(schemaBytes).digest("hex").slice(0, 16)}`;
}

interface CacheFile {
  format: string;
  version: string;
  entries: Record<string, ProviderFile>;
}

export function openRuleCache(dir: string | undefined): RuleSpecCache {
  if (dir === undefined) return { get: () => undefined, set: () => undefined, save: () => undefined };
  const file = join(dir, CACHE_FILE);
  const stamp = cacheStamp();
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
