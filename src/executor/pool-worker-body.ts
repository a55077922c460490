/**
 * The body of one scan-pool worker thread (see pool.ts; its entry is pool-worker.ts): restores the rule set from the
 * image it was started with (or compiles it from the specs), then answers each `{id, data}` with the findings in that
 * input — decoding bytes here, off the main thread — or with the input's problem (binary, or an error thrown while
 * matching). It holds nothing between inputs.
 */
import { parentPort, workerData } from "node:worker_threads";
import { readFileBounded } from "../sources/read-file.js";
import { companionsFor } from "../engine/companions.js";
import { ruleSetFromImage } from "../engine/lazy-rule-set.js";
import { compileRuleSet } from "../engine/load-rules.js";
import { decodeRuleSetImage } from "../engine/rule-set-image.js";
import { scanBytes } from "../engine/scan-bytes.js";
import { scanText, type TextFinding } from "../engine/scan-text.js";
import { afterText } from "../util/heap-slack.js";
import { releasePages } from "../util/page-buffer.js";
import type { PlainFinding, WorkerBatch, WorkerInit, WorkerReply, WorkerRequest } from "./pool.js";

const init = workerData as WorkerInit;
// The image is the main thread's own bytes (shared memory): nothing is copied, and matchers are made as keywords occur.
const image = init.compiled ? decodeRuleSetImage(init.compiled) : undefined;
const ruleset = image ? ruleSetFromImage(image, init.dense) : compileRuleSet(init.specs ?? [], init.disable, init.version);
const port = parentPort!;
Atomics.add(new Int32Array(init.ready), 0, 1);

/** The reply to one input, and the length of the text matched for it (0 when there was none). */
function handle(req: WorkerRequest): [WorkerReply, number] {
  const inlineAllow = init.inlineAllow;
  const options = { inlineAllow, keepAllowed: true, ...(req.path !== undefined ? { path: req.path } : {}) };
  let data: Uint8Array | string;
  let bytes: number | undefined;
  if ("file" in req) {
    const read = readFileBounded(req.file.path, req.file.maxFileSize, { reuseBuffer: true }); // used up below
    if (!read.ok) return [{ id: req.id, ...read }, 0];
    data = read.data;
    bytes = read.data.length;
  } else data = req.data;
  let found: TextFinding[];
  let text: string;
  if (typeof data === "string") {
    found = scanText(data, ruleset, options);
    text = data;
  } else {
    const outcome = scanBytes(data, ruleset, options);
    if (!outcome.ok) return [{ id: req.id, ...outcome }, 0];
    found = outcome.findings;
    text = outcome.text ?? "";
  }
  const companions = companionsFor(found, text);
  const findings: PlainFinding[] = found.map(({ rule, ...rest }, i) => ({ ...rest, ruleId: rule.id, ...(companions[i] ? { companions: companions[i] } : {}) }));
  return [{ id: req.id, ok: true, findings, ...(bytes !== undefined ? { bytes } : {}) }, text.length];
}

// What this worker is matching and since when, for the pool's watchdog (pool.ts checkTimeouts).
const progress = init.progress ? new Int32Array(init.progress) : undefined;
const epoch = init.epoch ?? Date.now();

port.on("message", (batch: WorkerBatch) => {
  const replies: WorkerReply[] = [];
  for (const req of batch) {
    if (progress) {
      Atomics.store(progress, 1, Date.now() - epoch);
      Atomics.store(progress, 0, req.id + 1);
    }
    try {
      const [reply, chars] = handle(req);
      replies.push(reply);
      afterText(chars); // the text is out of reach now (src/util/heap-slack.ts)
    } catch (err) {
      replies.push({ id: req.id, ok: false, code: "E_SCAN", message: `matching failed (${(err as Error).message ?? String(err)})`, skipped: false });
    } finally {
      if ("release" in req && req.release && typeof req.data !== "string") releasePages(req.data); // matched: its pages go back now
    }
  }
  if (progress) Atomics.store(progress, 0, 0);
  port.postMessage(replies);
});
