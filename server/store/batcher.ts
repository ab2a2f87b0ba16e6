/**
 * Group commit: concurrent callers each submit one item; items that arrive while a write is in
 * flight are written together by the next one. One transaction (one fsync) then acknowledges many
 * webhooks, which is what keeps intake fast with a durable commit per acknowledgement.
 */

export type BatchWriter<T, R> = (items: T[]) => Promise<R[]>;

export interface Batcher<T, R> {
  submit(item: T): Promise<R>;
  /** Resolves when every submitted item has been written. */
  drain(): Promise<void>;
}

export function createBatcher<T, R>(write: BatchWriter<T, R>, maxBatch = 500): Batcher<T, R> {
  let queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let running: Promise<void> | undefined;

  async function flushLoop(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i] as R));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
  }

  function schedule(): void {
    if (running) return;
    running = (async () => {
      // Wait for the rest of this turn of the event loop: every request that arrived with this
      // one (read in the same I/O phase) shares the first transaction, and none waits longer.
      await new Promise<void>((r) => setImmediate(r));
      try {
        await flushLoop();
      } finally {
        running = undefined;
        // An item submitted after the loop saw an empty queue but before this line would be stranded.
        if (queue.length > 0) schedule();
      }
    })();
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    async drain() {
      while (running) await running;
    },
  };
}
