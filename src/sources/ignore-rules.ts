/**
 * Ignore files: `.gitignore` (nested, as git applies them) and `.keyscanignore` (same syntax, plus
 * `fingerprint:<hash>` lines that silence one rule+secret pair wherever it appears). A tree is filtered by the ignore
 * files found from each named root downward; paths named explicitly on the command line are always scanned, as in
 * ripgrep, so `keyscan fixtures/demo` scans a folder that the repo's own ignore file keeps out of `keyscan .`.
 */
import type { PathLike } from "node:fs";
import { createRequire } from "node:module";
import type { Ignore } from "ignore";
import type IgnoreFactory from "ignore";
import { readSmallRegularFile } from "../util/safe-read.js";

export const KEYSCAN_IGNORE_FILE = ".keyscanignore";

// `ignore` is a CommonJS package: required, not imported, it loads without the ES loader scanning its source for
// export names, and only when a pattern list is built (issue 7: a few ms of every pre-commit run).
const lazyRequire = createRequire(import.meta.url);
let ignoreFactory: typeof IgnoreFactory | undefined;
const ignore = (options: Parameters<typeof IgnoreFactory>[0]): Ignore => (ignoreFactory ??= lazyRequire("ignore") as typeof IgnoreFactory)(options);

/** Ignore files larger than this are not read (a hostile repository could otherwise hand us gigabytes). */
export const MAX_IGNORE_FILE_BYTES = 4 << 20;

export interface IgnoreFileContent {
  patterns: string[];
  fingerprints: string[];
}

/** Split an ignore file into path patterns and `fingerprint:` entries. */
export function parseIgnoreFile(text: string): IgnoreFileContent {
  const patterns: string[] = [];
  const fingerprints: string[] = [];
  for (const raw of text.split(/\r\n|\n|\r/)) {
    const line = raw.trim();
    const m = /^fingerprint:\s*([0-9a-f]{16,64})\s*(?:#.*)?$/.exec(line);
    if (m) fingerprints.push(m[1]!);
    else patterns.push(raw);
  }
  return { patterns, fingerprints };
}

/**
 * Read an ignore file if it is a regular file of sane size. Like git (2.32+), a symbolic link is not followed, and a
 * FIFO or device is not read (it could block or never end); such a file is treated as absent, which can only make
 * the scan see more, never less.
 */
export function readIgnoreFile(path: PathLike): IgnoreFileContent | undefined {
  const r = readSmallRegularFile(path, { maxBytes: MAX_IGNORE_FILE_BYTES });
  return r.ok ? parseIgnoreFile(r.text) : undefined;
}

/** One directory's ignore rules, matched against paths relative to that directory. */
export interface ScopedIgnore {
  /** Directory the rules are relative to, with a trailing `/` ("" for the walk root). */
  base: string;
  ig: Ignore;
}

export function makeIgnore(patterns: readonly string[]): Ignore {
  return ignore({ allowRelativePaths: true }).add(patterns as string[]);
}

/** True when `rel` (relative to the walk root, `/`-separated) is ignored by any scope that contains it. */
export function isIgnored(scopes: readonly ScopedIgnore[], rel: string, isDir: boolean): boolean {
  for (const s of scopes) {
    if (s.base !== "" && !rel.startsWith(s.base)) continue;
    const sub = rel.slice(s.base.length);
    if (sub === "") continue;
    if (s.ig.ignores(isDir ? `${sub}/` : sub)) return true;
  }
  return false;
}
