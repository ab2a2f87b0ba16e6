/**
 * Group commit for units of work: units that arrive while a transaction is being written are
 * written together by the next one, so fifty concurrent callers cost one commit (one fsync), not
 * fifty. Each caller learns its own result only after the commit. When a shared transaction
 * fails, its units are retried one by one, so one bad unit fails alone.
 */
import { createBatcher } from './batcher.js';

export type TransactionRunner<Tx> = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function createGroupCommit<Tx>(transaction: TransactionRunner<Tx>): TransactionRunner<Tx> {
  const alone = (work: (tx: Tx) => Promise<unknown>): Promise<Outcome> =>
    transaction(work).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );

  const batcher = createBatcher<(tx: Tx) => Promise<unknown>, Outcome>(async (units) => {
    if (units.length === 1) return [await alone(units[0]!)];
    try {
      return await transaction(async (tx) => {
        const out: Outcome[] = [];
        for (const unit of units) out.push({ ok: true, value: await unit(tx) });
        return out;
      });
    } catch {
      const out: Outcome[] = [];
      for (const unit of units) out.push(await alone(unit));
      return out;
    }
  });

  return async <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    const outcome = await batcher.submit(work);
    if (!outcome.ok) throw outcome.error;
    return outcome.value as T;
  };
}
