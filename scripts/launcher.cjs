#!/usr/bin/env node
"use strict";
/**
 * keyscan's `bin` (issue 20), copied by scripts/bundle.mjs to dist/bundle/keyscan.js beside the CLI bundle cli.cjs.
 *
 * `--version` is answered here, from package.json, without loading the CLI (loading it first cost Node 22 ~15 ms).
 *
 * Anything else runs cli.cjs, compiled through a V8 code cache kept with keyscan's rule cache. Node's own module
 * compile cache (Node >= 22.1) is made when a module is compiled, so it holds only the functions V8 compiles eagerly:
 * a pre-commit run then compiled ~1,000 functions lazily, ~25 ms of CPU. The cache here is made when the run ends
 * (`createCachedData` after the work), so it holds every function the run used, and it works on Node 20 too. It is
 * written by a run that found none (or one V8 refused: another Node, other V8 flags) if it was short and did not
 * compile the rule set (worthCaching), as a temp file renamed into place, one for pre-commit runs (`--staged`) and
 * one for the rest. A cache is used only for the same cli.cjs (size, times, inode: a reinstall or rebuild misses)
 * and Node, and only when V8 accepts it — its version, flags, checksum (see V8_FLAGS) and the source's length: a
 * damaged cache falls back to compiling, and is replaced (test/regression/issue-20-code-cache.test.ts). It is off
 * when the rule cache is (`KEYSCAN_CACHE_DIR=off`), and then cli.cjs is compiled as any script is.
 *
 * Why CommonJS, and a dist/bundle/package.json saying so: an ES module entry costs Node 22 ~6 ms of CPU to set up its
 * loader before any code runs (perf stat task-clock, 30 runs: `node -e 0` 31.4 ms, an empty .cjs 30.5, an empty .mjs
 * 37.2), most of the 1.3x that `--version` may take; and only a classic script can be compiled with a cache made
 * after it ran. The other modules the CLI loads (yargs, the worker bundle) go through Node's loader and its compile
 * cache, turned on here.
 */
const { env } = process;

/** keyscan's cache folder, as src/engine/rule-cache.ts defaultCacheDir finds it; undefined when off. */
function cacheDir() {
  const explicit = env.KEYSCAN_CACHE_DIR;
  if (explicit) return explicit === "off" ? undefined : explicit;
  const { join } = require("node:path");
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "keyscan");
  try {
    return join(require("node:os").homedir(), ".cache", "keyscan");
  } catch {
    return undefined;
  }
}

/**
 * V8 flags set before cli.cjs is compiled. V8 refuses a code cache made under other flags, and the cache is made at
 * the end of a run: so bin.ts's flags (src/util/heap-slack.ts's, then regexes compiled once, then TurboFan without
 * inlining), in its order, set again before the cache is made (a worker thread's isolate resets one of them);
 * test/regression/issue-20-code-cache.test.ts checks that a later run reuses the cache, issue-21-v8-flags.test.ts that
 * the lists agree and Node knows each flag. And CHECKSUM while the cache is read and made.
 */
const V8_FLAGS = ["--heap-growing-percent=50", "--min-semi-space-size=4", "--max-semi-space-size=4", "--semi-space-growth-factor=1", "--no-regexp-tier-up", "--no-turbo-inlining"];
/**
 * Node's built-in modules that every scan loads, loaded before any V8 flag is set. Node compiles its own modules with
 * a code cache made under V8's default flags, which V8 refuses once any flag differs: a built-in loaded after
 * V8_FLAGS is compiled from source (child_process, crypto, zlib and fs/promises: ~4-8 ms with the cache, 25-45 ms
 * without on Node 22, measured). The ones a scan loads only on some paths (worker_threads when a pool starts,
 * crypto with a finding or a rule compile) are still loaded where they are needed.
 */
const PRELOAD = ["node:child_process", "node:fs/promises", "node:zlib", "node:os"];

/**
 * V8 makes and checks a code cache's checksum only with this flag (by default only in debug builds), and a damaged
 * cache that passes V8's other checks (version, flags, the source's length) crashes the process as it is read. The
 * flag is on only around reading and making the cache: it also checks the start-up snapshot of every worker thread
 * (~40-60 ms more per worker).
 */
