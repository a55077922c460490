// Preloaded with `node --import` by bench/history.mjs: at exit, writes this process's peak resident set (VmHWM, Linux;
// the main thread and its workers together, not the git processes it runs) to stderr as `keyscan-peak-rss-kb N`.
import { readFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

if (isMainThread) {
  process.on("exit", () => {
    try {
      const kb = /VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
      if (kb) process.stderr.write(`keyscan-peak-rss-kb ${kb}\n`);
    } catch {
      /* not Linux: GNU time's figure stands alone */
    }
  });
}
