/**
 * Path filtering for the git sources. Paths in git are repository-relative, so the repository's root
 * `.keyscanignore` (its path patterns; `fingerprint:` lines are applied by the scan) and the config's `exclude`
 * patterns are matched against them directly (`--staged` gives the patterns as staged instead: src/sources/index-files.ts). A path named in neither is scanned; `.gitignore` does not apply, since
 * anything in a commit or the index is committed content whatever .gitignore says.
 */
import { join } from "node:path";
import { KEYSCAN_IGNORE_FILE, makeIgnore, readIgnoreFile } from "./ignore-rules.js";

export type PathFilter = (path: string) => boolean;

/** A predicate that is true for repository paths to skip. */
export function repoPathFilter(root: string | undefined, exclude: readonly string[] = [], given: readonly string[] = []): PathFilter {
  const fromFile = root === undefined ? [...given] : (readIgnoreFile(join(root, KEYSCAN_IGNORE_FILE))?.patterns ?? []);
  const patterns = [...fromFile, ...exclude];
  if (patterns.every((p) => p.trim() === "" || p.trim().startsWith("#"))) return () => false;
  const ig = makeIgnore(patterns);
  return (path) => {
    try {
      return ig.ignores(path);
    } catch {
      return false;
    }
  };
}
