/**
 * Runs a command and measures it the way the benchmark reports it: wall time from spawn to exit (so Node start-up
 * counts) and peak resident memory. Peak RSS comes from GNU time (`/usr/bin/time -f %M`, Debian package `time`)
 * when it is installed, otherwise from polling the process's VmHWM in /proc (Linux), otherwise it is reported as
 * unknown. Output is captured to a file, never held in memory, so a chatty peer cannot distort the measurement.
 */
import { spawn } from "node:child_process";
import { existsSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GNU_TIME = "/usr/bin/time";
export const haveGnuTime = existsSync(GNU_TIME);

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{cwd?: string, env?: NodeJS.ProcessEnv, stdout?: string, timeoutMs?: number}} opts
 * @returns {Promise<{code: number|null, wallS: number, rssMB: number|undefined, timedOut: boolean, stderr: string}>}
 */
export function measure(cmd, args, opts = {}) {
  const stdoutFile = opts.stdout ?? "/dev/null";
  const timeFile = join(tmpdir(), `keyscan-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const errFile = `${timeFile}.err`;
  const out = openSync(stdoutFile, "w");
  const err = openSync(errFile, "w");
  const argv = haveGnuTime ? [GNU_TIME, ["-f", "%M", "-o", timeFile, cmd, ...args]] : [cmd, args];
  const started = process.hrtime.bigint();
  const child = spawn(argv[0], argv[1], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", out, err] });
  let hwmKB = 0;
  const poll = haveGnuTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
          if (m) hwmKB = Math.max(hwmKB, Number(m[1]));
        } catch {
          /* exited */
        }
      }, 20);
  let timedOut = false;
  const timer = opts.timeoutMs ? setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, opts.timeoutMs) : undefined;
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      closeSync(out);
      closeSync(err);
      let rssMB;
      if (haveGnuTime) {
        try {
          const lines = readFileSync(timeFile, "utf8").trim().split("\n");
          rssMB = Number(lines[lines.length - 1]) / 1024;
          if (!Number.isFinite(rssMB)) rssMB = undefined;
        } catch {
          rssMB = undefined;
        }
      } else if (hwmKB > 0) rssMB = hwmKB / 1024;
      const stderr = readFileSync(errFile, "utf8").slice(-4000);
      rmSync(timeFile, { force: true });
      rmSync(errFile, { force: true });
      // GNU time reports the child's exit status as its own.
      resolve({ code, wallS, rssMB, timedOut, stderr });
    });
  });
}

/** Bytes of regular files under `dir` (symlinks not followed), optionally skipping folders named in `skipDirs`. */
export function treeBytes(dir, { skipDirs = [], maxFileSize = Infinity } = {}) {
  // Imported lazily so measure() users need not pay for it.
  let total = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of readdirSyncSafe(d)) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!skipDirs.includes(e.name)) walk(p);
      } else if (e.isFile()) {
        const size = statSizeSafe(p);
        if (size <= maxFileSize) {
          total += size;
          files++;
        }
      }
    }
  };
  walk(dir);
  return { bytes: total, files };
}

import { readdirSync, statSync } from "node:fs";
function readdirSyncSafe(d) {
  try {
    return readdirSync(d, { withFileTypes: true });
  } catch {
    return [];
  }
}
function statSizeSafe(p) {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
