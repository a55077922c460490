/**
 * UTF-8 to a JavaScript string, in WebAssembly, for decode-bytes.ts. Why (issue 16): TextDecoder was 12-14 % of a
 * tree scan's CPU. A third of a tree's bytes are files that are valid UTF-8 with a few non-ASCII characters (0.9 %
 * of their bytes on the bench tree), and V8's UTF-8 decoder takes them at ~3.5 ms a MB (two passes and a table
 * lookup per byte); ICU's converter (buffer.transcode) at ~2 ms, but it returns a fresh off-heap buffer twice the
 * file's size that lives until a collection (peak RSS of the 415 MB tree +50-80 MB). This loop writes UTF-16 into a
 * fixed block of WebAssembly memory, from which Node copies it into the string, and leaves no garbage but the
 * string. Measured on the bench tree's non-ASCII files up to 256 KB (60 MB, Node 20, CPU): 108-115 ms against
 * TextDecoder's 162-175 ms. It decodes only input that node:buffer's isUtf8 has already found valid (the caller's
 * contract), so it needs no validation of its own; invalid input stays with TextDecoder, whose replacement characters
 * are the rule.
 */
import { ADD, AND, BLOCK, BR, BR_IF, CONST, END, GE_U, GET, IF, instantiate, LOAD8U, LOOP, LT_U, moduleBytes, OR, SET, SHL, SHR_U, sleb, STORE16, SUB, TEE, uleb, VOID } from "./wasm-emit.js";

/**
 * The most bytes one call decodes: longer texts stay with TextDecoder (decode-bytes.ts). Decoding one in blocks and
 * joining their strings was faster in CPU but made twice the garbage, and blocks still alive when the young generation
 * was collected went to the old one: the planted bench tree's peak RSS rose 25-30 MB (issue 21's bound is 256 MB).
 * The 56 non-ASCII files over 256 KB of the bench tree are 65 MB of its 415; a third of its non-ASCII bytes.
 */
export const UTF8_WASM_MAX_BYTES = 1 << 18;
const IN_AT = 0;
const OUT_AT = UTF8_WASM_MAX_BYTES + 8;

/** `decode(n) -> units`: the UTF-8 bytes [IN_AT, IN_AT + n), valid and whole characters, as UTF-16 at OUT_AT. */
function decodeBody(): number[] {
  const N = 0, I = 1, O = 2, B = 3, C = 4;
  const c = (v: number): number[] => [CONST, ...sleb(v)];
  const byteAt = (k: number): number[] => [GET, I, LOAD8U, 0, ...uleb(IN_AT + k)];
  const low6 = (k: number): number[] => [...byteAt(k), ...c(0x3f), AND];
  const advance = (inBytes: number, outBytes: number): number[] => [GET, I, ...c(inBytes), ADD, SET, I, GET, O, ...c(outBytes), ADD, SET, O];
  return [
    ...c(OUT_AT), SET, O,
    BLOCK, VOID, LOOP, VOID,
    GET, I, GET, N, GE_U, BR_IF, 1,
    ...byteAt(0), TEE, B, ...c(0x80), LT_U, IF, VOID,
    GET, O, GET, B, STORE16, 1, 0, ...advance(1, 2), BR, 1,
    END,
    GET, B, ...c(0xe0), LT_U, IF, VOID,
    GET, O, GET, B, ...c(0x1f), AND, ...c(6), SHL, ...low6(1), OR, STORE16, 1, 0, ...advance(2, 2), BR, 1,
    END,
    GET, B, ...c(0xf0), LT_U, IF, VOID,
    GET, O, GET, B, ...c(0x0f), AND, ...c(12), SHL, ...low6(1), ...c(6), SHL, OR, ...low6(2), OR, STORE16, 1, 0, ...advance(3, 2), BR, 1,
    END,
    // Four bytes: a code point past U+FFFF, written as a surrogate pair.
    GET, B, ...c(0x07), AND, ...c(18), SHL, ...low6(1), ...c(12), SHL, OR, ...low6(2), ...c(6), SHL, OR, ...low6(3), OR, ...c(0x10000), SUB, SET, C,
    GET, O, GET, C, ...c(10), SHR_U, ...c(0xd800), OR, STORE16, 1, 0,
    GET, O, GET, C, ...c(0x3ff), AND, ...c(0xdc00), OR, STORE16, 1, 2,
    ...advance(4, 4), BR, 0,
    END, END,
    GET, O, ...c(OUT_AT), SUB, ...c(1), SHR_U, END,
  ];
}

/**
 * A decoder of valid UTF-8 of at most `maxBytes` (default UTF8_WASM_MAX_BYTES) bytes — no byte-order mark handling:
 * the caller strips it — or undefined without WebAssembly. Input that broke the contract would decode to nonsense
 * but stay in bounds: each step reads at most 3 bytes past the input (the input area has 8 spare) and writes at most
 * 2 bytes a byte read, and every step moves on.
 */
export function createUtf8Decoder(maxBytes = UTF8_WASM_MAX_BYTES): ((bytes: Uint8Array) => string) | undefined {
  if (!(maxBytes >= 1 && maxBytes <= UTF8_WASM_MAX_BYTES)) throw new RangeError(`maxBytes must be 1-${UTF8_WASM_MAX_BYTES}`);
  const made = instantiate(moduleBytes([{ name: "decode", params: 1, locals: 4, body: decodeBody() }]), OUT_AT + 2 * maxBytes + 8);
  if (!made) return undefined;
  const decode = made.exports.decode as (n: number) => number;
  const memory = new Uint8Array(made.buffer);
  const out = Buffer.from(made.buffer);
  return (bytes) => {
    if (bytes.length > maxBytes) throw new RangeError(`utf8-wasm: ${bytes.length} bytes is over ${maxBytes}`);
    memory.set(bytes, IN_AT);
    return out.toString("utf16le", OUT_AT, OUT_AT + 2 * decode(bytes.length));
  };
}
