/**
 * Group commit for units of work: units that arrive while a transaction is being written are
 * written together by the next one, so fifty concurrent callers cost one commit, not fifty. Each
 * caller learns its own result only after the commit. When a shared transaction fails, its units
 * are retried one by one, so one bad unit fails alone.
 *
 * A unit may ask to be durable (on disk, not only committed, before it resolves): the batch it is
 * in is then made durable once after its commit (`makeDurable`), which covers every unit of the
 * batch and every commit before it. Durable and plain units share transactions, so a message
 * accepted from a visitor, another one's `sent` status and a finished job cost one commit. The
 * plain units of a batch resolve at its commit, and the next batch may start, while the durable
 * ones still wait for the disk.
 */
import { createBatcher } from './batcher.js';

export type TransactionRunner<Tx> = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

export interface GroupCommit<Tx> {
  /** Runs `fn` in the next shared transaction; with `durable`, resolves once that is on disk. */
  <T>(fn: (tx: Tx) => Promise<T>, durable?: boolean): Promise<T>;
}

/** `synced`: for a durable unit, when its commit is on disk. */
type Outcome = { ok: true; value: unknown; synced?: Promise<void> } | { ok: false; error: unknown };
interface Unit<Tx> {
  work: (tx: Tx) => Promise<unknown>;
  durable: boolean;
}

export interface GroupCommitOptions {
  /** Makes the last commit durable (SQLite's log sync); PostgreSQL commits are durable already. */
  makeDurable?: () => Promise<void>;
  /** Shared transactions in flight at once (`batcher.ts`): one for SQLite's single writer. */
  concurrency?: number;
  /**
   * The units of a batch run side by side instead of one after another (a pipelined PostgreSQL
   * connection: their statements travel together). Units of one batch were submitted together, so
   * none is known to come before another; each must hold to the rule above, and one that reads
   * and then writes must not rely on another unit of the batch leaving its rows alone (a
   * conditional update, as two instances need anyway). A failure fails the whole transaction as
   * before, once every unit has stopped, and each unit is then retried alone.
   */
  unitsSideBySide?: boolean;
}

export function createGroupCommit<Tx>(transaction: TransactionRunner<Tx>, { makeDurable = async () => undefined, concurrency = 1, unitsSideBySide = false }: GroupCommitOptions = {}): GroupCommit<Tx> {
  const alone = async (unit: Unit<Tx>): Promise<Outcome> => {
    try {
      const value = await transaction(unit.work);
      return unit.durable ? { ok: true, value, synced: makeDurable() } : { ok: true, value };
    } catch (error) {
      return { ok: false, error };
    }
  };

  const batcher = createBatcher<Unit<Tx>, Outcome>(async (units) => {
    if (units.length === 1) return [await alone(units[0]!)];
    try {
      const values = await transaction(async (tx) => {
        if (unitsSideBySide) {
          // Settled, not raced: no unit may still be issuing statements when the transaction ends.
          const settled = await Promise.allSettled(units.map((u) => u.work(tx)));
          return settled.map((r) => {
            if (r.status === 'rejected') throw r.reason;
            return r.value;
          });
        }
        const out: unknown[] = [];
        for (const unit of units) out.push(await unit.work(tx));
        return out;
      });
      // One flush for the whole batch, not waited for here: the next batch may commit meanwhile.
      const synced = units.some((u) => u.durable) ? makeDurable() : undefined;
      return values.map((value, i): Outcome => (units[i]!.durable ? { ok: true, value, synced: synced! } : { ok: true, value }));
    } catch {
      const each: Outcome[] = [];
      for (const unit of units) each.push(await alone(unit));
      return each;
    }
  }, { concurrency });

  return async <T>(work: (tx: Tx) => Promise<T>, durable = false): Promise<T> => {
    const outcome = await batcher.submit({ work, durable });
    if (!outcome.ok) throw outcome.error;
    // A failed flush fails the caller: its work is committed but not known to be on disk.
    await outcome.synced;
    return outcome.value as T;
  };
}
