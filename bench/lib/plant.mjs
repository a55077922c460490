/**
 * Makes the recall corpus: a copy of the clean tree (hard links, so it costs no space or time worth mentioning) in
 * which a known set of synthetic secrets is planted at recorded places. Each shipped rule's examples (the ones that
 * carry a generated secret) are inserted, one per real file, half-way down a real source file chosen by a seeded
 * generator; the file is rewritten (its link broken first) so the clean tree is never touched. A rule scoped by
 * `paths:` (a credential file: .netrc, settings.xml, a SQL dump…) runs only on files so named, so its examples are
 * planted instead as files of their own, at the example's path (which the rule's globs match) under a directory of
 * the tree chosen by the same generator. The list of planted secrets — path, line, rule and secret — is written
 * next to it, so recall is measured in the same run as speed. Secrets are generated from the rules' templates with a
 * fixed seed: reproducible, and never a live credential.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/**
 * @param {string} treeDir the clean corpus
 * @param {string} outDir where the planted copy goes (replaced)
 * @param {{rules: any[], exampleCases: (rule: any) => any[], seededRandom: (s: string) => () => number}} engine
 */
export function buildPlanted(treeDir, outDir, engine) {
  rmSync(outDir, { recursive: true, force: true });
  // The real directory: `cp -a` copies a symlinked tree (a worktree sharing the main cache) as the link itself.
  execFileSync("cp", ["-al", realpathSync(treeDir), outDir]);
  const candidates = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.(js|ts|mjs|cjs|json|md|py|yml|yaml)$/.test(e.name)) {
        const size = statSync(p).size;
        if (size > 2_000 && size < 400_000) candidates.push(p);
      }
    }
  };
  walk(outDir);
  const rand = engine.seededRandom("keyscan-bench-plant");
  const used = new Set();
  const planted = [];
  for (const rule of engine.rules) {
    for (const c of engine.exampleCases(rule)) {
      if (c.kind !== "example" || c.secret === undefined) continue;
      if (rule.pathOnly) {
        planted.push(plantFile(outDir, candidates, rand, rule, c));
        continue;
      }
      let file;
      do file = candidates[Math.floor(rand() * candidates.length)];
      while (used.has(file));
      used.add(file);
      const original = readFileSync(file, "utf8");
      const lines = original.split("\n");
      const at = Math.floor(lines.length / 2);
      const inserted = c.text.replace(/\n$/, "").split("\n");
      const offset = inserted.findIndex((l) => l.includes(c.secret));
      lines.splice(at, 0, ...inserted);
      unlinkSync(file); // break the hard link: the clean tree keeps its bytes
      writeFileSync(file, lines.join("\n"));
      planted.push({ path: relative(outDir, file), line: at + 1 + Math.max(0, offset), lines: [at + 1, at + inserted.length], ruleId: rule.id, secret: c.secret });
    }
  }
  writeFileSync(join(outDir, "..", "planted.json"), JSON.stringify(planted, null, 2));
  return planted;
}

/**
 * A path-scoped rule's example as a file of its own: the example's `path` (relative, any drive letter dropped)
 * under the directory of a real file picked by `rand`, so the rule's globs see the name they are written for.
 */
function plantFile(outDir, candidates, rand, rule, c) {
  if (c.path === undefined) throw new Error(`plant: ${rule.id} is scoped by paths but its example ${c.index} has no path`);
  const rel = c.path.replace(/^[A-Za-z]:\//, "").replace(/^\/+/, "");
  let file;
  do file = join(dirname(candidates[Math.floor(rand() * candidates.length)]), rel);
  while (existsSync(file));
  const path = relative(outDir, file);
  if (!rule.pathOnly.test(path)) throw new Error(`plant: ${rule.id}'s globs do not match its example path ${path}`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, c.text);
  const lines = c.text.replace(/\n$/, "").split("\n");
  const offset = lines.findIndex((l) => l.includes(c.secret));
  return { path, line: 1 + Math.max(0, offset), lines: [1, lines.length], ruleId: rule.id, secret: c.secret };
}

/**
 * Recall of `findings` (keyscan JSON findings, unredacted) against the planted list. A finding of another secret
 * inside a planted example's lines is a companion value the example carries (the Duo integration key beside its
 * secret key, the second Vault unseal key, an access key id beside its secret): `companions`, listed by rule. The
 * rest (`other`) are the clean corpus's own findings, the same as a scan of the clean tree reports.
 */
export function scoreRecall(planted, findings) {
  const key = (p, s) => `${p}\0${s}`;
  const wanted = new Map(planted.map((p) => [key(p.path, p.secret), p]));
  const blocks = new Map();
  for (const p of planted) if (p.lines) blocks.set(p.path, [...(blocks.get(p.path) ?? []), p.lines]);
  const found = new Set();
  const companions = [];
  let other = 0;
  for (const f of findings) {
    const k = key(f.path, f.secret);
    if (wanted.has(k)) found.add(k);
    else if ((blocks.get(f.path) ?? []).some(([from, to]) => f.line >= from && f.line <= to)) companions.push(f.ruleId);
    else other++;
  }
  const missed = [...wanted.keys()].filter((k) => !found.has(k)).map((k) => wanted.get(k));
  return { planted: planted.length, found: found.size, missed, companions, other };
}

export { existsSync };
