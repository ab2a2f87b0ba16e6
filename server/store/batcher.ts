/**
 * Group commit: concurrent callers each submit one item; items that arrive while a write is in
 * flight are written together by the next one. One transaction (one fsync) then acknowledges many
 * webhooks, which is what keeps intake fast with a durable commit per acknowledgement.
 *
 * `concurrency` writes may be in flight at once (default one). More than one suits a database
 * that runs transactions side by side (PostgreSQL): a write is then a chain of round trips, and
 * one chain at a time leaves the database and this process waiting on each other.
 */

export type BatchWriter<T, R> = (items: T[]) => Promise<R[]>;

export interface Batcher<T, R> {
  submit(item: T): Promise<R>;
  /** Resolves when every submitted item has been written. */
  drain(): Promise<void>;
}

export interface BatcherOptions {
  maxBatch?: number;
  concurrency?: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export function createBatcher<T, R>(write: BatchWriter<T, R>, { maxBatch = 500, concurrency = 1 }: BatcherOptions = {}): Batcher<T, R> {
  let queue: Array<Pending<T, R>> = [];
  const inFlight = new Set<Promise<void>>();
  let scheduled: Promise<void> | undefined;

  function writeBatch(batch: Array<Pending<T, R>>): void {
    const done = (async () => {
      try {
        const results = await write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i] as R));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    })();
    inFlight.add(done);
    void done.finally(() => {
      inFlight.delete(done);
      // What arrived meanwhile is the next batch.
      pump();
    });
  }

  function pump(): void {
    while (inFlight.size < concurrency && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      writeBatch(batch);
    }
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // A free slot starts a write after the rest of this turn of the event loop: every request
        // that arrived with this one (read in the same I/O phase) shares it, and none waits longer.
        // Without a free slot, the write that ends next takes it.
        if (scheduled || inFlight.size >= concurrency) return;
        scheduled = new Promise<void>((r) => setImmediate(r)).then(() => {
          scheduled = undefined;
          pump();
        });
      });
    },
    async drain() {
      while (scheduled || inFlight.size > 0) await Promise.all([scheduled, ...inFlight]);
    },
  };
}
