/**
 * Progress on a terminal (issue 20): nothing was shown until a scan ended, even a history scan of minutes. While a
 * scan runs longer than about a second, one stderr line says what is done — files (or blobs) scanned, MB, rate and
 * findings so far — redrawn at most four times a second and cleared at the end, so the report is left as it was.
 * Only when stderr is a terminal, not under CI (`CI` set) and not with `--quiet`: a pipe or a log file never sees it.
 */
import type { Io } from "./io.js";

/** What a scan reports as it goes (ScanOptions.onProgress). */
export interface ProgressCounts {
  scanned: number;
  bytes: number;
  findings: number;
}

const REDRAW_MS = 250;
/** Shown only for scans over about a second (tests set KEYSCAN_PROGRESS_AFTER_MS=0 to see it on a small repo). */
const DEFAULT_AFTER_MS = 1000;

export class Progress {
  private counts: ProgressCounts = { scanned: 0, bytes: 0, findings: 0 };
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private drawn = false;
  noun = "file";

  constructor(
    private readonly write: (s: string) => void,
    private readonly afterMs: number,
    private readonly columns: number,
  ) {
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  /** The scan's latest counts (cheap: drawn by the timer, not here). */
  update = (counts: ProgressCounts): void => {
    this.counts = counts;
  };

  private draw(): void {
    const elapsed = Date.now() - this.started;
    if (elapsed < this.afterMs) return;
    const { scanned, bytes, findings } = this.counts;
    const mb = bytes / 1e6;
    const rate = elapsed > 0 ? mb / (elapsed / 1000) : 0;
    const line = `keyscan: ${scanned.toLocaleString("en-US")} ${this.noun}${scanned === 1 ? "" : "s"} scanned, ${mb.toFixed(1)} MB (${rate.toFixed(1)} MB/s), ${findings} finding${findings === 1 ? "" : "s"} so far`;
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
  }

  /** Stop, and clear the line if one was drawn. */
  stop(): void {
    clearInterval(this.timer);
    if (this.drawn) this.write("\r\x1b[K");
    this.drawn = false;
  }
}

let active: Progress | undefined;

/** A progress line for this run, or undefined where none belongs (not a terminal, CI, --quiet). */
export function startProgress(io: Io, quiet: boolean | undefined): Progress | undefined {
  if (quiet || !io.stderrIsTTY || !io.liveStderr || (io.env.CI !== undefined && io.env.CI !== "" && io.env.CI !== "false")) return undefined;
  const after = Number(io.env.KEYSCAN_PROGRESS_AFTER_MS);
  active?.stop();
  active = new Progress(io.liveStderr, Number.isFinite(after) && after >= 0 ? after : DEFAULT_AFTER_MS, io.stderrColumns || 80);
  return active;
}

/** Clear any progress line (the run is over, or failed). */
export function stopProgress(): void {
  active?.stop();
  active = undefined;
}
