/**
 * The keyword automaton's dense table in one WebAssembly memory that every matching thread shares (issues 16 and 21).
 * Before, each thread's walker (interleaved-walk.ts) copied the table into a memory of its own, and the main thread
 * held one more copy to hand to the workers: three copies of 3.6 MB on two cores, nine on eight. Here the table is
 * made once, in place, and each walker works in a region of its own of the same memory (its control block, class
 * map, text and hits), the table read by all.
 *
 * Regions are slots, claimed and released with Atomics on flags in the memory's first page: the scan pool claims one
 * for each worker it starts and releases it once the worker has exited (pool.ts), so a process that runs many scans
 * reuses them. With no free slot, or no shared WebAssembly memory, a walker copies the table into a memory of its
 * own, as before.
 *
 * Layout: page 0, the header (Int32: [0] region bytes, [1] table entries, [FLAGS_AT + k] slot k taken); TABLE_AT, the
 * table; from the next page boundary, SLOTS regions of `regionBytes` each. The memory is made at its full size once
 * (a shared memory never moves): pages that no walker touches are never resident.
 */
import { sharedMemory, type WasmMemory } from "./wasm-emit.js";

/** Where the table starts (after the header page). */
export const TABLE_AT = 65536;
/** Walker regions in one memory: threads are at most 8 by default; a larger `--threads` copies past this. */
export const SLOTS = 16;
const REGION_BYTES = 0;
const ENTRIES = 1;
const FLAGS_AT = 4;

export interface DenseTableMemory {
  memory: WasmMemory;
  /** The table: `entries` Int32s at TABLE_AT. */
  table: Int32Array;
}

const header = (memory: WasmMemory): Int32Array => new Int32Array(memory.buffer, 0, FLAGS_AT + SLOTS);
const pageAlign = (n: number): number => Math.ceil(n / 65536) * 65536;

/** A zeroed table of `entries` Int32s in a shared memory with room for SLOTS walker regions of `regionBytes`, or undefined. */
export function sharedDenseTable(entries: number, regionBytes: number): DenseTableMemory | undefined {
  const region = pageAlign(regionBytes);
  const memory = sharedMemory(pageAlign(TABLE_AT + entries * 4) + SLOTS * region);
  if (!memory) return undefined;
  const h = header(memory);
  h[REGION_BYTES] = region;
  h[ENTRIES] = entries;
  return { memory, table: new Int32Array(memory.buffer, TABLE_AT, entries) };
}

/** A free slot, now taken (any thread may claim one), or undefined when all are taken. */
export function claimRegion(memory: WasmMemory): number | undefined {
  const h = header(memory);
  for (let slot = 0; slot < SLOTS; slot++) if (Atomics.compareExchange(h, FLAGS_AT + slot, 0, 1) === 0) return slot;
  return undefined;
}

/** Give a slot back; its walker must be gone (its thread exited). */
export function releaseRegion(memory: WasmMemory, slot: number): void {
  Atomics.store(header(memory), FLAGS_AT + slot, 0);
}

/** Slot `slot`'s region: its first byte and its size. */
export function regionOf(memory: WasmMemory, slot: number): { base: number; bytes: number } {
  const h = header(memory);
  const bytes = h[REGION_BYTES]!;
  return { base: pageAlign(TABLE_AT + h[ENTRIES]! * 4) + slot * bytes, bytes };
}
