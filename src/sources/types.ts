/**
 * What every source yields: texts to scan, each with its provenance (where it came from, in words a report can
 * show), or a per-input problem (unreadable, binary, too large) that the scan records and moves past. The engine
 * consumes these and never imports file-system or git code, so a new source (an archive, an S3 bucket) is one
 * async iterable away.
 */
import type { Provenance, ScanResult } from "../report/types.js";
import type { ProblemCode } from "../errors.js";
export interface TextItem {
  type: "text";
  provenance: Provenance;
  text: string;
  bytes: number;
  /** Only findings on these 1-based lines are kept (diff-based sources report added lines only). */
  lines?: ReadonlySet<number>;
  /**
   * Set when the text is one chunk of a file too large for one string (src/sources/read-chunks.ts): only findings
   * that start at UTF-16 offsets in [keepFrom, keepTo) are kept, `lineOffset` is added to their line numbers and
   * `columnOffset` to columns on the text's first line.
   * The file counts as scanned once (chunk 0).
   */
  chunk?: { index: number; lineOffset: number; /** Added to columns on the text's first line. */ columnOffset: number; keepFrom: number; keepTo: number };
}

/**
 * Raw bytes not yet decoded, from a source asked to defer decoding (issue 7: the scanner decodes them where it
 * matches, in a worker thread for large scans). Decoding may still turn it into a binary-file skip.
 */
export interface BytesItem {
  type: "bytes";
  provenance: Provenance;
  data: Uint8Array;
  bytes: number;
  lines?: ReadonlySet<number>;
  /**
   * `data` is a page buffer (src/util/page-buffer.ts, issue 21): whoever matches it releases its memory right after,
   * so nothing may read `data` once it has been handed to the executor.
   */
  release?: true;
}

/**
 * A file not read yet, from a source asked to defer reading (issue 7): the scanner reads it where it matches — in a
 * worker thread for large scans — with src/sources/read-file.ts, which may still turn it into a problem.
 */
export interface FileRefItem {
  type: "file";
  provenance: Provenance;
  /** Absolute path (bytes when the name is not valid UTF-8). */
  path: string | Uint8Array;
  maxFileSize: number;
  lines?: ReadonlySet<number>;
}

export interface ProblemItem {
  type: "problem";
  path: string;
  /** E_READ, E_BINARY, E_TOO_LARGE, … */
  code: ProblemCode;
  message: string;
  /** Skips (binary, too large) are expected and counted; errors are reported as such. */
  skipped: boolean;
}

export type SourceItem = TextItem | ProblemItem | BytesItem | FileRefItem;

export interface Source {
  /** Short description for reports, e.g. `files: .` or `history: 3 refs`. */
  readonly description: string;
  items(): AsyncIterable<SourceItem>;
  /**
   * How many inputs `items` will yield (files scanned or passed over, problems included), counted without reading
   * them, for a progress line's ETA (issue 20). Optional, and asked only of scans long enough to show progress;
   * undefined when `signal` stopped it first (the scan ended).
   */
  estimate?(signal: AbortSignal): Promise<number | undefined>;
  /**
   * A cheap count of what is known to lie ahead and is not yet yielded (the tree walk: folders still to list), read
   * at each item by the executor to start its worker pool early on a large scan (src/executor/policy.ts). Optional.
   */
  backlog?(): number;
  /**
   * What this source adds once every item is matched and filtered (its finalizer): history attributes each secret
   * to the commit that introduced it and adds exposure, a commit range names its commit count. Data in, data out;
   * src/scan.ts runs it, so every caller of the library gets it.
   */
  finalize?(result: ScanResult): Promise<ScanResult>;
}
