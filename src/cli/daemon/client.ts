/**
 * Asking resident pre-commit processes (server.ts) how they are, or to stop (`keyscan daemon`, issue 20). Each one's
 * socket is in <cache>/daemon/ (scripts/launcher.cjs names it after the CLI build and Node that serve): a process per
 * build and runtime in use. A socket nobody answers on is left by a process that was killed, and is removed.
 */
import { lstatSync, readdirSync, unlinkSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { lineReader, PROTOCOL_VERSION, type DaemonStatus } from "./protocol.js";

/** Whether `dir` may hold a socket only its user can reach: a real folder, the user's, closed to group and others. */
export function isPrivateFolder(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    const uid = typeof process.getuid === "function" ? process.getuid() : -1;
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** The folder of the sockets under a cache folder. */
export const daemonFolder = (cacheDir: string): string => join(cacheDir, "daemon");

/** What the process on `socket` says of itself ("stop" also stops it), or undefined when none answers. */
export function askDaemon(socket: string, kind: "status" | "stop", timeoutMs = 2000): Promise<DaemonStatus | undefined> {
  return new Promise((resolve) => {
    let answer: DaemonStatus | undefined;
    const conn = connect(socket);
    conn.setTimeout(timeoutMs, () => conn.destroy());
    conn.on("connect", () => conn.write(`${JSON.stringify({ v: PROTOCOL_VERSION, kind })}\n`));
    conn.on(
      "data",
      lineReader(
        1 << 20,
        (line) => {
          try {
            const a = JSON.parse(line) as DaemonStatus;
            if (a.t === "status") answer = a;
          } catch {
            // not an answer
          }
        },
        () => conn.destroy(),
      ),
    );
    conn.on("error", () => undefined);
    conn.on("close", () => resolve(answer));
  });
}

/** Every resident process under `cacheDir` (stale sockets removed), asked `kind`. */
export async function askAll(cacheDir: string, kind: "status" | "stop"): Promise<DaemonStatus[]> {
  const folder = daemonFolder(cacheDir);
  if (!isPrivateFolder(folder)) return [];
  const found: DaemonStatus[] = [];
  for (const name of readdirSync(folder).filter((n) => n.endsWith(".sock")).sort()) {
    const socket = join(folder, name);
    const status = await askDaemon(socket, kind);
    if (status) found.push(status);
    else {
      try {
        unlinkSync(socket);
      } catch {
        // gone already
      }
    }
  }
  return found;
}
