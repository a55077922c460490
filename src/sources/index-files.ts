/**
 * keyscan's own files (`.keyscanignore`, the config, gitleaks' files) as they are staged in the index, for
 * `keyscan --staged` (issue 20): the commit being checked is what is staged, so what may silence a finding in it must
 * be staged too. An unstaged `fingerprint:` line in the working tree must not let a staged key through. Read with one
 * `git cat-file --batch` (stored bytes, no filters), size-capped; a name absent from the index is simply absent.
 */
import { CatFileBatch } from "./git-cat-file.js";
import type { GitContext } from "./git.js";

/** Files larger than this are treated as absent (a config or ignore file is a few KB). */
const MAX_OWN_FILE_BYTES = 4 << 20;

/**
 * The staged text of each name: `top` names are relative to the repository's top, the others to `ctx.cwd` (where
 * keyscan looks for its config). Keys are the names as given; a name not staged (or not a readable blob) is missing.
 * `shared`: a cat-file process of `ctx.cwd` to ask instead of starting one, left open for its owner (staged.ts reads
 * the staged blobs through the same process).
 */
export async function readIndexFiles(ctx: GitContext, names: { cwd: readonly string[]; top: readonly string[] }, shared?: CatFileBatch): Promise<Map<string, string>> {
  const cat = shared ?? new CatFileBatch(ctx);
  const out = new Map<string, string>();
  try {
    const asked = [...names.top.map((n) => ({ key: `/${n}`, spec: `:${n}` })), ...names.cwd.map((n) => ({ key: n, spec: `:./${n}` }))];
    const answers = await Promise.all(asked.map((a) => cat.read(a.spec, MAX_OWN_FILE_BYTES)));
    answers.forEach((r, i) => {
      if (r.kind === "ok" && r.type === "blob") out.set(asked[i]!.key, r.content.toString("utf8"));
    });
  } finally {
    if (!shared) await cat.close();
  }
  return out;
}
