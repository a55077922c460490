/**
 * The pre-commit corpus: a small git repository with one commit of real source files and a staged change to ten of
 * them, which is what a pre-commit hook sees. Built from files of the clean tree corpus (so it needs no extra
 * download) under bench/.cache/precommit, rebuilt each run (it takes well under a second).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { dirname, join } from "node:path";

const FILES = [
  "lodash/lodash.js", "lodash/fp.js", "lodash/chunk.js", "moment/moment.js", "moment/locale/fr.js",
  "rxjs/package.json", "express/lib/router/index.js", "axios/lib/core/Axios.js", "react/index.js", "pg/lib/client.js",
  "jsonwebtoken/sign.js", "express/lib/response.js",
];

export function buildPrecommitRepo(treeDir, outDir) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const git = (...args) => execFileSync("git", args, { cwd: outDir, stdio: ["ignore", "pipe", "pipe"] });
  git("init", "-q");
  git("config", "user.email", "bench@example.invalid");
  git("config", "user.name", "bench");
  git("config", "commit.gpgsign", "false");
  const copied = [];
  for (const rel of FILES) {
    let text;
    try {
      text = readFileSync(join(treeDir, "node_modules", rel), "utf8");
    } catch {
      continue;
    }
    const dest = join(outDir, "src", rel);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, text);
    copied.push(join("src", rel));
  }
  git("add", "-A");
  git("commit", "-q", "-m", "initial");
  const staged = copied.slice(0, 10);
  for (const [i, rel] of staged.entries()) appendFileSync(join(outDir, rel), `\n// change ${i}: const retries = ${i + 3};\n`);
  git("add", ...staged);
  return { dir: outDir, staged };
}
