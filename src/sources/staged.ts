/**
 * `keyscan --staged`, the pre-commit source: what is about to be committed. It reads the index, never the working
 * tree, so a key that was staged and then deleted from the file on disk is still caught, and a key only on disk is
 * not. It honours `GIT_INDEX_FILE`, which git sets for `git commit -a` and `git commit <path>` (the hook then sees a
 * temporary index), by passing the environment through to git. Files are compared with HEAD (or the empty tree in a
 * repository with no commits yet), renames are followed, and only lines that are new relative to HEAD's version are
 * reported. Deletions, submodules (gitlinks) and symlinks have no content to scan and are passed over; binary and
 * oversized blobs become skipped items.
 */
import { decodeBytes } from "./decode.js";
import { addedLines } from "./added-lines.js";
import { CatFileBatch, ZERO_OID, emptyTree, gitRaw, firstLine, isRegularFile, parseRawDiff, repoRoot, resolveCommit, SAFE_DIFF_FLAGS, type GitContext } from "./git.js";
import { KeyscanError } from "../errors.js";
import { repoPathFilter } from "./repo-ignore.js";
import type { Source, SourceItem } from "./types.js";

export interface StagedOptions extends GitContext {
  maxFileSize: number;
  /** Config `exclude` patterns (repository-relative). */
  exclude?: readonly string[];
}

export function stagedSource(options: StagedOptions): Source {
  const ctx: GitContext = { cwd: options.cwd, env: options.env };
  return {
    description: "staged changes",
    async *items(): AsyncGenerator<SourceItem> {
      const root = await repoRoot(ctx);
      const git: GitContext = { cwd: root, env: options.env };
      const ignored = repoPathFilter(root, options.exclude);
      const base = (await resolveCommit(git, "HEAD")) ?? (await emptyTree(git));
      // diff-index is plumbing: it reads the index (no refresh, no filters) and never runs textconv or ext diff.
      const r = await gitRaw(git, ["diff-index", "--cached", "-z", "--raw", "--no-abbrev", "-M", ...SAFE_DIFF_FLAGS, base, "--"]);
      if (r.code !== 0) throw new KeyscanError("E_GIT", `reading the staged changes failed: ${firstLine(r.stderr)}`);
      const entries = [];
      for await (const d of parseRawDiff([r.stdout], { commit: "index", parents: [base] })) entries.push(...d.entries);
      const cat = new CatFileBatch(git);
      try {
        for (const e of entries) {
          if (e.status === "D" || e.status === "U" || ZERO_OID.test(e.dstBlob)) continue;
          if (!isRegularFile(e.dstMode)) continue;
          if (ignored(e.path)) continue;
          const read = await cat.read(e.dstBlob, options.maxFileSize);
          if (read.kind === "missing") {
            yield { type: "problem", path: e.path, code: "E_GIT", message: `staged blob ${e.dstBlob} cannot be read (${read.message})`, skipped: false };
            continue;
          }
          if (read.kind === "too-large") {
            yield { type: "problem", path: e.path, code: "E_TOO_LARGE", message: `${read.size} bytes is over --max-file-size (${options.maxFileSize}); skipped`, skipped: true };
            continue;
          }
          const decoded = decodeBytes(read.content);
          if (!decoded.ok) {
            yield { type: "problem", path: e.path, code: decoded.code, message: decoded.message, skipped: true };
            continue;
          }
          const previous: string[] = [];
          if (!ZERO_OID.test(e.srcBlob) && isRegularFile(e.srcMode)) {
            const old = await cat.read(e.srcBlob, options.maxFileSize);
            if (old.kind === "ok") {
              const d = decodeBytes(old.content);
              if (d.ok) previous.push(d.text);
            }
          }
          yield {
            type: "text",
            provenance: { kind: "staged", path: e.path, blob: e.dstBlob },
            text: decoded.text,
            bytes: read.size,
            lines: addedLines(decoded.text, previous),
          };
        }
      } finally {
        await cat.close();
      }
    },
  };
}
