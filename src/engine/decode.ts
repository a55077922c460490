/**
 * Finds encoded text worth decoding — base64 (standard and URL-safe), hex and percent-encoding — so the matcher can
 * look for secrets inside it (a Kubernetes Secret's `data:`, a base64 `.npmrc` in a CI variable, a URL-encoded
 * connection string). Work is bounded: only runs of at least MIN_BASE64 / MIN_HEX characters (or percent runs with
 * at least two escapes) are considered, runs longer than MAX_RUN are left alone (they are images and bundles, not
 * configuration), at most MAX_DECODED_BYTES are decoded per text, and a decoded result is kept only if it is mostly
 * printable text. Recursion depth is the caller's (scan-text.ts, default 2). Issue 17 adds one "encoding" that is
 * code rather than bytes, `concat`: a PEM block assembled from quoted pieces across lines (concat.ts).
 */

import { createRunFinder, type RunFinder } from "./base64-runs.js";

export type Encoding = "base64" | "hex" | "percent" | "concat";

export interface EncodedSegment {
  /** Offsets of the encoded run in the text it was found in. */
  start: number;
  end: number;
  encoding: Encoding;
  /** The decoded text. */
  text: string;
}

export const MIN_BASE64 = 24;
export const MIN_HEX = 32;
const MAX_RUN = 64 * 1024;
const MAX_DECODED_BYTES = 1024 * 1024;

// Character classes of base64 characters, as bits: a run's OR tells whether it is hex-only, mixed case, URL-safe.
const LOWER = 1;
const UPPER = 2;
const DIGIT = 4;
const SYMBOL = 8;
const URLSAFE = 16;
/** Any character that is not a hex digit. */
const NOT_HEX = 32;
const B64 = (() => {
  const t = new Uint8Array(128);
  for (let c = 97; c <= 122; c++) t[c] = LOWER | (c > 102 ? NOT_HEX : 0);
  for (let c = 65; c <= 90; c++) t[c] = UPPER | (c > 70 ? NOT_HEX : 0);
  for (let c = 48; c <= 57; c++) t[c] = DIGIT;
  t[43] = SYMBOL | NOT_HEX; // +
  t[47] = SYMBOL | NOT_HEX; // /
  t[45] = URLSAFE | NOT_HEX; // -
  t[95] = URLSAFE | NOT_HEX; // _
  return t;
})();

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
/** Characters that may appear in a percent-encoded run (URL characters and the escapes themselves), by code. */
const URL_CHARS = (() => {
  const t = new Uint8Array(128);
  for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+-!*'();:@&=$,/?#%") t[ch.charCodeAt(0)] = 1;
  return t;
})();

function isUrlChar(c: number): boolean {
  return c < 128 && URL_CHARS[c] === 1;
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Whether text[a, b) holds at least two `%XX` escapes. */
function hasTwoEscapes(text: string, a: number, b: number): boolean {
  let seen = 0;
  for (let p = text.indexOf("%", a); p !== -1 && p + 2 < b; p = text.indexOf("%", p + 1)) {
    if (isHexCode(text.charCodeAt(p + 1)) && isHexCode(text.charCodeAt(p + 2)) && ++seen === 2) return true;
  }
  return false;
}

/**
 * TextDecoder's decode, bound once: printableText read `utf8.decode` on every call, and in pool workers TurboFan found
 * that load without type feedback again and again (a deopt loop: 8-99 deoptimisations and as many compiles of
 * printableText in one scan of the clean tree with two threads; issue 21). A bound function is called, not looked up.
 */
const utf8 = new TextDecoder("utf-8", { fatal: false });
const decodeUtf8Loose: (bytes: Uint8Array) => string = utf8.decode.bind(utf8);
/** 1 for a control byte that printable text may hold only a few of (not tab, newline or carriage return), else 0. */
const CONTROL_BYTE = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 0x20; b++) if (b !== 9 && b !== 10 && b !== 13) t[b] = 1;
  t[0x7f] = 1;
  return t;
})();

