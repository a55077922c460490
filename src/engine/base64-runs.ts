/**
 * decode.ts's run finder (every maximal run of base64 characters at least MIN_BASE64 long) in WebAssembly. Why
 * (issue 16): it reads every character scanned — after the keyword walk went to WebAssembly it was the largest cost
 * of a tree scan (encodedSegments, 13 % of a one-thread profile of the 415 MB tree) — and in JavaScript each
 * character read pays for the string's representation check and the table's bounds and map checks. Same algorithm
 * (probe MIN_BASE64 - 1 ahead, look back from a base64 probe), same results; decode.ts keeps the JavaScript loop for
 * runtimes without WebAssembly, and a test compares the two.
 */
import { ADD, BLOCK, BR, BR_IF, CLZ, CONST, CTZ, ELSE, END, EQ, EQZ, GE_U, GET, GT_U, I8X16_BITMASK, I8X16_EQ, I8X16_LT_U, I8X16_NARROW_I16X8_U, I8X16_SUB, IF, instantiate, LOAD16U, LOAD8U, LOOP, LT_S, moduleBytes, MUL, OR, SET, SHL, sleb, STORE, SUB, TEE, uleb, V128_CONST, V128_LOAD, V128_OR, VOID, XOR } from "./wasm-emit.js";

/** Calls `visit(start, stop, classes)` per run, in order, until it returns false (decode.ts forEachRun's contract). */
export type RunVisitor = (start: number, stop: number, classes: number) => boolean;
export type RunFinder = (text: string, visit: RunVisitor) => void;

const CLASS_AT = 0; // 65536 bytes: each UTF-16 unit's base64 class bits, 0 where not a base64 character
const TEXT_AT = 65536;

/** `runs(n) -> count`: the runs of text[0, n) at TEXT_AT, as (start, stop, classes) triples at `outAt`. */
function runsBody(minRun: number, outAt: number): number[] {
  const N = 0, I = 1, K = 2, STOP = 3, CLS = 4, COUNT = 5, T = 6;
  const classAt = (local: number): number[] => [GET, local, CONST, 1, SHL, LOAD16U, 1, ...uleb(TEXT_AT), LOAD8U, 0, ...uleb(CLASS_AT)];
  const store = (offset: number, local: number): number[] => [GET, T, GET, local, STORE, 2, ...uleb(outAt + offset)];
  return [
    BLOCK, VOID, LOOP, VOID,
    // while (i + minRun <= n)
    GET, I, CONST, ...uleb(minRun), ADD, GET, N, GT_U, BR_IF, 1,
    // the probe, minRun - 1 ahead: not base64 rules out every run starting up to it
    GET, I, CONST, ...uleb(minRun - 1), ADD, SET, K,
    ...classAt(K), EQZ, IF, VOID, GET, K, CONST, 1, ADD, SET, I, BR, 1, END,
    // back from the probe: a non-base64 character at k >= i means no run starts before k + 1
    BLOCK, VOID, LOOP, VOID,
    GET, K, CONST, 1, SUB, TEE, K, GET, I, LT_S, BR_IF, 1,
    ...classAt(K), BR_IF, 0,
    GET, K, CONST, 1, ADD, SET, I, BR, 2,
    END, END,
    // a run starts at i: forward to its end, its class bits or-ed
    GET, I, SET, STOP, CONST, 0, SET, CLS,
    BLOCK, VOID, LOOP, VOID,
    GET, STOP, GET, N, GE_U, BR_IF, 1,
    ...classAt(STOP), TEE, T, EQZ, BR_IF, 1,
    GET, CLS, GET, T, OR, SET, CLS,
    GET, STOP, CONST, 1, ADD, SET, STOP, BR, 0,
    END, END,
    GET, COUNT, CONST, 12, MUL, SET, T, ...store(0, I), ...store(4, STOP), ...store(8, CLS),
    GET, COUNT, CONST, 1, ADD, SET, COUNT,
    GET, STOP, CONST, 1, ADD, SET, I, BR, 0,
    END, END,
    GET, COUNT, END,
  ];
}

/** The base64 characters (decode.ts B64's non-zero entries), which the SIMD body tests by range instead of by table. */
const BASE64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_";

