#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
import { run } from "./run.js";
import { capHeapSlack } from "../util/heap-slack.js";
import { DAEMON_ARG } from "./daemon/protocol.js";

// Issue 21: bounded memory — V8 keeps each heap's slack small (the young generation at 2 × 4 MB, the old one
// growing by 1.5× per full GC); the scan pool's workers set the same again (src/util/heap-slack.ts says why).
capHeapSlack();
// Issue 20: each regex compiled once, to machine code, on its first run. V8 compiles a regex first to bytecode for its
// interpreter and again to machine code from its second run on; every rule's regex runs more than once, so the first
// compile was waste: 16 regexes, ~20 ms of a pre-commit run's CPU, ~7 ms without it (the generic assignment forms are
// 2-4 KB of pattern each). scripts/launcher.cjs sets the same flags, in this order, before compiling the CLI bundle.
setFlagsFromString("--no-regexp-tier-up");
// Issue 21: TurboFan without inlining. A scan's hot JavaScript is many mid-sized functions, and inlining them made
// each optimizing compile large: ~1.2 s of compiler-thread CPU per isolate over the 415 MB bench tree (~280
// compiles, --trace-opt), which on 2 cores competes with the matching threads, while the optimized code ran no faster
// (the per-character loops are WebAssembly and regex code; one thread's CPU was the same). Default threads, 4
// interleaved rounds: 2.26-2.31 s against 2.46-2.58 s, CPU 3.9-4.0 s against 4.3-4.6 s; Node 22 -7 %, Node 24 -4 %.
setFlagsFromString("--no-turbo-inlining");

// No top-level await: the release build compiles this file into a CommonJS bundle (scripts/bundle.mjs), which V8
// can cache with every function the run compiled (issue 20).
async function main(): Promise<void> {
  const result = await run(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    // A getter: Node makes process.stdin (a pipe or TTY handle) on first read, ~2 ms that only `keyscan -` needs (issue 20).
    get stdin() {
      return process.stdin;
    },
    stdoutIsTTY: process.stdout.isTTY,
    stderrIsTTY: process.stderr.isTTY,
    ...(process.stdout.isTTY ? { liveStdout: (s: string) => void process.stdout.write(s) } : {}),
    ...(process.stderr.isTTY ? { liveStderr: (s: string) => void process.stderr.write(s), stderrColumns: process.stderr.columns } : {}),
  });
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

/** The resident pre-commit process (issue 20), as scripts/launcher.cjs starts it: `__keyscan-daemon SOCKET IDLE_S`. */
async function serve(): Promise<void> {
  const { serveDaemon } = await import("./daemon/server.js");
  const idleSeconds = Number(process.argv[4]);
  await serveDaemon({ socket: process.argv[3] ?? "", idleSeconds: Number.isFinite(idleSeconds) && idleSeconds > 0 ? idleSeconds : 600 });
  // Nothing a run left behind (a pool's worker that has not exited yet) keeps a stopped process up.
  setTimeout(() => process.exit(0), 1000).unref();
}

(process.argv[2] === DAEMON_ARG ? serve() : main()).catch((err: unknown) => {
  // As an uncaught top-level await would: the error on stderr, exit code 1.
  process.exitCode = 1;
  throw err;
});