/** Bytes as a string of one character each (a byte copy; ASCII bytes are their own characters). */
function latin1Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** Mostly printable UTF-8 text (tabs and newlines allowed), with no NUL and at most 5% other control/invalid bytes. */
function printableText(bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  if (n < 8) return undefined;
  // Branch-free counting (CONTROL_BYTE), so every operation in the loop has run before the loop is optimised: a
  // rarely taken `++bad` deoptimised the optimised code around it each time a decoded run held a control byte, and
  // the large functions it was inlined into were compiled again and again (issue 7: ~90 deopts per tree scan).
  let bad = 0;
  let high = 0; // every byte or-ed: below 0x80 when they are all ASCII
  const allowed = n * 0.05;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return undefined;
    high |= b;
    bad += CONTROL_BYTE[b]!;
    if (bad > allowed) return undefined;
  }
  // ASCII only (decoded inline source maps, configuration): every character is printable but the control bytes counted
  // above, there is no replacement character, and Latin-1 decoding is a copy. Issue 16: this halves the cost of the
  // ~8 MB of inline source maps in 79 MB of npm code, which the loops below read twice. Issue 21: told by the loop
  // above, not by node:buffer's isAscii, and converted in a function of its own: in pool workers this function was
  // deoptimised at those calls again and again ("insufficient type feedback", 10-248 times a scan of the clean tree).
  if (high < 0x80) return latin1Text(bytes);
  const text = decodeUtf8Loose(bytes);
  // Printable ASCII must dominate (random bytes decoded as UTF-8 are mostly replacement or high characters), and
  // replacement characters (invalid UTF-8) stay under 5%.
  let ascii = 0;
  let replacement = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    ascii += c < 0x80 ? 1 - CONTROL_BYTE[c]! : 0; // printable ASCII, tab, newline, carriage return (branch-free, as above)
    replacement += c === 0xfffd ? 1 : 0;
  }
  return replacement <= text.length * 0.05 && ascii >= text.length * 0.9 ? text : undefined;
}

/**
 * Whether raw bytes could hold a run that encodedSegments would decode — the same run rules, read on bytes (ASCII
 * bytes are their own characters in UTF-8 and Latin-1; any byte >= 0x80 ends a run, as a non-ASCII character does).
 * It may answer true for a run that then does not decode to text, never false for one that does. The bytes path
 * (scan-bytes.ts) uses it to skip decoding files with neither a keyword nor anything encoded.
 */
export function mayHoldEncoded(bytes: Uint8Array): boolean {
  const n = bytes.length;
  // A percent escape followed, somewhere, by a second one: a candidate percent run.
  for (let j = bytes.indexOf(37); j !== -1 && j + 2 < n; j = bytes.indexOf(37, j + 1)) {
    if (isHexCode(bytes[j + 1]!) && isHexCode(bytes[j + 2]!) && hasPercentEscape(bytes, j + 3)) return true;
  }
  // Bytes read as Latin-1 are one character each (a byte >= 0x80 is a character >= 0x80, which ends a run as a
  // non-ASCII character does), so the text run finder serves both and stays monomorphic. The copy is a memcpy, and
  // this runs only for files without a keyword (scan-bytes.ts).
  const latin1 = latin1Text(bytes);
  mayBytes = bytes;
  mayFound = false;
  try {
    runsOf(latin1, visitMayRun);
    return mayFound;
  } finally {
    mayBytes = NO_BYTES;
  }
}

/*
 * The run finder's visitors are two functions made once, their state in the variables beside them, not a closure made
 * per text: V8 compiled each text's closure again for itself (the clean 415 MB tree, one thread: encodedSegments'
 * visitor 17 times, 83 ms of TurboFan's time), and the finder and forEachRun, seeing a new call target each text,
 * were deoptimised and compiled again 6 times each (47 and 19 ms); every worker thread pays that again (issue 21).
 * Both go through visitRun, so the finder only ever calls one function.
 */
const NO_BYTES = new Uint8Array(0);
let mayBytes: Uint8Array = NO_BYTES;
let mayFound = false;

/** mayHoldEncoded's visitor: stops at the first run that encodedSegments could decode. */
function visitMayRun(start: number, stop: number, classes: number): boolean {
  const len = stop - start;
  if (len > MAX_RUN) return true;
  if ((classes & NOT_HEX) === 0) {
    mayFound = len >= MIN_HEX && len % 2 === 0 && !isAlnum(start > 0 ? mayBytes[start - 1]! : 0) && !isAlnum(stop < mayBytes.length ? mayBytes[stop]! : 0);
  } else mayFound = (classes & (LOWER | UPPER | DIGIT)) === (LOWER | UPPER | DIGIT) && len % 4 !== 1;
  return !mayFound;
}

/**
 * Calls `visit(start, stop, classes)` for every maximal run of base64 characters at least MIN_BASE64 long (a hex run
 * is one of them), in order, until it returns false. Issue 7: this runs over every byte scanned, so it skips: a run
 * of MIN_BASE64 characters that starts at or after `i` must cover position `i + MIN_BASE64 - 1`, so one probe there
 * rules out MIN_BASE64 positions at once when it is not a base64 character (in code, most probes: identifiers are
 * short), and a backwards check from the probe finds where a possible run starts. Exported for its test. It takes a
 * string only (bytes are read as Latin-1 by mayHoldEncoded): a loop taking an accessor for both went megamorphic in
 * worker threads, which call both, and ran 40% slower.
 */
