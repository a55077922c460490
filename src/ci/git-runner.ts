/**
 * The real GitRunner for the CI range logic: plain `child_process.spawn` of git in the repository, with the same
 * hardening as the git sources (no fsmonitor or hooks, no pager, no prompts), collecting small outputs only.
 */
import { spawn } from "node:child_process";
import { KeyscanError, describeCause } from "../errors.js";
import type { GitRunner } from "./github-event.js";

const SAFE = ["core.fsmonitor=false", "core.hooksPath=/dev/null", "core.pager=cat", "color.ui=never"].flatMap((kv) => ["-c", kv]);

export function gitRunner(cwd: string, env: NodeJS.ProcessEnv): GitRunner {
  return (args) =>
    new Promise((resolve, reject) => {
      const child = spawn("git", [...SAFE, ...args], { cwd, env: { ...env, GIT_TERMINAL_PROMPT: "0", GIT_PAGER: "cat" }, stdio: ["ignore", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      child.on("error", (e) => reject(new KeyscanError("E_GIT", `cannot run git (${describeCause(e)}); install git or put it on PATH.`, { cause: e })));
      child.on("close", (code) => resolve({ code: code ?? 128, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    });
}
