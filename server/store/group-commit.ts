/**
 * Group commit for units of work: units that arrive while a transaction is being written are
 * written together by the next one, so fifty concurrent callers cost one commit, not fifty. Each
 * caller learns its own result only after the commit. When a shared transaction fails, its units
 * are retried one by one, so one bad unit fails alone.
 *
 * A unit may ask to be durable (on disk, not only committed, before it resolves): the batch it is
 * in is then made durable once after its commit (`makeDurable`), which covers every unit of the
 * batch and every commit before it. Durable and plain units share transactions, so a message
 * accepted from a visitor, another one's `sent` status and a finished job cost one commit.
 */
import { createBatcher } from './batcher.js';

export type TransactionRunner<Tx> = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

export interface GroupCommit<Tx> {
  /** Runs `fn` in the next shared transaction; with `durable`, resolves once that is on disk. */
  <T>(fn: (tx: Tx) => Promise<T>, durable?: boolean): Promise<T>;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
interface Unit<Tx> {
  work: (tx: Tx) => Promise<unknown>;
  durable: boolean;
}

export function createGroupCommit<Tx>(transaction: TransactionRunner<Tx>, makeDurable: () => void = () => undefined): GroupCommit<Tx> {
  const alone = async (unit: Unit<Tx>): Promise<Outcome> => {
    try {
      const value = await transaction(unit.work);
      if (unit.durable) makeDurable();
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error };
    }
  };

  const batcher = createBatcher<Unit<Tx>, Outcome>(async (units) => {
    if (units.length === 1) return [await alone(units[0]!)];
    let out: Outcome[];
    try {
      out = await transaction(async (tx) => {
        const values: Outcome[] = [];
        for (const unit of units) values.push({ ok: true, value: await unit.work(tx) });
        return values;
      });
    } catch {
      const each: Outcome[] = [];
      for (const unit of units) each.push(await alone(unit));
      return each;
    }
    // A failed sync fails every unit that waited for it; the plain ones are committed either way.
    if (units.some((u) => u.durable)) {
      try {
        makeDurable();
      } catch (error) {
        out = out.map((o, i) => (units[i]!.durable ? { ok: false as const, error } : o));
      }
    }
    return out;
  });

  return async <T>(work: (tx: Tx) => Promise<T>, durable = false): Promise<T> => {
    const outcome = await batcher.submit({ work, durable });
    if (!outcome.ok) throw outcome.error;
    return outcome.value as T;
  };
}
