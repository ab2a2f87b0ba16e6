/**
 * The queue the job runner works from: the jobs table, fed from the webhook inbox. Stored hooks
 * become jobs in the transaction of each claim, a batch at a time: the webhook's own commit never
 * pays for the job indexes, and feeding the jobs costs no commit of its own.
 */
import type { Transaction } from 'kysely';
import type { SqlDialect } from './db.js';
import type { Database } from './schema.js';
import type { InboundRepo } from './inbound-repo.js';
import type { JobRepo } from './jobs-repo.js';

/** Hooks moved into jobs per step, however few slots a claim fills. */
const FEED_BATCH = 64;

export type JobQueue = ReturnType<typeof createJobQueue>;

export function createJobQueue(jobs: JobRepo, inbound: InboundRepo, dialect: SqlDialect) {
  return {
    /**
     * Stored hooks become jobs in the claim's own transaction, just before it chooses. The inbox
     * is empty before almost every claim; asked outside, that costs the claim's transaction (one
     * at a time in the group commit) no statement.
     */
    async claim(workerId: string, limit: number, leaseMs: number) {
      const feed = (await inbound.hasWaiting()) ? (trx: Transaction<Database>) => inbound.dispatchIn(trx, Math.max(limit, FEED_BATCH)) : undefined;
      return jobs.claim(workerId, limit, leaseMs, feed);
    },
    complete: jobs.complete,
    retryLater: jobs.retryLater,
    bury: jobs.bury,
    renew: jobs.renew,
    /**
     * SQLite is one process's database: a job still running at start-up belongs to a process that
     * is gone, and runs again now rather than after its lease. PostgreSQL may be shared by live
     * instances, whose jobs only a lapsed lease hands over. On both, a waiting job left with
     * nothing ahead of it is made claimable (jobs-repo's safety net).
     */
    async releaseAbandoned(): Promise<number> {
      const released = dialect === 'sqlite' ? await jobs.releaseRunning() : 0;
      await jobs.promoteOrphans();
      return released;
    },
    /**
     * Work of `jobKind` not started yet, counted up to about `cap`: its unclaimed jobs plus the
     * events still in the webhook inbox (of any kind; the inbox is emptied a batch per claim).
     */
    async backlog(jobKind: string, cap: number): Promise<number> {
      const [queued, inbox] = await Promise.all([jobs.countUnclaimed(jobKind, cap), inbound.countWaiting(cap)]);
      return queued + inbox;
    },
    /** Jobs of `kind` not yet taken by a worker, of every instance, counted up to about `cap`. */
    unclaimed: (jobKind: string, cap: number): Promise<number> => jobs.countUnclaimed(jobKind, cap),
    /** Waiting hooks are work that is due now. */
    nextRunAfter: (): Promise<number | undefined> => jobs.nextRunAfter({ orInbox: true }),
  };
}
