/**
 * Progress on a terminal (issue 20): nothing was shown until a scan ended, even a history scan of minutes. While a
 * scan runs longer than about a second, one stderr line says what is done — files (or blobs) scanned, MB, rate and
 * findings so far — redrawn at most four times a second and cleared at the end, so the report is left as it was.
 * Only when stderr is a terminal, not under CI (`CI` set) and not with `--quiet`: a pipe or a log file never sees it.
 * Where the source can count its inputs ahead (a tree scan: Source.estimate, a walk that reads no file), the count
 * starts with the first drawing, and once known the line says "N of M files" and about how long is left: the time so
 * far times the share of inputs not done over the share done. Inputs, not bytes: a skipped binary file's bytes are
 * never read, so a total in bytes would never be met, while every input is done once, scanned or passed over.
 */
import type { Io } from "./io.js";

/** What a scan reports as it goes (ScanOptions.onProgress). */
export interface ProgressCounts {
  scanned: number;
  bytes: number;
  findings: number;
  /** Inputs passed over (binary, too large, unreadable, a link): done, though not scanned. */
  problems?: number;
}

/** "about 12 s left", "about 3 min left" (rounded; estimates are rough). */
export function timeLeft(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 90) return `about ${s} s left`;
  const min = Math.round(s / 60);
  return min < 90 ? `about ${min} min left` : `about ${Math.round(min / 60)} h left`;
}

/**
 * Redrawn by a timer, at most this often. Tests set KEYSCAN_PROGRESS_REDRAW_MS=0: the line is then drawn on every
 * change (each update, and again after a note), so what a terminal shows no longer depends on how a small scan's
 * timing falls against the timer (a 30-commit history is scanned well inside one 250 ms tick).
 */
const REDRAW_MS = 250;
/** Shown only for scans over about a second (tests set KEYSCAN_PROGRESS_AFTER_MS=0 to see it on a small repo). */
const DEFAULT_AFTER_MS = 1000;

export class Progress {
  private counts: ProgressCounts = { scanned: 0, bytes: 0, findings: 0 };
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout | undefined;
  private drawn = false;
  private total: number | undefined;
  private estimator: ((signal: AbortSignal) => Promise<number | undefined>) | undefined;
  private readonly estimating = new AbortController();
  noun = "file";

  constructor(
    private readonly write: (s: string) => void,
    private readonly afterMs: number,
    private readonly columns: number,
    /** 0: drawn on every change, no timer (tests only: KEYSCAN_PROGRESS_REDRAW_MS=0). */
    private readonly redrawMs = REDRAW_MS,
  ) {
    if (redrawMs > 0) {
      this.timer = setInterval(() => this.draw(), redrawMs);
      this.timer.unref();
    }
  }

  /** The scan's latest counts (cheap: drawn by the timer, not here, unless drawn on every change). */
  update = (counts: ProgressCounts): void => {
    this.counts = counts;
    this.drawOnChange();
  };

  /**
   * How to count the inputs ahead (Source.estimate): asked once the line is due (after the delay), so quick scans
   * never ask; the line is drawn again as soon as the count is in.
   */
  estimateWith(count: (signal: AbortSignal) => Promise<number | undefined>): void {
    this.estimator = count;
    if (Date.now() - this.started >= this.afterMs) this.startEstimate();
  }

  private startEstimate(): void {
    const count = this.estimator;
    if (!count) return;
    this.estimator = undefined;
    count(this.estimating.signal).then(
      (n) => {
        this.total = n;
        if (n !== undefined && !this.estimating.signal.aborted) this.draw();
      },
      () => undefined, // no estimate, no ETA: the scan reports its own errors
    );
  }

  private draw(): void {
    const elapsed = Date.now() - this.started;
    if (elapsed < this.afterMs) return;
    this.startEstimate();
    const { scanned, bytes, findings, problems = 0 } = this.counts;
    const mb = bytes / 1e6;
    const rate = elapsed > 0 ? mb / (elapsed / 1000) : 0;
    const done = scanned + problems;
    const of = this.total !== undefined ? ` of ${this.total.toLocaleString("en-US")}` : "";
    const left = this.total !== undefined && done > 0 && done < this.total ? `, ${timeLeft((elapsed * (this.total - done)) / done)}` : "";
    // What is left comes first after the counts: a narrow terminal cuts the line's end.
    const line = `keyscan: ${scanned.toLocaleString("en-US")}${of} ${this.noun}${scanned === 1 && !of ? "" : "s"} scanned${left}, ${mb.toFixed(1)} MB (${rate.toFixed(1)} MB/s), ${findings} finding${findings === 1 ? "" : "s"} so far`;
    this.write(`\r\x1b[K${line.slice(0, Math.max(20, this.columns - 1))}`);
    this.drawn = true;
  }

  /** Clear the line (before something else is printed to the terminal); the next tick draws it again. */
  clear(): void {
    if (this.drawn) this.write("\r\x1b[K");
    this.drawn = false;
  }

  /** A line of its own above the progress line (history's findings as they are found). */
  note(text: string): void {
    this.clear();
    this.write(text);
    this.drawOnChange();
  }

  /** Without a timer (redrawMs 0), each change draws the line, until the line is stopped. */
  private drawOnChange(): void {
    if (this.redrawMs === 0 && !this.estimating.signal.aborted) this.draw();
  }

  /** Stop, and clear the line if one was drawn. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.estimating.abort();
    if (this.drawn) this.write("\r\x1b[K");
    this.drawn = false;
  }
}

let active: Progress | undefined;

/** A progress line for this run, or undefined where none belongs (not a terminal, CI, --quiet). */
export function startProgress(io: Io, quiet: boolean | undefined): Progress | undefined {
  if (quiet || !io.stderrIsTTY || !io.liveStderr || (io.env.CI !== undefined && io.env.CI !== "" && io.env.CI !== "false")) return undefined;
  const after = Number(io.env.KEYSCAN_PROGRESS_AFTER_MS);
  const redraw = Number(io.env.KEYSCAN_PROGRESS_REDRAW_MS);
  active?.stop();
  active = new Progress(
    io.liveStderr,
    Number.isFinite(after) && after >= 0 ? after : DEFAULT_AFTER_MS,
    io.stderrColumns || 80,
    Number.isFinite(redraw) && redraw >= 0 ? redraw : REDRAW_MS,
  );
  return active;
}

/** Clear any progress line (the run is over, or failed). */
export function stopProgress(): void {
  active?.stop();
  active = undefined;
}
