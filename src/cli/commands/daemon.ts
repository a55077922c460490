/**
 * `keyscan daemon [status|stop]` (issue 20): the resident pre-commit processes that serve `keyscan --staged` from the
 * release bundle (src/cli/daemon/server.ts): which are up, with their runs and idle limit, or stop them all. They
 * stop by themselves after KEYSCAN_DAEMON_IDLE seconds without a request; KEYSCAN_DAEMON=off starts none.
 */
import type { Argv } from "yargs";
import { defaultCacheDir } from "../../engine/rule-cache.js";
import { askAll } from "../daemon/client.js";
import { EXIT_CLEAN } from "../io.js";
import { commandEntry } from "./entries.js";
import type { Command } from "./types.js";

export const daemonCommand: Command = {
  ...commandEntry("daemon"),
  builder: (y: Argv) =>
    y
      .positional("action", { type: "string", choices: ["status", "stop"], default: "status", describe: "status: list them; stop: stop them" })
      .option("format", { alias: "f", type: "string", default: "text", choices: ["text", "json"] }) as unknown as Argv,
  async run(raw, io) {
    const action = raw.action === "stop" ? "stop" : "status";
    const dir = defaultCacheDir(io.env);
    const found = dir === undefined ? [] : await askAll(dir, action);
    if (raw.format === "json") return { exitCode: EXIT_CLEAN, stdout: `${JSON.stringify({ action, processes: found }, null, 2)}\n`, stderr: "" };
    const verb = action === "stop" ? "stopped" : "running";
    const lines = found.map((s) => `pid ${s.pid}: ${s.served} run${s.served === 1 ? "" : "s"} since ${s.startedAt}, exits after ${s.idleSeconds} s idle (${s.socket})`);
    lines.push(found.length === 0 ? "no resident pre-commit process is running" : `${found.length} resident pre-commit process${found.length === 1 ? "" : "es"} ${verb}`);
    return { exitCode: EXIT_CLEAN, stdout: `${lines.join("\n")}\n`, stderr: "" };
  },
};
