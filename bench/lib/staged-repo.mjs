// A git repository whose index holds a change to 10 files — the pre-commit shape that bench/startup.mjs and
// bench/rules-scale.mjs time `keyscan --staged` on. The files are keyscan's own sources, so nothing is downloaded.
import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

export function makeStagedRepo(root, dir) {
  mkdirSync(dir, { recursive: true });
  const git = (...args) => execFileSync("git", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  git("init", "-q");
  git("config", "user.email", "bench@example.invalid");
  git("config", "user.name", "bench");
  git("config", "commit.gpgsign", "false");
  const files = readdirSync(join(root, "src", "report")).filter((f) => f.endsWith(".ts")).slice(0, 10);
  if (files.length < 10) throw new Error("expected 10 files in src/report");
  for (const f of files) cpSync(join(root, "src", "report", f), join(dir, f));
  git("add", "-A");
  git("commit", "-q", "-m", "initial");
  for (const [i, f] of files.entries()) appendFileSync(join(dir, f), `\nexport const retries${i} = ${i + 3};\n`);
  git("add", "-A");
  return dir;
}
