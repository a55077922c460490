/**
 * Runs the keyword automaton's dense-table walk in WebAssembly (dense-walk-wasm.ts), several streams at once: a text
 * is cut into chunks, a chunk into up to four pieces, and each piece is walked from the root starting `lead` (the
 * longest keyword less one) characters early, so that every keyword occurrence ending in the piece is seen by the
 * piece's own stream, and occurrences ending in that lead-in are dropped (the previous piece reports them). A stream
 * that reaches a state too deep for a row is walked on the trie here until it is back in a shallow state. The hits
 * come out exactly as the JavaScript walk in keyword-automaton.ts reports them, in text order (a property test in
 * test/regression/issue-16-wasm-walk.test.ts compares the two, and a naive search).
 */
import { CLASS_AT, CONTROL_LIM, CONTROL_N, CONTROL_V, DATA_AT, instantiateDenseWalk, MAX_STREAMS, STREAM_AT, STREAM_SLOTS } from "./dense-walk-wasm.js";
import { claimRegion, regionOf, releaseRegion, TABLE_AT } from "./dense-table-memory.js";
import type { WasmMemory } from "./wasm-emit.js";

/** The trie moves for states without a row (keyword-automaton.ts). */
export interface DeepStates {
  /** The state after `x` on UTF-16 unit `code`. */
  step(x: number, code: number): number;
  /** Whether a keyword ends at state `x` (itself or through a dictionary link). */
  ends(x: number): boolean;
  /** State x's row, or -1 (too deep for one). */
  rowOf: Int32Array;
}

export interface InterleavedWalker {
  /** Reports every keyword occurrence ending in text[from, to), walked from the root at `from`, as emit(end, state). */
  walk(text: string, from: number, to: number, emit: (end: number, state: number) => void): void;
}

export interface WalkerOptions {
  /** Characters per chunk (tests make it small to cross chunk boundaries often). */
  chunk?: number;
  /** A piece is at least this long; shorter chunks get fewer streams. */
  minPiece?: number;
  /**
   * Where the table is when it is in a shared memory (dense-table-memory.ts): the walker then works in that memory,
   * in the region of `slot` (claimed for this thread by whoever started it, or here), instead of copying the table.
   */
  shared?: { memory: WasmMemory; slot?: number };
}

const DEFAULT_CHUNK = 1 << 16;
const align8 = (n: number): number => n + ((8 - (n % 8)) % 8);

/** A walker's layout from its region's start: its text, then its hits (one slot per character walked, lead-ins included). */
function layout(chunk: number, lead: number): { textAt: number; hitsAt: number; end: number } {
  const textAt = DATA_AT;
  const hitsAt = align8(textAt + (chunk + lead) * 2);
  return { textAt, hitsAt, end: align8(hitsAt + (chunk + MAX_STREAMS * lead) * 8) };
}

/** The bytes a walker's region needs for keywords of at most `longest` characters (dense-table-memory.ts regions). */
export function walkerRegionBytes(longest: number): number {
  return layout(DEFAULT_CHUNK, Math.max(0, longest - 1)).end;
}

/**
 * A walker over `delta` (rows of `width` entries, see keyword-automaton.ts denseFrom; `rowState[r]` is row r's
 * state), or undefined where WebAssembly is unavailable. `classes`: (code, class) pairs of the automaton's alphabet,
 * codes below 65536 only (the caller keeps texts of wider alphabets on its own walk). `longest`: the longest keyword.
 */
