/**
 * Blob buffers whose memory goes back to the system as soon as they are matched (issue 21: memory bounded by design).
 * `keyscan history` reads ~900 blobs of 256 KB to 10 MB (1.4 GB of the bench history's 1.5) on the main thread and
 * matches them in a worker. An ordinary buffer is malloc'd and freed only once the worker's collector finds it dead:
 * freed blobs piled up in glibc's heap (64 MB of brk heap at node's peak, sampled from /proc/PID/smaps) and dead ones
 * waited for a collection. A resizable ArrayBuffer is mapped pages of its own, not malloc's, and `resize(0)` returns
 * them at once, whichever thread holds it (it crosses to the worker by transfer, as any ArrayBuffer does).
 */

interface Resizable {
  readonly resizable?: boolean;
  resize(byteLength: number): void;
}
type ResizableArrayBufferConstructor = new (byteLength: number, options: { maxByteLength: number }) => ArrayBuffer;

/** Blobs this large get a page buffer; smaller ones share malloc's pages well enough. */
export const PAGE_BUFFER_MIN_BYTES = 256 * 1024;

/** A Buffer of `n` bytes (zeroed) on pages of its own, to be filled by the caller and released by `releasePages`. */
export function pageBuffer(n: number): Buffer {
  return Buffer.from(new (ArrayBuffer as unknown as ResizableArrayBufferConstructor)(n, { maxByteLength: n }), 0, n);
}

/** Return a page buffer's memory to the system (its views read as empty from now on); other buffers are left alone. */
export function releasePages(view: Uint8Array): void {
  const buffer = view.buffer as unknown as Resizable;
  if (buffer.resizable === true) buffer.resize(0);
}
