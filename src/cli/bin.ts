#!/usr/bin/env node
import { run } from "./run.js";

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
