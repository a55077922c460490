/**
 * A compiled rule set as one binary image (issue 21), the form the rule-set cache stores and worker threads share.
 * Issue 7 stored it as gzipped JSON of every spec and plan plus the automaton's trie: a warm pre-commit run still
 * spent ~200 of its ~300 ms unzipping 3.6 MB, parsing 2.5 MB of JSON, rebuilding the 46,000-state transition table
 * and making ~1,600 RegExps and 1,000 rules it mostly never used. The image is laid out so that a warm start reads
 * it once into a SharedArrayBuffer and uses it in place:
 *
 *   magic, format, CRC-32 of everything after the first 16 bytes, header length;
 *   the header (deflated JSON, small: rule-set version, warnings, what is disabled, the keywords' required spellings,
 *   and the lengths below);
 *   Int32 arrays, raw: the prefilter layout (which matchers each keyword selects, plans.ts PrefilterLayout), the
 *   keyword automaton's trie (plans.ts AutomatonTables; the dense table is made from it only for large inputs), and
 *   the lengths that cut the text below: each keyword's, and per provider its matcher count, flags and names;
 *   the key's bytes (compared as they are);
 *   one text: the keywords, then per provider its id, file and rule ids, back to back (issue 21, format 6);
 *   per provider, its spec and matcher plans as deflated JSON, inflated only when one of its keywords first occurs
 *   (lazy-rule-set.ts).
 *
 * Deflated, not plain, wherever the rules' examples are: a cache under a scanned folder (CI often sets HOME inside
 * the workspace) must read as binary to every scanner, keyscan included. A file that is short, damaged (checksum),
 * of another format or for another key reads as undefined: the caller compiles again and replaces it.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { isAscii } from "node:buffer";
import { join } from "node:path";
import { crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import type { AutomatonTables, MatcherPlan, PrefilterLayout } from "./plans.js";
import type { ProviderFile } from "./rule-schema.js";

const MAGIC = 0x5253534b; // "KSSR", little-endian
// 3: the near-word gates (gateStarts, gateItems); 4: exact keyword spellings; 5: word-only keywords; 6: the header's
// lists as one text with lengths (see the header comment)
const FORMAT = 6;
const HEAD = 16;
const PREFIX = "rule-set-";
const SUFFIX = ".bin";
/** Images kept (the newest); one per rule set and working directory in use. */
const MAX_IMAGES = 8;
const ARRAYS = ["starts", "items", "always", "pathGated", "gateStarts", "gateItems", "classes", "output", "dict", "fail", "edgeStart", "edgeClass", "edgeTarget", "order", "keywordLengths", "providerMatchers", "providerFlags", "providerFirst", "stringLengths"] as const;
const DISABLED = 1;
const FROM_REPO_CONFIG = 2;

/** The small part of an image's header: what the rule set carries as it is. */
export interface ImageHeader {
  /** The key the image was made for (decoded from its bytes on first read). */
  readonly key: string;
  version: string;
  disable: string[];
  warnings: string[];
}

/** The loaded rule files of an image, by position, read from its text and arrays on demand. */
export interface ImageProviders {
  readonly count: number;
  id(p: number): string;
  /** The file as messages show it. */
  file(p: number): string;
  fromRepoConfig(p: number): boolean;
  /** Disabled as a whole (`--disable <provider>`): kept for `source.specs`, never compiled. */
  disabled(p: number): boolean;
  /** Matchers it contributes to the set (after disabled rules are left out). */
  matchers(p: number): number;
  /** How many rule ids the file has (disabled ones included). */
  ruleCount(p: number): number;
  /** Every rule id in the file, in order (disabled rules included; lazy-rule-set.ts filters them). */
  ruleIds(p: number): string[];
}

/** What an image is made from: the parts of a compiled rule set. */
export interface RuleSetImageParts {
  key: string;
  version: string;
  disable: readonly string[];
  warnings: readonly string[];
  /** Per loaded file: its spec, and the plans compileProvider made for it (null for a disabled provider). */
  providers: readonly { spec: ProviderFile; file: string; fromRepoConfig: boolean; plans: readonly MatcherPlan[] | null }[];
  layout: PrefilterLayout;
  tables: AutomatonTables;
}