/**
 * `runs(n) -> count` as runsBody's, 16 characters a step with 128-bit SIMD (issue 16: the probe loop above is one
 * dependent load and an unpredictable branch after another, ~0.5 ns a character; this tests 16 at once, branch-free).
 * Each step narrows 16 UTF-16 units to bytes (saturating: anything past U+00FF becomes a non-base64 byte), tests
 * them for base64 by range, and reads the 16-bit mask: the run that ends in the step is the ones at its bottom
 * joined to those carried from before; the run that starts in it, the ones at its top, carried on. A run wholly inside
 * one step is shorter than 17, below `minRun`. The classes of a run found are or-ed character by character, as
 * runsBody does; fewer than 16 characters at the end go one by one.
 */
function runsBodySimd(minRun: number, outAt: number): number[] {
  const N = 0, I = 1, CARRY = 2, M = 3, LO = 4, COUNT = 5, K = 6, CLS = 7, T = 8, B = 9;
  const c = (v: number): number[] => [CONST, ...sleb(v)];
  const splat = (byte: number): number[] => [...V128_CONST, ...Array<number>(16).fill(byte)];
  const classAt = (local: number): number[] => [GET, local, CONST, 1, SHL, LOAD16U, 1, ...uleb(TEXT_AT), LOAD8U, 0, ...uleb(CLASS_AT)];
  // The run [start, stop) (expressions): its classes or-ed, and the triple stored.
  const emit = (start: number[], stop: number[]): number[] => [
    ...start, SET, K, ...c(0), SET, CLS,
    BLOCK, VOID, LOOP, VOID,
    GET, K, ...stop, GE_U, BR_IF, 1,
    GET, CLS, ...classAt(K), OR, SET, CLS,
    GET, K, ...c(1), ADD, SET, K, BR, 0,
    END, END,
    GET, COUNT, ...c(12), MUL, SET, T,
    GET, T, ...start, STORE, 2, ...uleb(outAt),
    GET, T, ...stop, STORE, 2, ...uleb(outAt + 4),
    GET, T, GET, CLS, STORE, 2, ...uleb(outAt + 8),
    GET, COUNT, ...c(1), ADD, SET, COUNT,
  ];
  const isIn = (lo: number, span: number): number[] => [GET, B, ...splat(lo), ...I8X16_SUB, ...splat(span), ...I8X16_LT_U];
  const isChar = (ch: string): number[] => [GET, B, ...splat(ch.charCodeAt(0)), ...I8X16_EQ, ...V128_OR];
  return [
    BLOCK, VOID, LOOP, VOID,
    GET, I, ...c(16), ADD, GET, N, GT_U, BR_IF, 1,
    GET, I, ...c(1), SHL, ...V128_LOAD, 4, ...uleb(TEXT_AT),
    GET, I, ...c(1), SHL, ...V128_LOAD, 4, ...uleb(TEXT_AT + 16),
    ...I8X16_NARROW_I16X8_U, SET, B,
    // letters ((b | 0x20) - 'a' < 26), digits, + / - _
    GET, B, ...splat(0x20), ...V128_OR, ...splat(0x61), ...I8X16_SUB, ...splat(26), ...I8X16_LT_U,
    ...isIn(0x30, 10), ...V128_OR, ...isChar("+"), ...isChar("/"), ...isChar("-"), ...isChar("_"),
    ...I8X16_BITMASK, TEE, M,
    ...c(0xffff), EQ, IF, VOID,
    GET, CARRY, ...c(16), ADD, SET, CARRY,
    ELSE,
    GET, M, ...c(-1), XOR, CTZ, SET, LO,
    GET, CARRY, GET, LO, ADD, ...c(minRun), GE_U, IF, VOID,
    ...emit([GET, I, GET, CARRY, SUB], [GET, I, GET, LO, ADD]),
    END,
    GET, M, ...c(-1), XOR, ...c(16), SHL, CLZ, SET, CARRY,
    END,
    GET, I, ...c(16), ADD, SET, I, BR, 0,
    END, END,
    // The last few characters, one by one.
    BLOCK, VOID, LOOP, VOID,
    GET, I, GET, N, GE_U, BR_IF, 1,
    ...classAt(I), IF, VOID,
    GET, CARRY, ...c(1), ADD, SET, CARRY,
    ELSE,
    GET, CARRY, ...c(minRun), GE_U, IF, VOID, ...emit([GET, I, GET, CARRY, SUB], [GET, I]), END,
    ...c(0), SET, CARRY,
    END,
    GET, I, ...c(1), ADD, SET, I, BR, 0,
    END, END,
    GET, CARRY, ...c(minRun), GE_U, IF, VOID, ...emit([GET, N, GET, CARRY, SUB], [GET, N]), END,
    GET, COUNT, END,
  ];
}

