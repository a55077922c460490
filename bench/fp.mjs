#!/usr/bin/env node
/**
 * False-positive benchmark: scans a large tree of real, secret-free code (popular npm packages at pinned versions,
 * built by bench/lib/corpus.mjs into bench/.cache/tree) with every shipped rule and prints findings per 100 MB by
 * rule, with the generic rules (`generic: true`) counted separately. Every finding here is a false alarm or, rarely,
 * a test key shipped inside a package; `--show N` lists N sample findings per rule (redacted unless --no-redact)
 * so the top offenders can be inspected and the rules tightened. Needs a build (`npm run build`) first.
 *
 *   node bench/fp.mjs [--show 5] [--no-redact] [--json out.json]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureCorpus, CORPUS_PACKAGES } from "./lib/corpus.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { loadRules, scan, workingTreeSource } = await import(resolve(root, "dist/index.js"));
const { redactSecret } = await import(resolve(root, "dist/report/redact.js"));

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const show = Number(value("--show", "0"));
const redact = !flag("--no-redact");

const tree = ensureCorpus();
const ruleset = loadRules();
const started = process.hrtime.bigint();
const result = await scan(workingTreeSource({ paths: [tree], cwd: tree, maxFileSize: 10 * 1024 * 1024, gitignore: false }), ruleset, {});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const mb = result.stats.bytes / 1e6;
const per100 = (n) => (n * 100) / mb;

const generic = new Set(ruleset.rules.filter((r) => r.generic).map((r) => r.id));
const byRule = new Map();
for (const f of result.findings) {
  const list = byRule.get(f.ruleId) ?? [];
  list.push(f);
  byRule.set(f.ruleId, list);
}
const rows = [...byRule.entries()].sort((a, b) => b[1].length - a[1].length);
const total = result.findings.length;
const genericCount = result.findings.filter((f) => generic.has(f.ruleId)).length;

console.log(`corpus: ${Object.keys(CORPUS_PACKAGES).length} pinned packages (+ dependencies), ${result.stats.scanned} files, ${mb.toFixed(1)} MB scanned, ${Object.values(result.stats.skipped).reduce((a, b) => a + b, 0)} skipped`);
console.log(`rules: ${ruleset.rules.length} (rule set ${ruleset.version}); scan took ${seconds.toFixed(1)} s (${(mb / seconds).toFixed(1)} MB/s)`);
console.log(`findings: ${total} = ${per100(total).toFixed(2)} per 100 MB`);
console.log(`  provider/format rules: ${total - genericCount} = ${per100(total - genericCount).toFixed(2)} per 100 MB`);
console.log(`  generic rules:         ${genericCount} = ${per100(genericCount).toFixed(2)} per 100 MB`);
console.log("");
console.log("per rule (findings, per 100 MB):");
for (const [id, list] of rows) {
  console.log(`  ${id.padEnd(40)} ${String(list.length).padStart(6)}  ${per100(list.length).toFixed(2).padStart(8)}${generic.has(id) ? "  (generic)" : ""}`);
  for (const f of list.slice(0, show)) {
    let line = "";
    try {
      line = readFileSync(resolve(tree, f.path), "utf8").split(/\r\n|\r|\n/)[f.line - 1] ?? "";
    } catch {}
    if (redact) line = line.split(f.secret).join(redactSecret(f.secret));
    const at = Math.max(0, f.column - 60);
    console.log(`      ${f.path}:${f.line}:${f.column}${f.decoded ? ` (${f.decoded.join(">")})` : ""}  ${line.slice(at, at + 160).trim()}`);
  }
}
const json = value("--json", undefined);
if (json) {
  writeFileSync(json, JSON.stringify({ mb, files: result.stats.scanned, seconds, total, generic: genericCount, perRule: Object.fromEntries(rows.map(([id, l]) => [id, l.length])) }, null, 2));
}