/** A decoded image: views on its bytes, and each provider's data on demand. */
export interface RuleSetImage {
  /** The whole image, on a SharedArrayBuffer (what worker threads are given). */
  bytes: Uint8Array;
  header: ImageHeader;
  providers: ImageProviders;
  layout: PrefilterLayout;
  tables: AutomatonTables;
  /** Provider `p`'s spec and the plans of the matchers it contributes (null when disabled). */
  provider(p: number): { spec: ProviderFile; plans: MatcherPlan[] | null };
}

/** The header's JSON (deflated): small, whatever the catalogue's size. */
interface StoredHeader {
  version: string;
  disable: string[];
  warnings: string[];
  total: number;
  keywordCount: number;
  width: number;
  /** Lengths of the ARRAYS, in order. */
  lengths: number[];
  /** Deflated bytes of each provider's spec and plans. */
  chunks: number[];
  keyBytes: number;
  textBytes: number;
  /** The text is ASCII (read as Latin-1), else UTF-8. */
  textAscii: boolean;
  keywordsAscii: boolean;
  /** Keywords with a required spelling, as [id, spelling] (plans.ts PrefilterLayout.exact; most have none). */
  exact: [number, string][];
  wordOnly: number[];
}

function deflateJson(value: unknown): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(value), "utf8"), { level: 1 });
}

function inflateJson(bytes: Uint8Array): unknown {
  return JSON.parse(inflateRawSync(bytes).toString("utf8"));
}

/**
 * The image of a compiled rule set. Plans of disabled rules are left out, as compileRuleSet leaves their matchers out.
 *
 * Issue 21 (format 6): the header held the keywords, their spellings and every provider's id, file and rule ids as
 * JSON lists; with a catalogue of 2,000 more rules that was 1 MB to inflate and 30,000 strings to parse on every
 * start (~9 ms, and as much again in collections). Now the keywords and those names are one text, cut by the lengths
 * in the arrays only when asked for (the prefilter needs the keywords' lengths, not the keywords), and the key is
 * stored as its bytes, compared as bytes.
 */
export function encodeRuleSetImage(parts: RuleSetImageParts): Uint8Array {
  const disabled = new Set(parts.disable);
  const chunks: Buffer[] = [];
  const { layout, tables } = parts;
  const strings: string[] = [];
  const providerMatchers = new Int32Array(parts.providers.length);
  const providerFlags = new Int32Array(parts.providers.length);
  const providerFirst = new Int32Array(parts.providers.length + 1);
  parts.providers.forEach((p, i) => {
    const plans = p.plans ? p.plans.filter((plan) => !disabled.has(p.spec.rules[plan.rule]?.id ?? "")) : null;
    chunks.push(deflateJson({ spec: p.spec, plans }));
    providerMatchers[i] = plans?.length ?? 0;
    providerFlags[i] = (plans === null ? DISABLED : 0) | (p.fromRepoConfig ? FROM_REPO_CONFIG : 0);
    strings.push(p.spec.provider, p.file, ...p.spec.rules.map((r) => r.id));
    providerFirst[i + 1] = strings.length;
  });
  const stringLengths = Int32Array.from(strings, (k) => k.length);
  const text = Buffer.from(layout.keywords.join("") + strings.join(""), "utf8");
  const key = Buffer.from(parts.key, "utf8");
  const arrays: Int32Array[] = [layout.starts, layout.items, layout.always, layout.pathGated, layout.gateStarts, layout.gateItems, tables.classes, tables.output, tables.dict, tables.fail, tables.edgeStart, tables.edgeClass, tables.edgeTarget, tables.order, layout.keywordLengths, providerMatchers, providerFlags, providerFirst, stringLengths];
  const arraysBytes = arrays.reduce((n, a) => n + a.byteLength, 0);
  const exact: [number, string][] = [];
  layout.exact.forEach((spelling, id) => {
    if (spelling !== "") exact.push([id, spelling]);
  });
  const header: StoredHeader = {
    version: parts.version,
    disable: [...parts.disable],
    warnings: [...parts.warnings],
    total: layout.total,
    keywordCount: tables.keywords,
    width: tables.width,
    lengths: arrays.map((a) => a.length),
    chunks: chunks.map((c) => c.length),
    keyBytes: key.length,
    textBytes: text.length,
    textAscii: isAscii(text),
    keywordsAscii: layout.keywordsAscii,
    exact,
    wordOnly: [...layout.wordOnly],
  };
  const head = deflateJson(header);
  // Offsets follow from the header's lengths: the arrays (4-aligned) after the header, then the key, the text and the
  // chunks.
  const arraysAt = (HEAD + head.length + 3) & ~3;
  const size = arraysAt + arraysBytes + key.length + text.length + chunks.reduce((n, c) => n + c.length, 0);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(FORMAT, 4);
  out.writeUInt32LE(head.length, 12);
  head.copy(out, HEAD);
  let at = arraysAt;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  for (const c of [key, text, ...chunks]) {
    c.copy(out, at);
    at += c.length;
  }
  out.writeUInt32LE(crc32(out.subarray(HEAD)), 8);
  return out;
}

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/** Where each of `lengths` starts when laid end to end from `from` (one more entry: the end), or undefined if one is negative or they pass `limit`. */
function startsOf(lengths: Int32Array, from: number, limit: number): Int32Array | undefined {
  const at = new Int32Array(lengths.length + 1);
  at[0] = from;
  for (let i = 0; i < lengths.length; i++) {
    const next = at[i]! + lengths[i]!;
    if (lengths[i]! < 0 || next > limit) return undefined;
    at[i + 1] = next;
  }
  return at;
}

