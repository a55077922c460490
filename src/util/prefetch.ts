/**
 * Runs an async iterable ahead of its consumer into a bounded queue, so a producer that waits on a slow process
 * (the git history walk) keeps going while the consumer (blob reads and scanning) works, without ever holding more
 * than `limit` items. If the consumer stops early the producer is stopped too (its `return` runs, so a git
 * process behind it is killed rather than left running).
 */
export async function* prefetch<T>(input: AsyncIterable<T>, limit: number): AsyncGenerator<T> {
  const queue: T[] = [];
  let done = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = (which: "consumer" | "producer"): void => {
    const w = which === "consumer" ? wakeConsumer : wakeProducer;
    if (which === "consumer") wakeConsumer = undefined;
    else wakeProducer = undefined;
    w?.();
  };
  const pump = (async () => {
    try {
      for await (const item of input) {
        queue.push(item);
        wake("consumer");
        while (queue.length >= limit && !stopped) await new Promise<void>((r) => (wakeProducer = r));
        if (stopped) break;
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      wake("consumer");
    }
  })();
  try {
    for (;;) {
      if (queue.length > 0) {
        const item = queue.shift()!;
        wake("producer");
        yield item;
        continue;
      }
      if (failure) throw failure.error;
      if (done) break;
      await new Promise<void>((r) => (wakeConsumer = r));
    }
  } finally {
    stopped = true;
    wake("producer");
    await pump;
  }
}