export function forEachRun(text: string, visit: (start: number, stop: number, classes: number) => boolean): void {
  const n = text.length;
  const at = (k: number) => text.charCodeAt(k);
  const isB64 = (c: number) => c < 128 && B64[c] !== 0;
  // Invariant: i === 0 or the character before i is not a base64 character.
  let i = 0;
  while (i + MIN_BASE64 <= n) {
    const probe = i + MIN_BASE64 - 1;
    if (!isB64(at(probe))) {
      i = probe + 1;
      continue;
    }
    let k = probe - 1;
    while (k >= i && isB64(at(k))) k--;
    if (k >= i) {
      i = k + 1;
      continue;
    }
    let classes = 0;
    let stop = i;
    while (stop < n) {
      const d = at(stop);
      if (!isB64(d)) break;
      classes |= B64[d]!;
      stop++;
    }
    if (!visit(i, stop, classes)) return;
    i = stop + 1;
  }
}


function hasPercentEscape(bytes: Uint8Array, from: number): boolean {
  for (let j = bytes.indexOf(37, from); j !== -1 && j + 2 < bytes.length; j = bytes.indexOf(37, j + 1)) {
    if (isHexCode(bytes[j + 1]!) && isHexCode(bytes[j + 2]!)) return true;
  }
  return false;
}

/** Each base64 character's 6-bit value (the URL-safe `-` and `_` as `+` and `/`). */
const B64_VALUE = (() => {
  const t = new Uint8Array(128);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  t[45] = 62;
  t[95] = 63;
  return t;
})();
/** Base64 characters asciiLead reads: 64 characters are 48 bytes. */
const LEAD_CHARS = 64;

/**
 * Characters read before the WebAssembly run finder is made: a pre-commit run's few KB never pay for compiling the
 * module and its half-megabyte memory (issue 20), as the keyword walk waits for its dense table (DENSE_AFTER).
 */
const WASM_RUNS_AFTER = 1 << 20;
let wasmRuns: RunFinder | undefined | null = null; // null: not made yet; undefined: no WebAssembly here
let runChars = 0;
/** forEachRun, in WebAssembly once a scan has read enough to gain from it (base64-runs.ts; issue 16). */
function runsOf(text: string, visit: typeof visitMayRun | typeof visitSegmentRun): void {
  if (wasmRuns === null && (runChars += text.length) > WASM_RUNS_AFTER) wasmRuns = createRunFinder(B64, MIN_BASE64, MAX_RUN);
  runVisitor = visit;
  (wasmRuns ?? forEachRun)(text, visitRun);
}

/** Which visitor visitRun hands runs to: the run finder itself always calls visitRun (see visitMayRun's note). */
let runVisitor: typeof visitMayRun | typeof visitSegmentRun = visitSegmentRun;
function visitRun(start: number, stop: number, classes: number): boolean {
  return runVisitor === visitSegmentRun ? visitSegmentRun(start, stop, classes) : visitMayRun(start, stop, classes);
}

/**
 * Whether the first bytes a base64 run decodes to are mostly ASCII (at most 30 % with the high bit set), read off the
 * characters without decoding: each byte's high bit is the top bit of one character's 6-bit value. Issue 16: of 79 MB
 * of npm code, 23,129 runs are mixed-case base64 with digits (12.8 MB, identifiers, hashes, binary), 1,785 pass this
 * and 1,715 then decode to printable text; skipping the others' decoding took encodedSegments from 162 to 131 ms
 * (CPU, min of 8 interleaved passes). The cost: a run whose text starts with more than 30 % non-ASCII bytes (a CJK
 * paragraph, then ASCII) is not looked into.
 */
function asciiLead(text: string, start: number, stop: number): boolean {
  const end = Math.min(stop, start + LEAD_CHARS) - 3;
  let high = 0;
  let bytes = 0;
  for (let i = start; i < end; i += 4) {
    high += (B64_VALUE[text.charCodeAt(i)]! >> 5) + ((B64_VALUE[text.charCodeAt(i + 1)]! >> 3) & 1) + ((B64_VALUE[text.charCodeAt(i + 2)]! >> 1) & 1);
    bytes += 3;
  }
  return high * 10 <= bytes * 3;
}

