/**
 * Matching one item on this thread: a text is matched as is, a file reference is read first (src/sources/read-file.ts)
 * and raw bytes are decoded only when a keyword occurs (src/engine/scan-bytes.ts). A large file's chunk keeps only
 * the findings that start in its own region, numbered as lines and columns of the whole file. The pooled path
 * (pool.ts) does the same in a worker; both hand their outcome to the executor's sink (index.ts).
 */
import { companionsFor } from "../engine/companions.js";
import type { RuleSet } from "../engine/rule.js";
import { scanBytes } from "../engine/scan-bytes.js";
import { scanText, type TextFinding } from "../engine/scan-text.js";
import { readFileBounded } from "../sources/read-file.js";
import type { BytesItem, FileRefItem, TextItem } from "../sources/types.js";
import type { ProblemCode } from "../errors.js";
import { afterText } from "../util/heap-slack.js";

/** An item with something to match (a source's problems never reach the executor). */
export type ContentItem = TextItem | BytesItem | FileRefItem;

export type LocalOutcome =
  | { ok: true; findings: TextFinding[]; companions: Array<Record<string, string> | undefined>; bytes: number }
  | { ok: false; code: ProblemCode; message: string; skipped: boolean };

/** Match an item on this thread: read (file refs) and decode (bytes, only when a keyword occurs) here. */
export function matchHere(item: ContentItem, ruleset: RuleSet, inlineAllow: boolean): LocalOutcome {
  const path = item.provenance.path; // path-scoped rules (credential files, issue 17) run only on their files
  if (item.type === "text") {
    const found = scanText(item.text, ruleset, { inlineAllow, keepAllowed: true, path });
    const companions = companionsFor(found, item.text);
    if (!item.chunk) return { ok: true, findings: found, companions, bytes: item.bytes };
    const kept = inChunk(found, item.chunk);
    return { ok: true, findings: kept.map(([t]) => t), companions: kept.map(([, i]) => companions[i]), bytes: item.bytes };
  }
  const [outcome, decoded] = matchBytes(item, ruleset, inlineAllow, path);
  afterText(decoded); // the text is out of reach now (src/util/heap-slack.ts)
  return outcome;
}

/** Read and match raw bytes; the outcome and the length of the text decoded from them (0 when none was). */
function matchBytes(item: BytesItem | FileRefItem, ruleset: RuleSet, inlineAllow: boolean, path: string): [LocalOutcome, number] {
  let data: Uint8Array;
  if (item.type === "file") {
    const read = readFileBounded(item.path, item.maxFileSize, { reuseBuffer: true }); // matched before the next read
    if (!read.ok) return [read, 0];
    data = read.data;
  } else data = item.data;
  const outcome = scanBytes(data, ruleset, { inlineAllow, keepAllowed: true, path });
  if (!outcome.ok) return [outcome, 0];
  return [{ ok: true, findings: outcome.findings, companions: companionsFor(outcome.findings, outcome.text ?? ""), bytes: data.length }, outcome.text?.length ?? 0];
}

/** Whether the item starts a file (every item but a large file's later chunks): a file counts as scanned once. */
export function firstPartOf(item: ContentItem): boolean {
  return item.type !== "text" || !item.chunk || item.chunk.index === 0;
}

/** One chunk of a large file: what starts in its own region, numbered as lines and columns of the whole file. */
export function inChunk<T extends Pick<TextFinding, "start" | "line" | "endLine" | "column" | "endColumn">>(found: readonly T[], chunk: NonNullable<TextItem["chunk"]>): Array<readonly [T, number]> {
  const column = (line: number, c: number) => (line === 1 ? c + chunk.columnOffset : c);
  return found
    .map((t, i) => [t, i] as const)
    .filter(([t]) => t.start >= chunk.keepFrom && t.start < chunk.keepTo)
    .map(([t, i]) => [{ ...t, line: t.line + chunk.lineOffset, endLine: t.endLine + chunk.lineOffset, column: column(t.line, t.column), endColumn: column(t.endLine, t.endColumn) }, i] as const);
}
