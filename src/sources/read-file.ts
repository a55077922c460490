/**
 * Reads one file of the working tree synchronously, safely and within a size cap: opened without following a
 * symbolic link swapped in after the walk and without blocking on a FIFO, then checked (still a regular file, not
 * over the cap) on the opened descriptor, so what is checked is what is read. Synchronous on purpose: it runs in
 * scan-pool worker threads (issue 7), where four plain syscalls cost a fraction of the promise machinery of
 * fs/promises, and spreading reads over the workers uses every core for the per-file work that dominates a scan of
 * many small files. Outcomes are the same problem codes the working-tree source uses.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { describeCause, type ProblemCode } from "../errors.js";

export type ReadOutcome = { ok: true; data: Buffer } | { ok: false; code: ProblemCode; message: string; skipped: boolean };

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Per-thread read buffer for callers that consume the bytes before the next read (see `reuseBuffer`). */
let scratch: Buffer | undefined;

/** Files up to this size are read into the reused buffer; larger ones get a buffer of their own, dropped after. */
const SCRATCH_MAX = 1 << 20;

function scratchOf(size: number): Buffer {
  // Reusing one buffer avoids a fresh allocation per file, whose pages the kernel must fault in and zero: that was
  // most of the time spent "reading" files that were already in the page cache. Issue 21: it no longer grows to the
  // largest file read (up to --max-file-size, 10 MB, kept for the rest of the scan on every matching thread); a file
  // over 1 MB costs matching ~100× what faulting in its pages does.
  if (size > SCRATCH_MAX) return Buffer.allocUnsafeSlow(size);
  scratch ??= Buffer.allocUnsafeSlow(SCRATCH_MAX);
  return scratch.subarray(0, size);
}

/**
 * Read `path` if it is still a regular file of at most `maxFileSize` bytes. With `reuseBuffer` the bytes live in a
 * per-thread buffer that the next call with `reuseBuffer` overwrites: for callers that finish with them first.
 */
export function readFileBounded(path: string | Uint8Array, maxFileSize: number, options: { reuseBuffer?: boolean } = {}): ReadOutcome {
  let fd: number;
  try {
    fd = openSync(typeof path === "string" ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength), READ_FLAGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOOP") return { ok: false, code: "E_SYMLINK", message: "became a symbolic link during the scan; not followed", skipped: true };
    return { ok: false, code: "E_READ", message: `cannot be read (${describeCause(err)})`, skipped: false };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, code: "E_NOT_REGULAR", message: "no longer a regular file; skipped", skipped: true };
    if (st.size > maxFileSize) return { ok: false, code: "E_TOO_LARGE", message: `${st.size} bytes is over --max-file-size (${maxFileSize}); skipped`, skipped: true };
    const buf = options.reuseBuffer ? scratchOf(st.size) : Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, null);
      if (n === 0) break; // shrank while reading: scan what is there
      off += n;
    }
    return { ok: true, data: off === buf.length ? buf : buf.subarray(0, off) };
  } catch (err) {
    return { ok: false, code: "E_READ", message: `cannot be read (${describeCause(err)})`, skipped: false };
  } finally {
    closeSync(fd);
  }
}