/** encodedSegments' text, skip, budget and segments while its runs are visited (see visitMayRun's note). */
let segText = "";
let segSkip: readonly [number, number] | undefined;
let segBudget = 0;
const NO_SEGMENTS: EncodedSegment[] = []; // between texts: takeSegment runs only while a text's runs are visited
let segOut = NO_SEGMENTS;

function takeSegment(start: number, end: number, encoding: Encoding, decoded: string | undefined): void {
  if (decoded !== undefined) segOut.push({ start, end, encoding, text: decoded });
}

/**
 * encodedSegments' visitor: passes the runs that look like hex or base64 of text on to be decoded. The decoding is in
 * functions of its own (most runs are turned down by the cheap tests here): a path first taken late in a scan
 * deoptimised this visitor, which the run finder calls for every run.
 */
function visitSegmentRun(start: number, stop: number, classes: number): boolean {
  if (segBudget <= 0) return false;
  if (segSkip && start >= segSkip[0] && start < segSkip[1]) return true;
  const len = stop - start;
  if (len > MAX_RUN) return true;
  // Only hex digits: decode as hex (if whole bytes and long enough), never as base64.
  if ((classes & NOT_HEX) === 0) {
    if (len >= MIN_HEX && len % 2 === 0) takeHexRun(start, stop);
    return true;
  }
  // Text encodes to mixed case with digits; identifiers and paths rarely look like this.
  if ((classes & (LOWER | UPPER | DIGIT)) !== (LOWER | UPPER | DIGIT) || len % 4 === 1) return true;
  if (asciiLead(segText, start, stop)) takeBase64Run(start, stop, classes);
  return true;
}

/** A hex run standing alone (no letter or digit on either side: not part of a longer word), decoded. */
function takeHexRun(start: number, stop: number): void {
  const text = segText;
  // Reads stay inside the text: one past either end deoptimised the visitor and isAlnum (NaN is no small integer).
  if (isAlnum(start > 0 ? text.charCodeAt(start - 1) : 0) || isAlnum(stop < text.length ? text.charCodeAt(stop) : 0)) return;
  segBudget -= stop - start;
  takeSegment(start, stop, "hex", printableText(Buffer.from(text.slice(start, stop), "hex")));
}

/** A base64 run, decoded; reported with its `=` padding. */
function takeBase64Run(start: number, stop: number, classes: number): void {
  const text = segText;
  let end = stop;
  while (end < text.length && end - stop < 2 && text.charCodeAt(end) === 61) end++; // '=' padding
  segBudget -= stop - start;
  const body = text.slice(start, stop);
  const bytes = Buffer.from(classes & URLSAFE ? body.replace(/-/g, "+").replace(/_/g, "/") : body, "base64");
  takeSegment(start, end, "base64", printableText(bytes));
}

/** `skip`: a stretch whose runs are not looked into (a source map's VLQ `mappings`, source-map.ts). */
export function encodedSegments(text: string, skip?: readonly [number, number]): EncodedSegment[] {
  const out: EncodedSegment[] = [];
  segText = text;
  segSkip = skip;
  segBudget = MAX_DECODED_BYTES;
  segOut = out;
  try {
    runsOf(text, visitSegmentRun);
  } finally {
    segText = ""; // the text is not kept past its scan (issue 21)
    segSkip = undefined;
    segOut = NO_SEGMENTS;
  }
  let budget = segBudget;
  const n = text.length;

  // Percent escapes: found with indexOf (native, fast) rather than a regex scan over every text that holds a `%`
  // (most code does: modulo, format strings), and each widened to its run of URL characters: linear, and only where
  // escapes are.
  for (let p = text.indexOf("%"); p !== -1 && budget > 0; p = text.indexOf("%", p + 1)) {
    if (!isHexCode(text.charCodeAt(p + 1)) || !isHexCode(text.charCodeAt(p + 2))) continue;
    let a = p;
    let b = p + 3;
    while (a > 0 && b - a < MAX_RUN && isUrlChar(text.charCodeAt(a - 1))) a--;
    while (b < n && b - a < MAX_RUN && isUrlChar(text.charCodeAt(b))) b++;
    p = b - 1;
    if (b - a < 12 || !hasTwoEscapes(text, a, b)) continue;
    const run = text.slice(a, b);
    budget -= run.length;
    let decoded: string;
    try {
      decoded = decodeURIComponent(run);
    } catch {
      continue;
    }
    if (decoded !== run) out.push({ start: a, end: b, encoding: "percent", text: decoded });
  }
  return out;
}