export function createInterleavedWalker(delta: Int32Array, width: number, rowState: Int32Array, classes: Int32Array, longest: number, deep: DeepStates, options: WalkerOptions = {}): InterleavedWalker | undefined {
  const chunk = options.chunk ?? DEFAULT_CHUNK;
  const minPiece = options.minPiece ?? 512;
  const lead = Math.max(0, longest - 1);
  const place = options.shared ? sharedPlace(options.shared.memory, options.shared.slot, chunk, lead, delta) : undefined;
  const base = place?.base ?? 0; // the region's first byte: addresses below are base + layout's
  const { textAt: textFrom, hitsAt: hitsFrom, end: regionEnd } = layout(chunk, lead);
  const textAt = base + textFrom;
  const hitsAt = base + hitsFrom;
  const tableAt = place ? TABLE_AT : regionEnd;
  const made = place ? instantiateDenseWalk(base + regionEnd, tableAt, place) : instantiateDenseWalk(tableAt + delta.length * 4, tableAt);
  if (!made) {
    if (place?.claimed !== undefined) releaseRegion(place.memory, place.claimed);
    return undefined;
  }
  const { walks } = made;
  const i32 = new Int32Array(made.buffer);
  const bytes = Buffer.from(made.buffer);
  for (let i = 0; i < classes.length; i += 2) if (classes[i]! < 65536) bytes[base + CLASS_AT + classes[i]!] = classes[i + 1]!;
  if (!place) i32.set(delta, tableAt / 4);
  const lim = delta.length;
  const ctl = base / 4; // i32 index of the control block
  i32[ctl + CONTROL_LIM] = lim;
  const hitBase = hitsAt / 4; // i32 index of the first hit slot
  const { rowOf } = deep;
  // Per stream (by piece index): next character, state, next hit slot (i32 index), end, first hit slot, piece start.
  const at = new Int32Array(MAX_STREAMS);
  const state = new Int32Array(MAX_STREAMS);
  const hit = new Int32Array(MAX_STREAMS);
  const end = new Int32Array(MAX_STREAMS);
  const firstHit = new Int32Array(MAX_STREAMS);
  const pieceStart = new Int32Array(MAX_STREAMS);
  const active: number[] = [];
  // Text index i is at byte textAt + 2 (i - base) of the chunk in memory: shift = textAt - 2 base.
  let shift = 0;

  /** A hit the trie walk found for stream j: its slot holds the state complemented (a row offset is never < 0). */
  const record = (j: number, position: number, x: number): void => {
    i32[hit[j]!] = shift + 2 * position;
    i32[hit[j]! + 1] = -1 - x;
    hit[j] += 2;
  };
  /** Stream j met a state without a row at character `i` (its text index): the trie walk, as keyword-automaton.ts. */
  const walkDeep = (text: string, j: number, i: number, x: number): void => {
    if (deep.ends(x)) record(j, i, x);
    for (;;) {
      if (++i >= end[j]!) {
        at[j] = end[j]!; // the piece is done
        return;
      }
      x = deep.step(x, text.charCodeAt(i));
      const r = rowOf[x]!;
      if (r >= 0) {
        if (deep.ends(x)) record(j, i, x);
        state[j] = r * width;
        at[j] = i + 1;
        return;
      }
      if (deep.ends(x)) record(j, i, x);
    }
  };

  return {
    walk(text, from, to, emit) {
      for (let c0 = from; c0 < to; ) {
        const c1 = Math.min(to, c0 + chunk);
        const base = Math.max(from, c0 - lead); // text index of the character at textAt
        bytes.write(base === 0 && c1 === text.length ? text : text.slice(base, c1), textAt, "utf16le");
        const n = c1 - c0;
        const streams = n >= 4 * minPiece ? 4 : n >= 2 * minPiece ? 2 : 1;
        let slot = hitBase;
        active.length = 0;
        for (let j = 0; j < streams; j++) {
          pieceStart[j] = c0 + Math.floor((j * n) / streams);
          end[j] = j === streams - 1 ? c1 : c0 + Math.floor(((j + 1) * n) / streams);
          at[j] = Math.max(base, pieceStart[j]! - lead);
          state[j] = 0;
          hit[j] = firstHit[j] = slot;
          slot += 2 * (end[j]! - at[j]!);
          active.push(j);
        }
        shift = textAt - 2 * base;
        while (active.length > 0) {
          let left = end[active[0]!]! - at[active[0]!]!;
          for (const j of active) left = Math.min(left, end[j]! - at[j]!);
          if (left > 0) {
            i32[ctl + CONTROL_N] = left;
            for (let a = 0; a < active.length; a++) {
              const j = active[a]!;
              const s = ctl + STREAM_AT + STREAM_SLOTS * a;
              i32[s] = shift + 2 * at[j]!;
              i32[s + 1] = state[j]!;
              i32[s + 2] = hit[j]! * 4;
            }
            const stopped = walks[active.length - 1]!();
            for (let a = 0; a < active.length; a++) {
              const j = active[a]!;
              const s = ctl + STREAM_AT + STREAM_SLOTS * a;
              at[j] = (i32[s]! - shift) / 2;
              state[j] = i32[s + 1]!;
              hit[j] = i32[s + 2]! / 4;
            }
            if (stopped > 0) {
              const j = active[stopped - 1]!;
              walkDeep(text, j, at[j]!, i32[ctl + CONTROL_V]! - lim);
            }
          }
          for (let a = active.length - 1; a >= 0; a--) if (at[active[a]!]! >= end[active[a]!]!) active.splice(a, 1);
        }
        for (let j = 0; j < streams; j++) {
          for (let h = firstHit[j]!; h < hit[j]!; h += 2) {
            const position = (i32[h]! - shift) / 2;
            if (position < pieceStart[j]!) continue; // the lead-in: the previous piece's
            const e = i32[h + 1]!;
            emit(position, e >= 0 ? rowState[e / width]! : -1 - e);
          }
        }
        c0 = c1;
      }
    },
  };
}

/**
 * This walker's region of the shared memory that holds `delta` (its own slot, or one claimed now), or undefined: the
 * table is not that memory's, no slot is free, or the region is too small for this chunk size (then the table is
 * copied, as without a shared memory).
 */
function sharedPlace(memory: WasmMemory, slot: number | undefined, chunk: number, lead: number, delta: Int32Array): { memory: WasmMemory; base: number; claimed: number | undefined } | undefined {
  if (!(delta.buffer instanceof SharedArrayBuffer) || delta.byteOffset !== TABLE_AT) return undefined;
  const claimed = slot === undefined ? claimRegion(memory) : undefined;
  const mine = slot ?? claimed;
  if (mine === undefined) return undefined;
  const region = regionOf(memory, mine);
  if (layout(chunk, lead).end <= region.bytes) return { memory, base: region.base, claimed };
  if (claimed !== undefined) releaseRegion(memory, claimed);
  return undefined;
}