const CHECKSUM = "--verify-snapshot-checksum";

const MAGIC = 0x4343534b; // "KSCC", little-endian
const FORMAT = 1;
const HEAD = 16;

/**
 * The file: magic, format, 0, the stamp's length; the stamp (what cli.cjs and Node it is for); V8's data, 4-aligned.
 * V8 checks the data's checksum (V8_FLAGS).
 */
function readCodeCache(fs, file, stamp) {
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length < HEAD || bytes.byteOffset % 4 !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== FORMAT) return undefined;
  const stampLength = view.getUint32(12, true);
  const dataAt = (HEAD + stampLength + 3) & ~3;
  if (dataAt > bytes.length || bytes.toString("utf8", HEAD, HEAD + stampLength) !== stamp) return undefined;
  return bytes.subarray(dataAt);
}

/** Caches kept (the newest): one per copy of keyscan, Node and kind of run in use; each is ~300-400 KB. */
const MAX_CACHES = 8;
/** A run longer than this (seconds) makes no cache (see worthCaching). */
const LONG_RUN_S = 3;

/** A short name for a stamp (FNV-1a): copies of keyscan (a global one, each project's) keep a cache each. */
function fnv(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * Whether this run's compiled code is worth keeping. Not after a long run: V8 drops the bytecode of functions unused
 * for a while (bytecode flushing), so a cache made then lacks the start-up code, and every later run compiles it
 * again (measured: a cache made by the run that compiled the rule set left the next runs ~10 % more instructions).
 * A run that compiled the rule set (a rule-set image written since it started) is one; the next run makes the cache.
 */
function worthCaching(fs, path, dir) {
  if (process.uptime() > LONG_RUN_S) return false;
  const since = Date.now() - process.uptime() * 1000;
  try {
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith("rule-set-") && f.endsWith(".bin") && fs.statSync(path.join(dir, f)).mtimeMs >= since) return false;
    }
  } catch {
    // no folder: nothing compiled into it
  }
  return true;
}

function writeCodeCache(fs, path, file, stamp, data) {
  const stampBytes = Buffer.from(stamp, "utf8");
  const dataAt = (HEAD + stampBytes.length + 3) & ~3;
  const out = Buffer.alloc(dataAt + data.length);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(FORMAT, 4);
  out.writeUInt32LE(stampBytes.length, 12);
  stampBytes.copy(out, HEAD);
  out.set(data, dataAt);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, out, { mode: 0o600 });
    fs.renameSync(tmp, file);
    const dir = path.dirname(file);
    const others = fs
      .readdirSync(dir)
      .filter((f) => /^cli-[0-9a-f]{8}-[a-z]+\.bin$/.test(f))
      .map((f) => {
        try {
          return { f, t: fs.statSync(path.join(dir, f)).mtimeMs };
        } catch {
          return { f, t: 0 };
        }
      })
      .sort((a, b) => b.t - a.t);
    for (const { f } of others.slice(MAX_CACHES)) fs.unlinkSync(path.join(dir, f));
  } catch {
    // Read-only home, full disk…: the next run compiles again.
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never written
    }
  }
}

/**
 * What names this cli.cjs and this Node: a code cache or a resident process is used only for the same. Made once: a
 * pre-commit run that finds no resident process asks for it twice (its socket, then its code cache).
 */
let stampMade;
function cliStamp(fs, file) {
  if (stampMade === undefined) {
    const st = fs.statSync(file);
    stampMade = `${process.version}:${process.arch}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}`;
  }
  return stampMade;
}

/**
 * The resident pre-commit process (issue 20; the server is src/cli/daemon/server.ts, the wire format
 * src/cli/daemon/protocol.ts). A pre-commit run (`--staged`) asks it to scan, and so skips Node's start-up work for
 * keyscan: compiling the CLI, loading the rule set, compiling the regexes that fire (Node 22: ~37 ms a commit instead
 * of ~90). Where none answers, the run scans here as before and then starts one, which exits after
 * KEYSCAN_DAEMON_IDLE seconds (default 600) without a request. Off with KEYSCAN_DAEMON=off, in CI (CI set), on
 * Windows, and with the cache off; its socket is in <cache>/daemon/, a folder that must be the user's and closed to
 * others, or there is none.
 */