/** The image in these bytes (best on a SharedArrayBuffer, 4-aligned), or undefined if it is not a sound one for `key`. */
export function decodeRuleSetImage(bytes: Uint8Array, key?: string): RuleSetImage | undefined {
  try {
    if (bytes.length < HEAD || bytes.byteOffset % 4 !== 0) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== FORMAT) return undefined;
    if (crc32(bytes.subarray(HEAD)) !== view.getUint32(8, true)) return undefined;
    const headLength = view.getUint32(12, true);
    if (HEAD + headLength > bytes.length) return undefined;
    const header = inflateJson(Buffer.from(bytes.buffer, bytes.byteOffset + HEAD, headLength)) as StoredHeader;
    if (!Array.isArray(header.lengths) || header.lengths.length !== ARRAYS.length || !Array.isArray(header.chunks)) return undefined;
    if (!isCount(header.keyBytes) || !isCount(header.textBytes) || !Array.isArray(header.exact) || !Array.isArray(header.wordOnly)) return undefined;
    let at = (HEAD + headLength + 3) & ~3;
    const arrays: Int32Array[] = [];
    for (const length of header.lengths) {
      if (!isCount(length) || at + length * 4 > bytes.length) return undefined;
      arrays.push(new Int32Array(bytes.buffer, bytes.byteOffset + at, length));
      at += length * 4;
    }
    const [starts, items, always, pathGated, gateStarts, gateItems, classes, output, dict, fail, edgeStart, edgeClass, edgeTarget, order, keywordLengths, providerMatchers, providerFlags, providerFirst, stringLengths] = arrays as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
    const keyAt = at;
    const textAt = keyAt + header.keyBytes;
    at = textAt + header.textBytes;
    if (at > bytes.length) return undefined;
    const keyBytes = Buffer.from(bytes.buffer, bytes.byteOffset + keyAt, header.keyBytes);
    if (key !== undefined && !keyBytes.equals(Buffer.from(key, "utf8"))) return undefined;
    const chunkAt: number[] = [];
    for (const length of header.chunks) {
      if (!isCount(length) || at + length > bytes.length) return undefined;
      chunkAt.push(at);
      at += length;
    }
    const providerCount = header.chunks.length;
    const keywordCount = keywordLengths.length;
    if (starts.length !== keywordCount + 1 || gateStarts.length !== header.total + 1) return undefined;
    if (providerMatchers.length !== providerCount || providerFlags.length !== providerCount || providerFirst.length !== providerCount + 1) return undefined;
    // Each provider's names: its id, its file and its rule ids, in order.
    if (providerFirst[0] !== 0 || providerFirst[providerCount] !== stringLengths.length) return undefined;
    for (let p = 0; p < providerCount; p++) if (providerFirst[p + 1]! < providerFirst[p]! + 2) return undefined;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + textAt, header.textBytes).toString(header.textAscii ? "latin1" : "utf8");
    // Where each keyword, then each name, starts in the text: the lengths must add up to it exactly.
    const keywordStart = startsOf(keywordLengths, 0, text.length);
    const stringStart = keywordStart && startsOf(stringLengths, keywordStart[keywordCount]!, text.length);
    if (!keywordStart || !stringStart || stringStart[stringLengths.length] !== text.length) return undefined;
    const exact = new Array<string>(keywordCount).fill("");
    for (const [id, spelling] of header.exact) {
      if (!isCount(id) || id >= keywordCount || typeof spelling !== "string") return undefined;
      exact[id] = spelling;
    }
    const stringAt = (i: number): string => text.slice(stringStart[i], stringStart[i + 1]);
    const keywordAt = (id: number): string => text.slice(keywordStart[id], keywordStart[id + 1]);
    let keywords: string[] | undefined;
    const layout: PrefilterLayout = {
      get keywords(): string[] {
        return (keywords ??= Array.from({ length: keywordCount }, (_, id) => keywordAt(id)));
      },
      keywordLengths,
      keywordsAscii: header.keywordsAscii === true,
      keywordAt,
      starts,
      items,
      always,
      pathGated,
      gateStarts,
      gateItems,
      exact,
      wordOnly: header.wordOnly,
      total: header.total,
    };
    let keyText: string | undefined;
    return {
      bytes,
      header: {
        get key(): string {
          return (keyText ??= keyBytes.toString("utf8"));
        },
        version: header.version,
        disable: header.disable,
        warnings: header.warnings,
      },
      providers: {
        count: providerCount,
        id: (p) => stringAt(providerFirst[p]!),
        file: (p) => stringAt(providerFirst[p]! + 1),
        fromRepoConfig: (p) => (providerFlags[p]! & FROM_REPO_CONFIG) !== 0,
        disabled: (p) => (providerFlags[p]! & DISABLED) !== 0,
        matchers: (p) => providerMatchers[p]!,
        ruleCount: (p) => providerFirst[p + 1]! - providerFirst[p]! - 2,
        ruleIds(p) {
          const ids: string[] = [];
          for (let s = providerFirst[p]! + 2; s < providerFirst[p + 1]!; s++) ids.push(stringAt(s));
          return ids;
        },
      },
      layout,
      tables: { keywords: header.keywordCount, width: header.width, classes, output, dict, fail, edgeStart, edgeClass, edgeTarget, order },
      provider(p: number) {
        const from = chunkAt[p];
        if (from === undefined) throw new RangeError(`rule-set image: no provider ${p}`);
        // Copied out of shared memory first: zlib reads ordinary buffers.
        return inflateJson(Buffer.from(bytes.subarray(from, from + header.chunks[p]!))) as { spec: ProviderFile; plans: MatcherPlan[] | null };
      },
    };
  } catch {
    return undefined;
  }
}

