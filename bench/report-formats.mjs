// Times every reporter on a large synthetic scan result (default 25,000 findings: GitHub code scanning's per-run
// limit) and prints output size, time, MB/s and peak RSS. Secrets are random strings made here, never real keys.
// Usage: npm run build && node bench/report-formats.mjs [findings]
import { performance } from "node:perf_hooks";
import { REPORTERS } from "../dist/report/index.js";
import { generateSecret, seededRandom } from "../dist/engine/template.js";

const n = Number(process.argv[2] ?? 25_000);
const rand = seededRandom("bench-report-formats");
const findings = Array.from({ length: n }, (_, i) => ({
  ruleId: `bench.rule-${i % 20}`,
  ruleName: `Bench rule ${i % 20}`,
  provider: "bench",
  providerName: "Bench",
  severity: ["critical", "high", "medium", "low"][i % 4],
  confidence: "high",
  usage: "format",
  path: `src/dir${i % 300}/file${i}.env`,
  line: 1 + (i % 500),
  column: 10,
  endLine: 1 + (i % 500),
  endColumn: 50,
  source: "file",
  secret: generateSecret("bk_{alnum:40}", rand),
  fingerprint: generateSecret("{hex:32}", rand),
  entropy: 5.1,
  revoke: "https://bench.invalid/keys",
}));
const result = {
  format: "keyscan-scan", version: 1, tool: { name: "keyscan", version: "bench" }, rules: { version: "bench", count: 20 },
  target: "files: .", startedAt: new Date(0).toISOString(), stats: { scanned: n, bytes: n * 1000, skipped: {}, durationMs: 0 },
  findings, errors: [], skipped: [],
};
console.log(`${n} findings`);
for (const [name, render] of Object.entries(REPORTERS)) {
  const t0 = performance.now();
  const out = render(result, { redact: true, color: false, stopToken: "bench" });
  const ms = performance.now() - t0;
  const mb = Buffer.byteLength(out) / 1e6;
  console.log(`${name.padEnd(8)} ${mb.toFixed(1).padStart(6)} MB  ${ms.toFixed(0).padStart(6)} ms  ${(mb / (ms / 1000)).toFixed(1).padStart(6)} MB/s`);
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
