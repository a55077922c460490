/**
 * Makes the recall corpus: a copy of the clean tree (hard links, so it costs no space or time worth mentioning) in
 * which a known set of synthetic secrets is planted at recorded places. Each shipped rule's examples (the ones that
 * carry a generated secret) are inserted, one per real file, half-way down a real source file chosen by a seeded
 * generator; the file is rewritten (its link broken first) so the clean tree is never touched. The list of planted
 * secrets — path, line, rule and secret — is written next to it, so recall is measured in the same run as speed.
 * Secrets are generated from the rules' templates with a fixed seed: reproducible, and never a live credential.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * @param {string} treeDir the clean corpus
 * @param {string} outDir where the planted copy goes (replaced)
 * @param {{rules: any[], exampleCases: (rule: any) => any[], seededRandom: (s: string) => () => number}} engine
 */
export function buildPlanted(treeDir, outDir, engine) {
  rmSync(outDir, { recursive: true, force: true });
  execFileSync("cp", ["-al", treeDir, outDir]);
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
      planted.push({ path: relative(outDir, file), line: at + 1 + Math.max(0, offset), ruleId: rule.id, secret: c.secret });
    }
  }
  writeFileSync(join(outDir, "..", "planted.json"), JSON.stringify(planted, null, 2));
  return planted;
}

/** Recall of `findings` (keyscan JSON findings, unredacted) against the planted list; the rest are "clean" findings. */
export function scoreRecall(planted, findings) {
  const key = (p, s) => `${p}\0${s}`;
  const wanted = new Map(planted.map((p) => [key(p.path, p.secret), p]));
  const found = new Set();
  let other = 0;
  for (const f of findings) {
    const k = key(f.path, f.secret);
    if (wanted.has(k)) found.add(k);
    else other++;
  }
  const missed = [...wanted.keys()].filter((k) => !found.has(k)).map((k) => wanted.get(k));
  return { planted: planted.length, found: found.size, missed, other };
}

export { existsSync };