const DAEMON_ARG = "__keyscan-daemon"; // = DAEMON_ARG in src/cli/daemon/protocol.ts
const DAEMON_IDLE_S = 600;
/** How long a run waits for a busy resident process to take it before scanning itself (ms). */
const ACCEPT_MS = 2000;
/** The longest socket path every platform takes (sun_path is 104 bytes on macOS, 108 on Linux). */
const MAX_SOCKET_PATH = 100;

function daemonSocket(fs, path, dir, file) {
  if (dir === undefined || process.platform === "win32" || env.KEYSCAN_DAEMON === "off") return undefined;
  if (env.CI && env.CI !== "false" && env.CI !== "0") return undefined;
  if (!process.argv.includes("--staged") || typeof process.getuid !== "function") return undefined;
  const folder = path.join(dir, "daemon");
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(folder);
    if (!st.isDirectory() || st.uid !== process.getuid() || (st.mode & 0o077) !== 0) return undefined;
    const socket = path.join(folder, `${fnv(`${cliStamp(fs, file)}:${process.execPath}`)}.sock`);
    return Buffer.byteLength(socket) <= MAX_SOCKET_PATH ? socket : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Has the resident process at `socket` run this command. Resolves "served" (its output written, the exit code set),
 * "absent" (nothing listens: scan here, then start one) or "declined" (it refused or was busy: scan here).
 */
function viaDaemon(socket) {
  return new Promise((resolve) => {
    const conn = require("node:net").connect(socket);
    const tty = require("node:tty");
    let accepted = false;
    let finished = false;
    let absent = false;
    let pending = "";
    const timer = setTimeout(() => {
      if (!accepted) conn.destroy();
    }, ACCEPT_MS);
    const take = (line) => {
      let a;
      try {
        a = JSON.parse(line);
      } catch {
        conn.destroy();
        return;
      }
      if (a.t === "accepted") {
        accepted = true;
        clearTimeout(timer);
      } else if (a.t === "out") process.stdout.write(a.s);
      else if (a.t === "err") process.stderr.write(a.s);
      else if (a.t === "done") {
        finished = true;
        if (a.stdout) process.stdout.write(a.stdout);
        if (a.stderr) process.stderr.write(a.stderr);
        process.exitCode = a.exitCode;
      }
    };
    conn.on("connect", () => {
      const stderrIsTTY = tty.isatty(2);
      const request = {
        v: 1,
        kind: "run",
        argv: process.argv.slice(2),
        cwd: process.cwd(),
        env: { ...env },
        stdoutIsTTY: tty.isatty(1),
        stderrIsTTY,
        ...(stderrIsTTY ? { stderrColumns: process.stderr.columns } : {}),
      };
      conn.write(`${JSON.stringify(request)}\n`);
    });
    conn.on("data", (chunk) => {
      pending += chunk.toString("utf8");
      for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
        take(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    conn.on("error", (err) => {
      absent = !accepted && (err.code === "ENOENT" || err.code === "ECONNREFUSED");
    });
    conn.on("close", () => {
      clearTimeout(timer);
      if (finished) resolve("served");
      else if (!accepted) resolve(absent ? "absent" : "declined");
      else {
        // It took the run and stopped before the end: what it printed may be a part; scanning again could print twice.
        process.stderr.write("keyscan: the resident pre-commit process stopped during the scan; commit again (KEYSCAN_DAEMON=off scans without it).\n");
        process.exitCode = 2;
        resolve("served");
      }
    });
  });
}

/** Starts a resident process on `socket` as this process exits (after this run's own scan). */
function startDaemonAtExit(socket) {
  process.once("exit", () => {
    const idle = Number(env.KEYSCAN_DAEMON_IDLE);
    const daemonEnv = {};
    // git's variables for this hook (GIT_INDEX_FILE…) are each run's: a request carries its own environment.
    for (const [k, v] of Object.entries(env)) if (!k.startsWith("GIT_")) daemonEnv[k] = v;
    try {
      const args = [...process.execArgv, __filename, DAEMON_ARG, socket, String(Number.isFinite(idle) && idle > 0 ? idle : DAEMON_IDLE_S)];
      require("node:child_process").spawn(process.execPath, args, { detached: true, stdio: "ignore", cwd: "/", env: daemonEnv }).unref();
    } catch {
      // no resident process: the next run scans itself again
    }
  });
}

function start() {
  const fs = require("node:fs");
  const path = require("node:path");
  const Module = require("node:module");
  const vm = require("node:vm");
  const file = path.join(__dirname, "cli.cjs");
  const dir = cacheDir();
  if (dir !== undefined && typeof Module.enableCompileCache === "function" && !env.NODE_COMPILE_CACHE) {
    try {
      Module.enableCompileCache(path.join(dir, "node-compile-cache"));
    } catch {
      // no cache: start as Node would
    }
  }
  for (const id of PRELOAD) require(id);
  const v8 = require("node:v8");
  for (const flag of [...V8_FLAGS, CHECKSUM]) v8.setFlagsFromString(flag);
  // ASCII (scripts/bundle.mjs makes it so) is read as Latin-1, bytes as they are: ~0.7 ms instead of ~2 ms of UTF-8
  // decoding on Node 22, and a one-byte string.
  const bytes = fs.readFileSync(file);
  const source = bytes.toString(require("node:buffer").isAscii(bytes) ? "latin1" : "utf8");
  let cacheFile;
  let stamp = "";
  let cached;
  if (dir !== undefined) {
    stamp = cliStamp(fs, file);
    // A pre-commit run's cache of its own: what a run compiles (and so what its cache holds) depends on the command.
    const kind = process.argv.includes("--staged") ? "staged" : "other";
    cacheFile = path.join(dir, "code-cache", `cli-${fnv(stamp)}-${kind}.bin`);
    cached = readCodeCache(fs, cacheFile, stamp);
  }
  // The CommonJS wrapper's parameters are the bundle's free names (scripts/bundle.mjs): `require` resolving from
  // here, import.meta.url, and import() from this file (a script compiled by vm cannot import() with a code cache on
  // Node 20). The wrapper's first line is not the file's: lineOffset keeps stack traces' line numbers.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __keyscanUrl, __keyscanImport) {\n${source}\n})`, {
    filename: file,
    lineOffset: -1,
    ...(cached ? { cachedData: cached } : {}),
  });
  if (cacheFile !== undefined && (cached === undefined || script.cachedDataRejected === true)) {
    process.once("exit", () => {
      if (!worthCaching(fs, path, dir)) return;
      for (const flag of [...V8_FLAGS, CHECKSUM]) v8.setFlagsFromString(flag);
      writeCodeCache(fs, path, cacheFile, stamp, script.createCachedData());
    });
  }
  v8.setFlagsFromString(CHECKSUM.replace("--", "--no-"));
  const url = require("node:url").pathToFileURL(file).href;
  const importer = (specifier) => import(specifier.startsWith("./") ? new URL(specifier, url).href : specifier);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, __dirname, url, importer);
}

if (process.argv.length === 3 && process.argv[2] === "--version") {
  const { readFileSync } = require("node:fs");
  const { join } = require("node:path");
  let version = "0.0.0";
  for (const up of ["..", "../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, "package.json"), "utf8"));
      if (pkg.name === "@keyscan-dev/keyscan") {
        version = pkg.version ?? "0.0.0";
        break;
      }
    } catch {
      // not here: try one folder further up
    }
  }
  process.stdout.write(`${version}\n`);
} else {
  const fs = require("node:fs");
  const path = require("node:path");
  const socket = daemonSocket(fs, path, cacheDir(), path.join(__dirname, "cli.cjs"));
  if (socket === undefined) start();
  else {
    viaDaemon(socket).then((how) => {
      if (how === "served") return;
      if (how === "absent") startDaemonAtExit(socket);
      start();
    });
  }
}
