/**
 * Group commit: units of work that arrive while a transaction is being written are written
 * together by the next one, so fifty visitors sending at once cost one commit (one fsync), not
 * fifty. Each caller still learns its own result only after the commit. When a shared
 * transaction fails, its units are retried one by one, so one bad unit fails alone.
 */
import type { BridgeRepos } from './ports.js';

export type Work<T> = (tx: BridgeRepos) => Promise<T>;

interface Pending {
  work: Work<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Runs one transaction (durable or not) over the bridge's repositories. */
export type TransactionRunner = <T>(fn: (tx: BridgeRepos) => Promise<T>) => Promise<T>;

export function createGroupCommit(transaction: TransactionRunner, maxBatch = 200) {
  let queue: Pending[] = [];
  let running: Promise<void> | undefined;

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      if (batch.length === 1) {
        const [only] = batch as [Pending];
        await transaction(only.work).then(only.resolve, only.reject);
        continue;
      }
      let results: unknown[];
      try {
        results = await transaction(async (tx) => {
          const out: unknown[] = [];
          for (const p of batch) out.push(await p.work(tx));
          return out;
        });
      } catch {
        for (const p of batch) await transaction(p.work).then(p.resolve, p.reject);
        continue;
      }
      batch.forEach((p, i) => p.resolve(results[i]));
    }
  }

  return {
    /** Runs `work` in a transaction shared with whatever else is waiting; resolves after the commit. */
    commit<T>(work: Work<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
        if (!running) {
          // Yield once so the requests parsed in the same tick share the first transaction.
          running = new Promise<void>((r) => setImmediate(r))
            .then(flush)
            .finally(() => {
              running = undefined;
            });
        }
      });
    },
  };
}
