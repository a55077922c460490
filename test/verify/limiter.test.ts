// The limiter on its own clock: request starts are spaced at least 1/rate apart (never a burst), no more than
// `concurrency` run at once, a pause (Retry-After) holds every later start, and Retry-After values parse.
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { Limiter, retryAfterMs, sleep } from "../../src/verify/limiter.js";

describe("Limiter", () => {
  it("spaces starts by at least 1/rate and caps concurrency", async () => {
    const limiter = new Limiter({ rate: 250, concurrency: 3 });
    const starts: number[] = [];
    let active = 0;
    let maxActive = 0;
    await Promise.all(
      Array.from({ length: 120 }, () =>
        limiter.run(async () => {
          starts.push(performance.now());
          active++;
          maxActive = Math.max(maxActive, active);
          await sleep(Math.random() * 15);
          active--;
        }),
      ),
    );
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(4); // 1000 / 250
    expect(maxActive).toBeLessThanOrEqual(3);
    expect(maxActive).toBeGreaterThan(1);
  });

  it("a pause holds every later start", async () => {
    const limiter = new Limiter({ rate: 1000, concurrency: 4 });
    const t0 = performance.now();
    limiter.pauseFor(120);
    const starts = await Promise.all([1, 2, 3].map(() => limiter.run(async () => performance.now() - t0)));
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(119);
  });
});

describe("retryAfterMs", () => {
  it("reads seconds and HTTP dates, and ignores junk", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(" 0 ")).toBe(0);
    const now = Date.parse("Mon, 23 Nov 2026 08:00:00 GMT");
    expect(retryAfterMs("Mon, 23 Nov 2026 08:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs("Mon, 23 Nov 2026 07:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