function imageFile(dir: string, name: string): string {
  return join(dir, `${PREFIX}${name}${SUFFIX}`);
}

/**
 * The image stored under `name`, read into shared memory, or undefined (none, unreadable, damaged, another format, or
 * made for another `key` than the one given).
 */
export function readRuleSetImage(dir: string | undefined, name: string, key?: string): RuleSetImage | undefined {
  if (dir === undefined) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(imageFile(dir, name), "r");
    const size = fstatSync(fd).size;
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    for (let at = 0; at < size; ) {
      const n = readSync(fd, bytes, at, size - at, at);
      if (n === 0) return undefined;
      at += n;
    }
    return decodeRuleSetImage(bytes, key);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What names the stored image's file as it is now (size, times, inode), or undefined when there is none. */
export function ruleSetImageStamp(dir: string, name: string): string | undefined {
  try {
    const st = statSync(imageFile(dir, name));
    return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}`;
  } catch {
    return undefined;
  }
}

/** Store an image under `name`, and drop all but the newest few others. Best effort: never throws. */
export function writeRuleSetImage(dir: string | undefined, name: string, bytes: Uint8Array): void {
  if (dir === undefined) return;
  try {
    mkdirSync(dir, { recursive: true });
    const file = imageFile(dir, name);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
    const others = readdirSync(dir)
      // `.bin.gz`: issue 7's format, replaced by this one.
      .filter((f) => f.startsWith(PREFIX) && (f.endsWith(SUFFIX) || f.endsWith(".bin.gz")))
      .map((f) => {
        try {
          return { f, t: f.endsWith(SUFFIX) ? statSync(join(dir, f)).mtimeMs : 0 };
        } catch {
          return { f, t: 0 };
        }
      })
      .sort((a, b) => b.t - a.t);
    for (const { f } of others.slice(0, MAX_IMAGES).filter((o) => o.t === 0).concat(others.slice(MAX_IMAGES))) {
      try {
        unlinkSync(join(dir, f));
      } catch {
        // another process removed it
      }
    }
  } catch {
    // Read-only home, full disk…: run without it.
  }
}
