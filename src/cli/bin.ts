#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
import { run } from "./run.js";

// Issue 21: bounded memory. A scan's live heap is small (~50 MB on the 415 MB tree: the rule set, the walk, one
// file's text) but it allocates its input's size in short-lived strings, and V8's defaults then let each isolate's
// heap grow far past what is live: the young generation to 16 MB semi-spaces, the old one (where every decoded file
// over ~128 KB lands, as a large object) to up to 4× the live size before the next full collection. Both are read
// by V8 each time it resizes a heap, so setting them here covers this thread and every worker started later. Measured
// (415 MB tree, default threads, 2 cores): peak RSS 340-356 MB → 223-224 MB, CPU time within the noise (9.6-9.9 s
// against 9.2-12.5 s); `--max-semi-space-size` cannot be changed once the process runs, the growth factor can.
setFlagsFromString("--semi-space-growth-factor=1");
setFlagsFromString("--heap-growing-percent=50");

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
