#!/usr/bin/env node
/**
 * ReDoS bench: runs crafted adversarial inputs against every shipped rule and prints the time per rule (a bench, not
 * a timed test). For each rule the inputs are built from the rule itself — its keywords followed by long runs of
 * characters its classes accept (letters, digits, base64, whitespace, separators), its examples repeated without
 * separators, and near-misses (an example with the end cut off, repeated) — so every matcher sees text that starts
 * many partial matches. Each input is ~1 MB on one line (so the bounded-slice path runs too). Needs `npm run build`.
 *
 *   node bench/redos.mjs [--size 1000000] [--rules <dir-or-file>]
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { loadRules, scanText } = await import(resolve(root, "dist/index.js"));
const { buildPrefilter } = await import(resolve(root, "dist/engine/prefilter.js"));
const { exampleCases } = await import(resolve(root, "dist/engine/rule-examples.js"));

const args = process.argv.slice(2);
const arg = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const size = Number(arg("--size", "1000000"));
const extra = arg("--rules", undefined);
const ruleset = extra ? loadRules({ builtin: false, extra: [{ path: resolve(extra) }] }) : loadRules();

const RUNS = ["a", "A", "0", "aA0", "+/=", " ", "\t ", "-_", ".", "a.", "a-", "a_", ":", "=", "\\n", "ab12CD", "%2F", "eyJ"];

function fill(unit, n) {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

function inputsFor(rule, matchers) {
  const keywords = [...new Set(matchers.flatMap((m) => m.keywords))];
  const cases = exampleCases(rule).filter((c) => c.kind === "example").map((c) => c.text);
  const out = [];
  for (const k of keywords.length > 0 ? keywords : [""]) {
    for (const r of RUNS) out.push({ name: `${k || "(none)"}+${JSON.stringify(r)}`, text: k + fill(r, size - k.length) });
    out.push({ name: `${k}× repeated`, text: fill(`${k}=`, size) });
  }
  for (const [i, t] of cases.entries()) {
    const flat = t.replace(/\r?\n/g, " ");
    out.push({ name: `example ${i} repeated`, text: fill(flat, size) });
    const cut = flat.slice(0, Math.max(1, flat.length - 2));
    out.push({ name: `example ${i} cut, repeated`, text: fill(cut, size) });
  }
  return out;
}

const rows = [];
const started = performance.now();
for (const rule of ruleset.rules) {
  const matchers = ruleset.matchers.filter((m) => m.rule === rule);
  const single = { ...ruleset, rules: [rule], matchers, prefilter: buildPrefilter(matchers) };
  let worst = { ms: 0, name: "" };
  let total = 0;
  let bytes = 0;
  for (const input of inputsFor(rule, matchers)) {
    const t0 = performance.now();
    scanText(input.text, single, { inlineAllow: false, decodeDepth: 0 });
    const ms = performance.now() - t0;
    total += ms;
    bytes += input.text.length;
    if (ms > worst.ms) worst = { ms, name: input.name };
  }
  rows.push({ id: rule.id, total, worst, mbps: bytes / 1e6 / (total / 1000) });
}
rows.sort((a, b) => b.worst.ms - a.worst.ms);
console.log(`ReDoS bench: ${ruleset.rules.length} rules, adversarial inputs of ${(size / 1e6).toFixed(1)} MB each, ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
console.log(`${"rule".padEnd(40)} ${"worst ms".padStart(9)} ${"total ms".padStart(9)} ${"MB/s".padStart(7)}  worst input`);
for (const r of rows) {
  console.log(`${r.id.padEnd(40)} ${r.worst.ms.toFixed(1).padStart(9)} ${r.total.toFixed(0).padStart(9)} ${r.mbps.toFixed(1).padStart(7)}  ${r.worst.name.slice(0, 60)}`);
}
