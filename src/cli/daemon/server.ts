/**
 * The resident pre-commit process (issue 20): started by scripts/launcher.cjs after a pre-commit run that found none,
 * it listens on a Unix socket in keyscan's private cache folder and runs later pre-commit runs (`keyscan --staged`
 * and its hook flags, nothing else) with the client's arguments, folder, environment and terminal, one at a time. A
 * warm process has the CLI compiled, the rule set loaded and the regexes that fired compiled: on Node 22 a commit's
 * scan then costs about Node's own start-up again, where a fresh process costs 3.4× it. It exits after `idleSeconds`
 * without a request, on `keyscan daemon stop`, and on SIGTERM/SIGINT/SIGHUP, removing its socket.
 *
 * Only its user can reach it: the folder is the user's and closed to others (checked here and by the client), and
 * the socket is made under umask 077. It reads no request but a well-formed one of bounded size (protocol.ts).
 */
import { lstatSync, unlinkSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import { describeInternalError } from "../internal-error.js";
import { isPrivateFolder } from "./client.js";
import { hookArgs, run } from "../run.js";
import type { Io } from "../io.js";
import { lineReader, MAX_REQUEST_BYTES, parseRequest, type Answer, type DaemonStatus, type RunRequest } from "./protocol.js";

export interface ServeOptions {
  socket: string;
  idleSeconds: number;
}

/** The runs served here: a pre-commit scan (the hook's arguments with --staged), which reads no standard input. */
export function isPreCommitRun(argv: readonly string[]): boolean {
  return hookArgs(argv)?.parsed.staged === true;
}

function send(conn: Socket, answer: Answer): void {
  if (!conn.destroyed) conn.write(`${JSON.stringify(answer)}\n`);
}

function listenOn(server: Server, socket: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once("error", onError);
    server.listen(socket, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/** Whether a process answers on `socket` (a resident process started by a run beside this one's). */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socket);
    const done = (up: boolean): void => {
      probe.destroy();
      resolve(up);
    };
    probe.setTimeout(1000, () => done(false));
    probe.once("connect", () => done(true));
    probe.once("error", () => done(false));
  });
}

const noInput = (async function* (): AsyncGenerator<Uint8Array> {})();

/** Serves until idle or stopped; resolves when the socket is closed. Returns false if another process serves it. */
export async function serveDaemon({ socket, idleSeconds }: ServeOptions): Promise<boolean> {
  if (!isPrivateFolder(dirname(socket))) return false;
  const homeCwd = process.cwd();
  const homeEnv = process.env;
  const startedAt = new Date().toISOString();
  let served = 0;
  let pending = 0;
  let queue = Promise.resolve();
  let idle: NodeJS.Timeout | undefined;
  let ino = -1;
  const server = createServer();

  const stop = (): void => {
    clearTimeout(idle);
    server.close();
    try {
      if (lstatSync(socket).ino === ino) unlinkSync(socket); // not a socket another process has made since
    } catch {
      // already gone
    }
  };
  const arm = (): void => {
    clearTimeout(idle);
    idle = setTimeout(stop, idleSeconds * 1000);
  };
  const status = (): DaemonStatus => ({ t: "status", pid: process.pid, served, idleSeconds, startedAt, socket });

  const serve = async (conn: Socket, req: RunRequest): Promise<void> => {
    if (conn.destroyed) return; // the client stopped waiting and scanned itself
    try {
      process.chdir(req.cwd);
    } catch {
      send(conn, { t: "refused", why: "cannot enter the folder" });
      conn.end();
      return;
    }
    send(conn, { t: "accepted" });
    served++;
    // What the CLI reads of the process (the cache folder, git's GIT_INDEX_FILE in a hook…) is the client's.
    process.env = req.env;
    const io: Io = {
      cwd: req.cwd,
      env: req.env,
      stdin: noInput,
      stdoutIsTTY: req.stdoutIsTTY,
      stderrIsTTY: req.stderrIsTTY,
      ...(req.stdoutIsTTY ? { liveStdout: (s: string) => send(conn, { t: "out", s }) } : {}),
      ...(req.stderrIsTTY ? { liveStderr: (s: string) => send(conn, { t: "err", s }), ...(req.stderrColumns ? { stderrColumns: req.stderrColumns } : {}) } : {}),
    };
    try {
      const result = await run(req.argv, io);
      send(conn, { t: "done", exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr });
    } catch (err) {
      send(conn, { t: "done", exitCode: 2, stdout: "", stderr: describeInternalError(err) });
    } finally {
      process.env = homeEnv;
      process.chdir(homeCwd);
      conn.end();
    }
  };

  server.on("connection", (conn) => {
    conn.on("error", () => undefined);
    let taken = false;
    const take = (line: string): void => {
      if (taken) return;
      taken = true;
      const req = parseRequest(line);
      if ("error" in req) {
        send(conn, { t: "refused", why: req.error });
        conn.end();
      } else if (req.kind !== "run") {
        send(conn, status());
        conn.end();
        if (req.kind === "stop") stop();
      } else if (!isPreCommitRun(req.argv)) {
        send(conn, { t: "refused", why: "not a pre-commit run" });
        conn.end();
      } else {
        pending++;
        clearTimeout(idle);
        queue = queue
          .then(() => serve(conn, req))
          .finally(() => {
            if (--pending === 0) arm();
          });
      }
    };
    conn.on("data", lineReader(MAX_REQUEST_BYTES, take, () => conn.destroy()));
  });

  // The socket is made under umask 077; the runs' own files (an --output report) under the user's umask again.
  const userUmask = process.umask(0o077);
  try {
    await listenOn(server, socket);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || (await answers(socket))) return false;
    try {
      unlinkSync(socket); // left by a process that was killed
    } catch {
      // gone meanwhile
    }
    await listenOn(server, socket);
  } finally {
    process.umask(userUmask);
  }
  ino = lstatSync(socket).ino;
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.once(signal, stop);
  arm();
  await new Promise<void>((resolve) => server.once("close", () => resolve()));
  return true;
}
