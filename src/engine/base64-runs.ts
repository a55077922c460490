/**
 * decode.ts's run finder (every maximal run of base64 characters at least MIN_BASE64 long) in WebAssembly. Why
 * (issue 16): it reads every character scanned — after the keyword walk went to WebAssembly it was the largest cost
 * of a tree scan (encodedSegments, 13 % of a one-thread profile of the 415 MB tree) — and in JavaScript each
 * character read pays for the string's representation check and the table's bounds and map checks. Same algorithm
 * (probe MIN_BASE64 - 1 ahead, look back from a base64 probe), same results; decode.ts keeps the JavaScript loop for
 * runtimes without WebAssembly, and a test compares the two.
 */
import { ADD, BLOCK, BR, BR_IF, CONST, END, EQZ, GE_U, GET, GT_U, IF, instantiate, LOAD16U, LOAD8U, LOOP, LT_S, moduleBytes, MUL, OR, SET, SHL, STORE, SUB, TEE, uleb, VOID } from "./wasm-emit.js";

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

/**
 * A run finder for runs of at least `minRun` characters of the classes `classes` gives (by UTF-16 unit below 128;
 * zero: not base64), or undefined without WebAssembly. `chunk`: characters per call (tests make it small).
 */
export function createRunFinder(classes: Uint8Array, minRun: number, maxRun: number, chunk = 1 << 16): RunFinder | undefined {
  const room = chunk + maxRun + 2; // a chunk is extended to the end of a run that may still matter
  const outAt = TEXT_AT + room * 2 + 4 - ((room * 2) % 4); // 4-aligned
  const slots = Math.ceil(room / (minRun + 1)) + 1;
  const made = instantiate(moduleBytes([{ name: "runs", params: 1, locals: 6, body: runsBody(minRun, outAt) }]), outAt + slots * 12);
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
          for (let d = text.charCodeAt(stop); stop < n && isRunChar(d); d = text.charCodeAt(++stop)) cls |= classes[d]!;
          c1 = stop;
        }
        if (!visit(start, stop, cls)) return;
      }
      c0 = c1;
    }
  };
}
