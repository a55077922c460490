/**
 * A compiled rule set as one binary image (issue 21), the form the rule-set cache stores and worker threads share.
 * Issue 7 stored it as gzipped JSON of every spec and plan plus the automaton's trie: a warm pre-commit run still
 * spent ~200 of its ~300 ms unzipping 3.6 MB, parsing 2.5 MB of JSON, rebuilding the 46,000-state transition table
 * and making ~1,600 RegExps and 1,000 rules it mostly never used. The image is laid out so that a warm start reads
 * it once into a SharedArrayBuffer and uses it in place:
 *
 *   magic, format, CRC-32 of everything after the first 16 bytes, header length;
 *   the header (deflated JSON: key, rule-set version, warnings, per provider its id, file, rule ids and matcher
 *   count; the keywords; the lengths and offsets below);
 *   Int32 arrays, raw: the prefilter layout (which matchers each keyword selects, plans.ts PrefilterLayout) and the
 *   keyword automaton's trie (plans.ts AutomatonTables; the dense table is made from it only for large inputs);
 *   per provider, its spec and matcher plans as deflated JSON, inflated only when one of its keywords first occurs
 *   (lazy-rule-set.ts).
 *
 * Deflated, not plain, wherever the rules' examples are: a cache under a scanned folder (CI often sets HOME inside
 * the workspace) must read as binary to every scanner, keyscan included. A file that is short, damaged (checksum),
 * of another format or for another key reads as undefined: the caller compiles again and replaces it.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import type { AutomatonTables, MatcherPlan, PrefilterLayout } from "./plans.js";
import type { ProviderFile } from "./rule-schema.js";

const MAGIC = 0x5253534b; // "KSSR", little-endian
const FORMAT = 5; // 3: the near-word gates (gateStarts, gateItems); 4: exact keyword spellings; 5: word-only keywords
const HEAD = 16;
const PREFIX = "rule-set-";
const SUFFIX = ".bin";
/** Images kept (the newest); one per rule set and working directory in use. */
const MAX_IMAGES = 8;
const ARRAYS = ["starts", "items", "always", "pathGated", "gateStarts", "gateItems", "classes", "output", "dict", "fail", "edgeStart", "edgeClass", "edgeTarget", "order"] as const;

/** One loaded rule file in an image. */
export interface ImageProvider {
  id: string;
  /** The file as messages show it. */
  file: string;
  fromRepoConfig: boolean;
  /** Disabled as a whole (`--disable <provider>`): kept for `source.specs`, never compiled. */
  disabled: boolean;
  /** Every rule id in the file, in order (disabled rules included; lazy-rule-set.ts filters them). */
  ruleIds: string[];
  /** Matchers it contributes to the set (after disabled rules are left out). */
  matchers: number;
}

export interface ImageHeader {
  key: string;
  version: string;
  disable: string[];
  warnings: string[];
  providers: ImageProvider[];
  keywords: string[];
  /** Per keyword, its required spelling or "" (plans.ts PrefilterLayout.exact). */
  exact: string[];
  /** Keyword ids that count only as words (plans.ts PrefilterLayout.wordOnly). */
  wordOnly: number[];
  total: number;
  keywordCount: number;
  width: number;
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
  layout: PrefilterLayout;
  tables: AutomatonTables;
  /** Provider `p`'s spec and the plans of the matchers it contributes (null when disabled). */
  provider(p: number): { spec: ProviderFile; plans: MatcherPlan[] | null };
}

function deflateJson(value: unknown): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(value), "utf8"), { level: 1 });
}

function inflateJson(bytes: Uint8Array): unknown {
  return JSON.parse(inflateRawSync(bytes).toString("utf8"));
}

/** The image of a compiled rule set. Plans of disabled rules are left out, as compileRuleSet leaves their matchers out. */
export function encodeRuleSetImage(parts: RuleSetImageParts): Uint8Array {
  const disabled = new Set(parts.disable);
  const chunks: Buffer[] = [];
  const providers: ImageProvider[] = parts.providers.map((p) => {
    const plans = p.plans ? p.plans.filter((plan) => !disabled.has(p.spec.rules[plan.rule]?.id ?? "")) : null;
    chunks.push(deflateJson({ spec: p.spec, plans }));
    return { id: p.spec.provider, file: p.file, fromRepoConfig: p.fromRepoConfig, disabled: plans === null, ruleIds: p.spec.rules.map((r) => r.id), matchers: plans?.length ?? 0 };
  });
  const { layout, tables } = parts;
  const arrays: Int32Array[] = [layout.starts, layout.items, layout.always, layout.pathGated, layout.gateStarts, layout.gateItems, tables.classes, tables.output, tables.dict, tables.fail, tables.edgeStart, tables.edgeClass, tables.edgeTarget, tables.order];
  const arraysBytes = arrays.reduce((n, a) => n + a.byteLength, 0);
  // The header's size decides where the arrays start, and it holds their offsets: offsets are relative to the end
  // of the (padded) header, so it can be written once.
  const header: ImageHeader & { lengths: number[]; chunks: number[] } = {
    key: parts.key,
    version: parts.version,
    disable: [...parts.disable],
    warnings: [...parts.warnings],
    providers,
    keywords: [...layout.keywords],
    exact: [...layout.exact],
    wordOnly: [...layout.wordOnly],
    total: layout.total,
    keywordCount: tables.keywords,
    width: tables.width,
    lengths: arrays.map((a) => a.length),
    chunks: chunks.map((c) => c.length),
  };
  const head = deflateJson(header);
  const arraysAt = (HEAD + head.length + 3) & ~3;
  const size = arraysAt + arraysBytes + chunks.reduce((n, c) => n + c.length, 0);
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
  for (const c of chunks) {
    c.copy(out, at);
    at += c.length;
  }
  out.writeUInt32LE(crc32(out.subarray(HEAD)), 8);
  return out;
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
    const header = inflateJson(Buffer.from(bytes.buffer, bytes.byteOffset + HEAD, headLength)) as ImageHeader & { lengths: number[]; chunks: number[] };
    if (key !== undefined && header.key !== key) return undefined;
    if (!Array.isArray(header.lengths) || header.lengths.length !== ARRAYS.length || !Array.isArray(header.chunks) || !Array.isArray(header.providers)) return undefined;
    if (header.chunks.length !== header.providers.length || !Array.isArray(header.keywords)) return undefined;
    let at = (HEAD + headLength + 3) & ~3;
    const arrays: Int32Array[] = [];
    for (const length of header.lengths) {
      if (!Number.isInteger(length) || length < 0 || at + length * 4 > bytes.length) return undefined;
      arrays.push(new Int32Array(bytes.buffer, bytes.byteOffset + at, length));
      at += length * 4;
    }
    const chunkAt: number[] = [];
    for (const length of header.chunks) {
      if (!Number.isInteger(length) || length < 0 || at + length > bytes.length) return undefined;
      chunkAt.push(at);
      at += length;
    }
    const [starts, items, always, pathGated, gateStarts, gateItems, classes, output, dict, fail, edgeStart, edgeClass, edgeTarget, order] = arrays as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
    if (starts.length !== header.keywords.length + 1 || gateStarts.length !== header.total + 1) return undefined;
    if (!Array.isArray(header.exact) || header.exact.length !== header.keywords.length || !Array.isArray(header.wordOnly)) return undefined;
    return {
      bytes,
      header,
      layout: { keywords: header.keywords, starts, items, always, pathGated, gateStarts, gateItems, exact: header.exact, wordOnly: header.wordOnly, total: header.total },
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
