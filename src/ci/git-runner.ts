/**
 * The real GitRunner for the CI range logic: the git sources' own hardened spawn (src/sources/git.ts: no fsmonitor,
 * hooks, pager or prompts, environment passed through), adapted to the small text-in/text-out shape the range logic
 * needs, so there is one way keyscan runs git.
 */
import { gitRaw } from "../sources/git.js";
import type { GitRunner } from "./github-event.js";

export function gitRunner(cwd: string, env: NodeJS.ProcessEnv): GitRunner {
  return async (args) => {
    const r = await gitRaw({ cwd, env }, args);
    return { code: r.code, stdout: r.stdout.toString("utf8"), stderr: r.stderr };
  };
}
