/**
 * The keyword automaton's dense-table walk as a tiny WebAssembly module, emitted here byte by byte (no toolchain, no
 * file to ship). Why (issue 16): the walk is one dependent load per character, and in JavaScript each of its three
 * typed-array reads carries a map check, a bounds check and a reload of the array's base (~60 machine instructions a
 * character, measured with cachegrind on 5 M characters of npm code), so it ran at ~100-200 MB/s. The same walk in
 * WebAssembly is ~12 instructions, and with several streams walked in lockstep over different parts of the text the
 * processor overlaps their load latencies: on 94 MB of npm code, 586 ms (JavaScript) → 403 ms (one stream) → 250 ms
 * (two) → 182 ms (four), CPU time, alternated in one process.
 *
 * The module exports `walk1` … `walk4` (the number of streams). All state is in the imported memory (layout below);
 * the caller (interleaved-walk.ts) writes the text as UTF-16 and the streams' positions, and reads back the hits.
 * A function returns 0 when the common iteration count runs out, or k + 1 when stream k reaches a state that has no
 * row (too deep: the caller walks it on the trie), with every stream's registers saved.
 */

/**
 * Byte offsets in the walker's region of the memory (at `base`: 0 in a memory of its own, a slot's region in a shared
 * one, dense-table-memory.ts). Control block: i32 slots (see CONTROL_*), then the class map, then the caller's.
 */
export const CLASS_AT = 1024;
export const DATA_AT = CLASS_AT + 65536;
/** i32 slots of the control block: iterations left, the table's limit, the value that stopped a walk. */
export const CONTROL_N = 0;
export const CONTROL_LIM = 1;
export const CONTROL_V = 2;
/** Stream k's slots: `STREAM_AT + STREAM_SLOTS * k` + 0 (next character's address), 1 (state), 2 (next hit slot). */
export const STREAM_AT = 4;
export const STREAM_SLOTS = 4;
export const MAX_STREAMS = 4;

import { ADD, BLOCK, BR_IF, CONST, ELSE, END, EQZ, GET, IF, instantiate, LOAD, LOAD16U, LOAD8U, LOOP, LT_S, LT_U, moduleBytes, RETURN, SET, SHL, sleb, STORE, SUB, TEE, uleb, VOID, XOR, type WasmMemory } from "./wasm-emit.js";

/** The body of walk<k> for `k` streams over a table at `tableAt`, its region at `base`. Locals: n, lim, v, then p, s, h per stream. */
function walkBody(k: number, tableAt: number, base: number): number[] {
  // i32.load / i32.store of control slot `slot` (address 0 + offset).
  const loadSlot = (slot: number): number[] => [CONST, 0, LOAD, 2, ...uleb(base + slot * 4)];
  const storeSlot = (slot: number, local: number): number[] => [CONST, 0, GET, local, STORE, 2, ...uleb(base + slot * 4)];
  const N = 0, LIM = 1, V = 2;
  const p = (j: number): number => 3 + 3 * j;
  const s = (j: number): number => 4 + 3 * j;
  const h = (j: number): number => 5 + 3 * j;
  const slot = (j: number, field: number): number => STREAM_AT + STREAM_SLOTS * j + field;
  const saveAll: number[] = [...storeSlot(CONTROL_N, N), ...storeSlot(CONTROL_V, V)];
  for (let j = 0; j < k; j++) saveAll.push(...storeSlot(slot(j, 0), p(j)), ...storeSlot(slot(j, 1), s(j)), ...storeSlot(slot(j, 2), h(j)));
  const code: number[] = [];
  code.push(...loadSlot(CONTROL_N), SET, N, ...loadSlot(CONTROL_LIM), SET, LIM);
  for (let j = 0; j < k; j++) code.push(...loadSlot(slot(j, 0)), SET, p(j), ...loadSlot(slot(j, 1)), SET, s(j), ...loadSlot(slot(j, 2)), SET, h(j));
  code.push(BLOCK, VOID, GET, N, EQZ, BR_IF, 0, LOOP, VOID);
  for (let j = 0; j < k; j++) {
    code.push(
      // v = table[s + class[char at p]]
      GET, s(j), GET, p(j), LOAD16U, 1, 0, LOAD8U, 0, ...uleb(base + CLASS_AT), ADD, CONST, 2, SHL, LOAD, 2, ...uleb(tableAt), TEE, V,
      GET, LIM, LT_U, IF, VOID, GET, V, SET, s(j), // a row: go on from it
      ELSE, GET, V, CONST, 0, LT_S, IF, VOID, // a keyword ends here: note (address, row) and go on from the row
      GET, h(j), GET, p(j), STORE, 2, 0,
      GET, h(j), GET, V, CONST, ...sleb(-1), XOR, TEE, s(j), STORE, 2, 4,
      GET, h(j), CONST, 8, ADD, SET, h(j),
      ELSE, ...saveAll, CONST, ...sleb(j + 1), RETURN, END, // no row: the caller takes over
      END,
      GET, p(j), CONST, 2, ADD, SET, p(j),
    );
  }
  code.push(GET, N, CONST, 1, SUB, TEE, N, BR_IF, 0, END, END, ...saveAll, CONST, 0, END);
  return code;
}

/** The module's bytes: walk1 … walk<MAX_STREAMS>, each `() -> i32`, on an imported memory `e.m` (`shared`: a shared one). */
export function denseWalkModule(tableAt: number, base = 0, shared = false): Uint8Array {
  return moduleBytes(
    Array.from({ length: MAX_STREAMS }, (_, i) => ({ name: `walk${i + 1}`, params: 0, locals: 3 + 3 * (i + 1), body: walkBody(i + 1, tableAt, base) })),
    shared,
  );
}

/**
 * The walk functions (index k - 1: k streams) on a memory of at least `bytes` bytes, or on `memory` (shared, its table
 * at `tableAt` and this walker's region at `base`), or undefined where WebAssembly is unavailable (`node --jitless`)
 * or refuses the module.
 */
export function instantiateDenseWalk(bytes: number, tableAt: number, shared?: { memory: WasmMemory; base: number }): { buffer: ArrayBuffer; walks: Array<() => number> } | undefined {
  const made = shared ? instantiate(denseWalkModule(tableAt, shared.base, true), bytes, shared.memory) : instantiate(denseWalkModule(tableAt), bytes);
  if (!made) return undefined;
  return { buffer: made.buffer, walks: Array.from({ length: MAX_STREAMS }, (_, i) => made.exports[`walk${i + 1}`] as () => number) };
}
