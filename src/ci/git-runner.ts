/**
 * The real GitRunner for the CI range logic: the git sources' own hardened spawn (src/sources/git.ts: no fsmonitor,
 * hooks, pager or prompts, environment passed through), adapted to the small text-in/text-out shape the range logic
 * needs, so there is one way keyscan runs git. Every `fetch` goes through isolatedFetch (src/sources/git-fetch.ts),
 * which never reads the scanned repository's configuration (issue 19).
 */
import { gitRaw } from "../sources/git.js";
import { isolatedFetch } from "../sources/git-fetch.js";
import type { GitRunner } from "./github-event.js";

export function gitRunner(cwd: string, env: NodeJS.ProcessEnv): GitRunner {
  return async (args) => {
    const r = args[0] === "fetch" ? await isolatedFetch({ cwd, env }, args.slice(1)) : await gitRaw({ cwd, env }, args);
    return { code: r.code, stdout: r.stdout.toString("utf8"), stderr: r.stderr };
  };
}