/** The module of runsBodySimd (exported for its test, which checks that the runtime takes it). */
export function simdRunsModule(minRun: number, outAt: number): Uint8Array {
  return moduleBytes([{ name: "runs", params: 1, locals: 8, v128Locals: 1, body: runsBodySimd(minRun, outAt) }]);
}

/** Whether `classes` marks exactly the base64 characters (then runsBodySimd's range tests are the table's). */
function isBase64Table(classes: Uint8Array): boolean {
  for (let code = 0; code < 128; code++) if ((classes[code] !== 0) !== BASE64_CHARS.includes(String.fromCharCode(code))) return false;
  return true;
}

/**
 * A run finder for runs of at least `minRun` characters of the classes `classes` gives (by UTF-16 unit below 128;
 * zero: not base64), or undefined without WebAssembly. `chunk`: characters per call (tests make it small).
 */
export function createRunFinder(classes: Uint8Array, minRun: number, maxRun: number, chunk = 1 << 16): RunFinder | undefined {
  const room = chunk + maxRun + 2; // a chunk is extended to the end of a run that may still matter
  const outAt = TEXT_AT + room * 2 + 4 - ((room * 2) % 4); // 4-aligned
  const slots = Math.ceil(room / (minRun + 1)) + 1;
  // SIMD where the table is base64's and a run is longer than a step (runsBodySimd), and the runtime has it.
  const simd = minRun > 16 && isBase64Table(classes) ? simdRunsModule(minRun, outAt) : undefined;
  const made = (simd && instantiate(simd, outAt + slots * 12)) || instantiate(moduleBytes([{ name: "runs", params: 1, locals: 6, body: runsBody(minRun, outAt) }]), outAt + slots * 12);
  if (!made) return undefined;
  const runs = made.exports.runs as (n: number) => number;
  const bytes = Buffer.from(made.buffer);
  const out = new Int32Array(made.buffer, outAt, slots * 3);
  bytes.set(classes.subarray(0, 128), CLASS_AT);
  const isRunChar = (c: number): boolean => c < 128 && classes[c] !== 0;
  return (text, visit) => {
    const n = text.length;
    for (let c0 = 0; c0 < n; ) {
      // Cut where no run of at most maxRun + 1 characters is split: at a non-base64 character, or inside a run longer
      // than that (then finished here, below). The character before c0 is never base64, as forEachRun needs.
      let c1 = Math.min(n, c0 + chunk);
      const limit = Math.min(n, c0 + room);
      while (c1 < limit && isRunChar(text.charCodeAt(c1))) c1++;
      bytes.write(c0 === 0 && c1 === n ? text : text.slice(c0, c1), TEXT_AT, "utf16le");
      const count = runs(c1 - c0);
      for (let r = 0; r < count; r++) {
        const start = c0 + out[3 * r]!;
        let stop = c0 + out[3 * r + 1]!;
        let cls = out[3 * r + 2]!;
        if (stop === c1) {
          // The chunk ended inside this run (one longer than maxRun): finish it here.
          // Never a read past the end: an out-of-bounds charCodeAt deoptimised this function, twice a scan, and
          // each time it was compiled again (~50 ms of TurboFan per thread, issue 21).
          for (; stop < n; stop++) {
            const d = text.charCodeAt(stop);
            if (!isRunChar(d)) break;
            cls |= classes[d]!;
          }
          c1 = stop;
        }
        if (!visit(start, stop, cls)) return;
      }
      c0 = c1;
    }
  };
}
