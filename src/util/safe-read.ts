/**
 * Reading a small file that a scanned repository controls — `.gitignore`, `.keyscanignore`, a discovered config, a
 * baseline, a rule file named by a repo config — without trusting what it is. A plain `readFileSync` blocks forever
 * on a FIFO and reads without end from a symlink to `/dev/zero`; a hostile repository could use either to hang or
 * exhaust a CI job. This opens the path non-blocking (a FIFO opens at once), optionally refuses to follow a symbolic
 * link (git itself no longer follows in-tree `.gitignore` links), checks with `fstat` on the open descriptor that it
 * is a regular file (no race between the check and the read), and reads at most `maxBytes`.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type PathLike } from "node:fs";
import { describeCause } from "../errors.js";

export type SmallRead =
  | { ok: true; text: string }
  | { ok: false; reason: "missing" | "symlink" | "not-regular" | "too-large" | "unreadable"; message: string };

export interface SmallReadOptions {
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** Follow a symbolic link at the last path component (default false). */
  followSymlinks?: boolean;
}

export function readSmallRegularFile(path: PathLike, options: SmallReadOptions): SmallRead {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.followSymlinks ? 0 : constants.O_NOFOLLOW);
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { ok: false, reason: "missing", message: "does not exist" };
    if (code === "ELOOP") return { ok: false, reason: "symlink", message: "is a symbolic link; not followed" };
    return { ok: false, reason: "unreadable", message: `cannot be read (${describeCause(err)})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: "not-regular", message: "is not a regular file" };
    if (st.size > options.maxBytes) return { ok: false, reason: "too-large", message: `is ${st.size} bytes, over the ${options.maxBytes}-byte limit` };
    // Read until end of file, but never more than one byte past the limit, so a file that grew after fstat is
    // caught rather than silently cut or read without end.
    const chunks: Buffer[] = [];
    let got = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(st.size - got, 0) + 1, options.maxBytes + 1 - got, 1 << 20) || 1);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      got += n;
      if (got > options.maxBytes) return { ok: false, reason: "too-large", message: `is over the ${options.maxBytes}-byte limit` };
    }
    const buf = Buffer.concat(chunks, got);
    return { ok: true, text: buf.toString("utf8") };
  } catch (err) {
    return { ok: false, reason: "unreadable", message: `cannot be read (${describeCause(err)})` };
  } finally {
    closeSync(fd);
  }
}
