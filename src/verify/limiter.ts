/**
 * Per-provider pacing of verify requests: at most `concurrency` in flight and request starts spaced at least
 * 1/`rate` seconds apart (no bursts, so the provider never sees more than `rate` requests in any second), plus a
 * pause the whole provider honours when one answer says `429 Retry-After`. One limiter per provider, so a slow or
 * throttled provider never holds up another. Timing uses the monotonic clock.
 */
import { performance } from "node:perf_hooks";

export interface LimiterSettings {
  /** Requests per second (> 0). */
  rate: number;
  /** Requests in flight (>= 1). */
  concurrency: number;
}

export class Limiter {
  private readonly interval: number;
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private nextStart = 0;
  /** The pending wake-up (a timer, or an immediate for the last millisecond), if any. */
  private timer: { cancel: () => void } | undefined;

  constructor(readonly settings: LimiterSettings) {
    this.interval = 1000 / settings.rate;
  }

  /**
   * Run `fn` when a slot is free and the rate allows; the slot is held until `fn` settles. `fn` is called in the
   * same tick as its slot is granted, so the spacing the limiter keeps is the spacing the network sees.
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        let p: Promise<T>;
        try {
          p = fn();
        } catch (err) {
          p = Promise.reject(err);
        }
        p.then(resolve, reject).finally(() => {
          this.active--;
          this.pump();
        });
      });
      this.pump();
    });
  }

  /** Start nothing before `ms` from now (a `Retry-After` from the provider). */
  pauseFor(ms: number): void {
    const until = performance.now() + ms;
    if (until > this.nextStart) this.nextStart = until;
    this.timer?.cancel();
    this.timer = undefined;
    this.pump();
  }

  private pump(): void {
    if (this.timer) return;
    while (this.waiting.length > 0 && this.active < this.settings.concurrency) {
      const now = performance.now();
      if (now < this.nextStart) {
        // Timers fire a millisecond or more late; sleep until just before the slot, then poll for the last bit, so
        // the achieved rate stays close to the configured one without ever starting early.
        const wait = this.nextStart - now;
        const wake = () => {
          this.timer = undefined;
          this.pump();
        };
        if (wait > 2) {
          const t = setTimeout(wake, Math.floor(wait) - 1);
          this.timer = { cancel: () => clearTimeout(t) };
        } else {
          const i = setImmediate(wake);
          this.timer = { cancel: () => clearImmediate(i) };
        }
        return;
      }
      this.active++;
      this.waiting.shift()!();
      // Measured after the start, so consecutive starts are at least `interval` apart however long starting took.
      this.nextStart = performance.now() + this.interval;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Parse `Retry-After` (seconds or an HTTP date) into milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
