// 1,000 findings (distinct generated secrets) of one provider verified against a loopback server that answers 429
// to every 10th request: every finding must end classified as the server meant it (live or dead), and the server,
// timing arrivals on its own clock, must never see more requests in any second than the configured rate. The
// server runs in a worker thread so its timestamps are not delayed by the verifier's own event loop. A correctness
// check of the limiter and the Retry-After path, not a timed performance assertion.
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { verifyFindings } from "../../src/verify/index.js";
import { findingFor, fixture, resultOf, secretFrom } from "./helpers.js";

const ruleset = loadRules();
const RATE = 200;
const CONCURRENCY = 8;
const FINDINGS = 1000;

// The stand-in getimg server: 429 (Retry-After: 0) to every 10th request, else 200 for live keys and 401 for others.
const SERVER = `
const { parentPort, workerData } = require("node:worker_threads");
const { createServer } = require("node:http");
const { performance } = require("node:perf_hooks");
const live = new Set(workerData.live);
const times = [];
let throttled = 0;
const server = createServer((req, res) => {
  times.push(performance.now());
  const n = times.length;
  req.resume();
  req.on("end", () => {
    let f;
    if (n % 10 === 0) { throttled++; f = workerData.limited; }
    else f = live.has(String(req.headers.authorization).replace(/^Bearer /, "")) ? workerData.valid : workerData.invalid;
    res.writeHead(f.status, f.headers);
    res.end(JSON.stringify(f.body));
  });
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", () => {
  server.closeAllConnections();
  server.close(() => parentPort.postMessage({ times, throttled }));
});
`;

let worker: Worker | undefined;
afterAll(async () => worker?.terminate());

/** Most arrivals in any window of `ms` (sliding, anchored at each arrival). */
function maxInWindow(times: number[], ms: number): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe("verifying 1,000 findings under throttling", () => {
  it("classifies every finding and keeps to the configured rate", async () => {
    const secrets = Array.from({ length: FINDINGS }, (_, i) => secretFrom("key-{alnum:96}", `load:${i}`));
    const live = new Set(secrets.filter((_, i) => i % 3 === 0));
    const limited = { ...fixture("common", "rate-limited"), headers: { ...fixture("common", "rate-limited").headers, "retry-after": "0" } };
    worker = new Worker(SERVER, { eval: true, workerData: { live: [...live], valid: fixture("getimg", "valid"), invalid: fixture("getimg", "invalid"), limited } });
    const w = worker;
    const port = await new Promise<number>((resolve) => w.once("message", (m: { port: number }) => resolve(m.port)));

    const result = resultOf(secrets.map((s, i) => findingFor(ruleset, "getimg.api-key", s, i + 1)));
    const started = performance.now();
    const summary = await verifyFindings(result, ruleset, {
      endpointOverrides: { getimg: `http://127.0.0.1:${port}` },
      rate: { default: RATE, byProvider: {} },
      concurrency: { default: CONCURRENCY, byProvider: {} },
      retries: 3,
      backoffMs: 10,
      timeoutMs: 5000,
    });
    const seconds = (performance.now() - started) / 1000;
    const { times, throttled } = await new Promise<{ times: number[]; throttled: number }>((resolve) => {
      w.once("message", resolve);
      w.postMessage("stop");
    });

    // Every finding classified, and classified right.
    for (const [i, f] of result.findings.entries()) {
      expect(f.verification?.status, `finding ${i}`).toBe(live.has(secrets[i]!) ? "verified" : "invalid");
    }
    expect(summary.verified).toBe(live.size);
    expect(summary.invalid).toBe(FINDINGS - live.size);
    expect(summary.unknown).toBe(0);

    // Bounded: one request per secret plus one retry per 429.
    const n = times.length;
    expect(throttled).toBeGreaterThanOrEqual(100);
    expect(n).toBe(FINDINGS + throttled);
    expect(n).toBeLessThanOrEqual(1200);

    // The rate, as the server saw it. The limiter spaces request starts at least 1/RATE apart and holds a slot until
    // the answer, so a request that arrives in a window but started before it was in flight when the window opened:
    // at most CONCURRENCY of those. So no second (sliding window) holds more than RATE + CONCURRENCY arrivals,
    // however the network and the server's own thread delay them (a burst after a stall on a loaded machine), and
    // past the first CONCURRENCY requests the arrivals keep to RATE on average. Exactly what the limiter promises,
    // as far as the server can see it: without the spacing a window holds hundreds more.
    const sorted = [...times].sort((a, b) => a - b);
    const perSecond = maxInWindow(sorted, 1000);
    const per100ms = maxInWindow(sorted, 100);
    const observed = (n - 1) / ((sorted[n - 1]! - sorted[0]!) / 1000);
    const paced = (n - 1 - CONCURRENCY) / ((sorted[n - 1]! - sorted[0]!) / 1000);
    expect(perSecond).toBeLessThanOrEqual(RATE + CONCURRENCY);
    expect(paced).toBeLessThanOrEqual(RATE);
    console.log(
      `load: ${FINDINGS} findings, ${n} requests (${throttled} answered 429) in ${seconds.toFixed(2)} s; ` +
        `max ${perSecond} requests in any 1 s window, max ${per100ms} in any 100 ms, mean ${observed.toFixed(1)}/s (limit ${RATE}/s)`,
    );
  });
});
