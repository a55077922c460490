/**
 * Bounded-concurrency map over an async iterable, yielding results as they complete. Sources use it to keep a few
 * file reads in flight (the disk and the matcher overlap) without ever holding more than `limit` results at once.
 */
export async function* mapConcurrent<T, R>(
  input: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const iterator = (Symbol.asyncIterator in input ? (input as AsyncIterable<T>)[Symbol.asyncIterator]() : (input as Iterable<T>)[Symbol.iterator]()) as AsyncIterator<T> | Iterator<T>;
  const running = new Map<number, Promise<{ id: number; value: R }>>();
  let nextId = 0;
  let done = false;
  const pull = async (): Promise<void> => {
    while (!done && running.size < limit) {
      const r = await iterator.next();
      if (r.done) {
        done = true;
        break;
      }
      const id = nextId++;
      running.set(id, fn(r.value).then((value) => ({ id, value })));
    }
  };
  await pull();
  while (running.size > 0) {
    const { id, value } = await Promise.race(running.values());
    running.delete(id);
    yield value;
    await pull();
  }
}
