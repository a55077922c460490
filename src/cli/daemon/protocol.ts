/**
 * The resident pre-commit process's wire format (issue 20). A pre-commit run (`keyscan --staged`) from the release
 * bundle asks a keyscan process that stays up between commits (server.ts) to scan for it, over a Unix socket in
 * keyscan's cache folder: Node's start, the CLI's compile and the rule set's load are then paid once per idle period
 * instead of once per commit. scripts/launcher.cjs is the client (plain JavaScript, so it speaks this format by hand:
 * keep the two in step; test/regression/issue-20-resident.test.ts runs both).
 *
 * One JSON object per line, UTF-8. The client sends one request and reads answers until the server closes:
 * - run: `accepted` when the server starts on it (a busy server's client gives up after a while and scans itself),
 *   then `out`/`err` text written live (a terminal's findings and progress), then `done` with what bin.ts would print
 *   and the exit code; or `refused` when the request is not one the server runs (the client then scans itself).
 * - status: `status`. stop: `status`, then the server exits.
 */
import { isAbsolute } from "node:path";

/** The argument the launcher starts a resident process with (scripts/launcher.cjs has the same string). */
export const DAEMON_ARG = "__keyscan-daemon";
export const PROTOCOL_VERSION = 1;
/** A request line longer than this is not one (the environment is the bulk of a run request). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export interface RunRequest {
  v: number;
  kind: "run";
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stderrColumns?: number;
}

export type Request = RunRequest | { v: number; kind: "status" | "stop" };

export interface DaemonStatus {
  t: "status";
  pid: number;
  /** Runs served since the process started. */
  served: number;
  /** Seconds without a request after which the process exits. */
  idleSeconds: number;
  startedAt: string;
  socket: string;
}

export type Answer =
  | { t: "accepted" }
  | { t: "out"; s: string }
  | { t: "err"; s: string }
  | { t: "done"; exitCode: number; stdout: string; stderr: string }
  | { t: "refused"; why: string }
  | DaemonStatus;

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");

/** The request a line holds, or a reason it holds none. */
export function parseRequest(line: string): Request | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: "not JSON" };
  }
  if (typeof value !== "object" || value === null) return { error: "not an object" };
  const r = value as Record<string, unknown>;
  if (r.v !== PROTOCOL_VERSION) return { error: `protocol ${String(r.v)}, expected ${PROTOCOL_VERSION}` };
  if (r.kind === "status" || r.kind === "stop") return { v: PROTOCOL_VERSION, kind: r.kind };
  if (r.kind !== "run") return { error: "unknown kind" };
  if (!isStringArray(r.argv) || typeof r.cwd !== "string" || !isAbsolute(r.cwd) || !isStringRecord(r.env)) return { error: "bad run request" };
  return {
    v: PROTOCOL_VERSION,
    kind: "run",
    argv: r.argv,
    cwd: r.cwd,
    env: r.env,
    stdoutIsTTY: r.stdoutIsTTY === true,
    stderrIsTTY: r.stderrIsTTY === true,
    ...(typeof r.stderrColumns === "number" && r.stderrColumns > 0 ? { stderrColumns: r.stderrColumns } : {}),
  };
}

/** Splits a byte stream into lines; `onLine` gets each, `onOverflow` once a line grows past `max` bytes. */
export function lineReader(max: number, onLine: (line: string) => void, onOverflow: () => void): (chunk: Buffer) => void {
  let parts: Buffer[] = [];
  let size = 0;
  let over = false;
  return (chunk) => {
    if (over) return;
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      parts.push(chunk.subarray(from, nl));
      const line = Buffer.concat(parts).toString("utf8");
      parts = [];
      size = 0;
      from = nl + 1;
      onLine(line);
    }
    if (from < chunk.length) {
      parts.push(chunk.subarray(from));
      size += chunk.length - from;
      if (size > max) {
        over = true;
        parts = [];
        onOverflow();
      }
    }
  };
}
