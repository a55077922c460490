/**
 * Just enough of the WebAssembly binary format to emit the engine's small hot loops (dense-walk-wasm.ts,
 * base64-runs.ts, utf8-wasm.ts) without a toolchain or a binary file to ship: opcodes, LEB128, sections, and instantiation behind
 * a check, so that a runtime without WebAssembly (`node --jitless`) gets undefined and the JavaScript loops instead.
 */

// Opcodes (WebAssembly core spec, binary format).
export const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, RETURN = 0x0f, VOID = 0x40;
export const GET = 0x20, SET = 0x21, TEE = 0x22, LOAD = 0x28, LOAD8U = 0x2d, LOAD16U = 0x2f, STORE = 0x36, STORE16 = 0x3b, CONST = 0x41;
export const EQZ = 0x45, LT_S = 0x48, LT_U = 0x49, GT_U = 0x4b, GE_U = 0x4f, ADD = 0x6a, SUB = 0x6b, MUL = 0x6c, AND = 0x71, OR = 0x72, XOR = 0x73, SHL = 0x74, SHR_U = 0x76;
export const I32 = 0x7f;
export const CLZ = 0x67, CTZ = 0x68, EQ = 0x46;
/**
 * 128-bit SIMD (base64-runs.ts): each opcode is the prefix and its number (all below 128, one LEB byte); `V128` is
 * the local type. v128.load takes a memarg (alignment exponent, offset); v128.const its 16 bytes.
 */
export const V128 = 0x7b;
const SIMD = 0xfd;
export const V128_LOAD = [SIMD, 0x00], V128_CONST = [SIMD, 0x0c], I8X16_EQ = [SIMD, 0x23], I8X16_LT_U = [SIMD, 0x26], V128_OR = [SIMD, 0x50];
export const I8X16_BITMASK = [SIMD, 0x64], I8X16_NARROW_I16X8_U = [SIMD, 0x66], I8X16_SUB = [SIMD, 0x71];

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** A function to emit: its i32 parameter count, its i32 locals beyond them (then `v128Locals`), and its body (ending in END). */
export interface WasmFunction {
  name: string;
  params: number;
  locals: number;
  v128Locals?: number;
  body: number[];
}

/** The most pages a 32-bit memory may have; a shared memory's import declares it as its maximum. */
export const MAX_PAGES = 65536;

/**
 * A module of functions `(i32 × params) -> i32` on an imported memory `e.m`; `shared`: one that several threads
 * import (WebAssembly.Memory with `shared: true`, see dense-table-memory.ts).
 */
export function moduleBytes(functions: readonly WasmFunction[], shared = false): Uint8Array {
  const arities = [...new Set(functions.map((f) => f.params))];
  // Import memory e.m, at least 1 page; a shared memory's import must say shared, with a maximum (flags 3).
  const limits = shared ? [0x03, 1, ...uleb(MAX_PAGES)] : [0x00, 1];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec(arities.map((p) => [0x60, ...uleb(p), ...Array<number>(p).fill(I32), 1, I32]))),
    ...section(2, vec([[...name("e"), ...name("m"), 0x02, ...limits]])),
    ...section(3, vec(functions.map((f) => uleb(arities.indexOf(f.params))))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(functions.map((f) => {
      const groups = [...(f.locals > 0 ? [[...uleb(f.locals), I32]] : []), ...(f.v128Locals ? [[...uleb(f.v128Locals), V128]] : [])];
      const code = [...uleb(groups.length), ...groups.flat(), ...f.body];
      return [...uleb(code.length), ...code];
    }))),
  ]);
}

/** A WebAssembly.Memory (TypeScript types it only in the DOM library, not loaded here). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The little of the WebAssembly API used here. */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * A memory of at least `bytes` bytes (or `memory`, a shared one the module was emitted for) and the module's exports
 * on it, or undefined where WebAssembly is unavailable (`node --jitless`) or refuses the module.
 */
export function instantiate(module: Uint8Array, bytes: number, memory?: WasmMemory): { buffer: ArrayBuffer; exports: Record<string, unknown> } | undefined {
  const wasm = wasmApi();
  if (wasm === undefined) return undefined;
  try {
    const m = memory ?? new wasm.Memory({ initial: Math.ceil(bytes / 65536) });
    if (m.buffer.byteLength < bytes) return undefined;
    const instance = new wasm.Instance(new wasm.Module(module), { e: { m } });
    return { buffer: m.buffer as ArrayBuffer, exports: instance.exports };
  } catch {
    return undefined;
  }
}

/** A shared memory of exactly `bytes` bytes (rounded up to pages), or undefined where there is none to be had. */
export function sharedMemory(bytes: number): WasmMemory | undefined {
  const wasm = wasmApi();
  const pages = Math.ceil(bytes / 65536);
  if (wasm === undefined || pages > MAX_PAGES) return undefined;
  try {
    return new wasm.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return undefined;
  }
}
