/**
 * Reads one file of the working tree synchronously, safely and within a size cap: opened without following a
 * symbolic link swapped in after the walk and without blocking on a FIFO, then checked (still a regular file, not
 * over the cap) on the opened descriptor, so what is checked is what is read. Synchronous on purpose: it runs in
 * scan-pool worker threads (issue 7), where four plain syscalls cost a fraction of the promise machinery of
 * fs/promises, and spreading reads over the workers uses every core for the per-file work that dominates a scan of
 * many small files. Outcomes are the same problem codes the working-tree source uses.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { describeCause } from "../errors.js";

export type ReadOutcome = { ok: true; data: Buffer } | { ok: false; code: string; message: string; skipped: boolean };

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export function readFileBounded(path: string | Uint8Array, maxFileSize: number): ReadOutcome {
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
    const buf = Buffer.allocUnsafe(st.size);
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
