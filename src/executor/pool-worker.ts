/**
 * The entry of one scan-pool worker thread (pool.ts starts it; the body is pool-worker-body.ts). Its one job comes
 * first, before the body's modules load: when the thread that started the pool had capped V8's heap slack, cap it
 * again, because setting up this worker's isolate reset a flag that every isolate of the process reads
 * (src/util/heap-slack.ts). Until then every heap of the process, the main thread's included, may double its young
 * generation; loading the body is most of a worker's start, so the body is imported only after.
 */
import { workerData } from "node:worker_threads";
import { capHeapSlack } from "../util/heap-slack.js";
import type { WorkerInit } from "./pool.js";

if ((workerData as WorkerInit | undefined)?.capHeapSlack) capHeapSlack(true);
await import("./pool-worker-body.js");
