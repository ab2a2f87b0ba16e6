/**
 * Durable jobs. A job is claimed with a lease; a process that dies mid-job leaves it `running`
 * with a lapsed lease, and any worker takes it again. Jobs sharing a `queue_key` are claimable
 * one at a time in id order, which keeps per-conversation order. Finished jobs are deleted;
 * parked (`dead`) ones stay with their last error.
 *
 * A job queued behind an unfinished job of its queue is stored `waiting`, and the job that leaves
 * the queue (finished, parked, discarded) promotes the next one to `pending` in the same
 * transaction. A claim thus reads only queue heads: a conversation with a thousand messages
 * backed up costs it one row, not a thousand. The claim still checks that nothing unfinished of
 * the queue comes first (`isQueueHead`), so order holds even where two inserts raced.
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { JobLease } from '../bridge/job-runner.js';
import { createBatcher } from './batcher.js';
import type { SqlDialect, StoreDb } from './db.js';
import { prepared } from './prepared.js';
import type { Database, JobRow, JobState, JobsTable } from './schema.js';

export interface NewJob {
  kind: string;
  payload: unknown;
  queueKey?: string | null;
  /** A second job with the same key is silently not created. */
  idempotencyKey?: string | null;
  runAfter?: number;
}

export type JobRepo = ReturnType<typeof createJobRepo>;

type Db = Kysely<Database> | Transaction<Database>;

/** `id` is one of a list of ids given as one value (one statement text however many there are). */
function idIn(ids: unknown, dialect: SqlDialect) {
  return dialect === 'postgres' ? sql<boolean>`${sql.ref('id')} = any(${ids}::bigint[])` : sql<boolean>`${sql.ref('id')} in (select value from json_each(${ids}))`;
}
/** A list of queue keys given as one value, as rows of one column `value`. */
function keyRows(keys: unknown, dialect: SqlDialect) {
  return (dialect === 'postgres' ? sql<{ value: string }>`(select unnest(${keys}::text[]) as value)` : sql<{ value: string }>`(select value from json_each(${keys}))`).as('k');
}
/** The value `idIn` or `keyRows` takes for this list. */
const listValue = (list: Array<number | string>, dialect: SqlDialect): unknown => (dialect === 'postgres' ? list : JSON.stringify(list));

/** The states in which a job holds back the later jobs of its queue. */
const UNFINISHED: JobState[] = ['pending', 'waiting', 'running'];

const removeFinished = prepared<{ ids: unknown; workerId: string }, { queue_key: string | null }>((db, p, dialect) =>
  db.deleteFrom('jobs').where(idIn(p.ids, dialect)).where('leased_by', '=', p.workerId).returning('queue_key'),
);
/**
 * One job's delete, for a job ending in its own transaction. Not `removeFinished` with a list of
 * one: PostgreSQL plans a statement on a list anew on every run (a custom plan is always cheaper
 * for the list it is given), which cost about as much as running it.
 */
const removeOne = prepared<{ id: number; workerId: string }, { queue_key: string | null }>((db, p) =>
  db.deleteFrom('jobs').where('id', '=', p.id).where('leased_by', '=', p.workerId).returning('queue_key'),
);

/**
 * No job of the row's queue in one of `states` comes before it. `row` names the outer row: `jobs`
 * in an update of the table, `j` in the claim's reads.
 *
 * Written as "the queue's first such job, along the queue's index, is none" rather than as
 * `not exists`: PostgreSQL turns a `not exists` into an anti join whose plan depends on the table's
 * statistics when the statement was first planned. Planned on a new, nearly empty table (every
 * fresh install, and the prepared statements keep that plan), it scanned all pending and running
 * jobs, or the whole table, on every run. The ordered, limited subquery reads the queue's index
 * however the table looked then.
 */
function nothingBefore(row: 'jobs' | 'j', states: JobState[]) {
  return sql<boolean>`(select e.id from jobs as e where e.queue_key = ${sql.ref(`${row}.queue_key`)} and e.id < ${sql.ref(`${row}.id`)} and e.state in (${sql.join(states)}) order by e.queue_key, e.id limit 1) is null`;
}

/**
 * The next job of each of these queues becomes `pending`, once nothing claimable of its queue
 * comes before it. Run in the transaction that takes a job out of its queue, after that write.
 */
const promoteNext = prepared<{ keys: unknown; t: number }, never>((db, p, dialect) =>
  db
    .updateTable('jobs')
    .set({ state: 'pending', updated_at: p.t })
    // Per key, the queue's first waiting job, read along the queue's index from its start.
    .where('id', 'in', (eb) =>
      eb
        .selectFrom(keyRows(p.keys, dialect))
        .select((k) =>
          k.selectFrom('jobs as w').select('w.id').whereRef('w.queue_key', '=', 'k.value').where('w.state', '=', 'waiting').orderBy('w.id').limit(1).as('id'),
        ),
    )
    .where(nothingBefore('jobs', ['pending', 'running'])),
);

/**
 * Waiting jobs with nothing unfinished before them become `pending`. Promotion happens as jobs
 * leave their queues; this sweep is the safety net (a database restored from a backup taken
 * mid-transaction, a job deleted by hand), run at start-up and by housekeeping.
 */
export async function promoteOrphans(db: Db, t: number): Promise<number> {
  const r = await db
    .updateTable('jobs')
    .set({ state: 'pending', updated_at: t })
    .where('state', '=', 'waiting')
    .where(nothingBefore('jobs', UNFINISHED))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** After jobs left their queues (in the same transaction): each queue's next job may be claimed. */
async function promoteAfter(db: Db, dialect: SqlDialect, left: Array<{ queue_key: string | null }>, t: number): Promise<void> {
  const keys = [...new Set(left.flatMap((r) => (r.queue_key === null ? [] : [r.queue_key])))];
  if (keys.length > 0) await promoteNext.run(db, dialect, { keys: listValue(keys, dialect), t });
}

/**
 * The next waiting job of one queue, once nothing claimable of it comes before: with `handOff`
 * (1) and due, leased to the worker (see `finishJob`); otherwise made `pending` for a claim.
 */
const moveQueueOn = prepared<{ key: string; after: number; t: number; leaseUntil: number; workerId: string; handOff: number }, JobRow>((db, p, dialect) => {
  // Only a job this instance queued: another instance's goes back to it (see HOME_GRACE_MS).
  const leased = sql<boolean>`${p.handOff} = 1 and ${sql.ref('run_after')} <= ${p.t} and ${isHome('jobs', dialect)}`;
  return db
    .updateTable('jobs')
    .set((eb) => ({
      state: sql<JobState>`case when ${leased} then 'running' else 'pending' end`,
      // Cast: PostgreSQL cannot infer a parameter's type inside a CASE.
      leased_by: sql<string | null>`case when ${leased} then cast(${p.workerId} as text) end`,
      lease_until: sql<number | null>`case when ${leased} then cast(${p.leaseUntil} as bigint) end`,
      attempts: eb('attempts', '+', sql<number>`case when ${leased} then 1 else 0 end`),
      updated_at: p.t,
    }))
    // Read along the queue's index from the job that ended, not from the queue's start: a busy
    // conversation's queue holds thousands of deleted entries until vacuum.
    .where('id', '=', (eb) =>
      eb.selectFrom('jobs as w').select('w.id').where('w.queue_key', '=', p.key).where('w.id', '>', p.after).where('w.state', '=', 'waiting').orderBy('w.queue_key').orderBy('w.id').limit(1),
    )
    .where(nothingBefore('jobs', ['pending', 'running']))
    .returningAll();
});

/**
 * Ends a job its worker holds, in the caller's transaction (the one that records the job's
 * effect), and moves its queue on: with `handOff`, the next job, when due, is leased to the same
 * worker and answered, to start as this transaction commits; otherwise it becomes claimable.
 * Undefined when the worker no longer holds the job and nothing was handed on.
 *
 * The two statements go out together (one round trip on a pipelined PostgreSQL connection) and
 * run in order: the queue moves on only past a job this transaction deleted, since a job still
 * running (taken over by another worker) fails `nothingBefore`. As in `promoteNext`, a job being
 * queued behind this one by another transaction holds the delete until it commits, and the later
 * statement then sees it.
 */
export async function finishJob(
  db: Db,
  dialect: SqlDialect,
  lease: JobLease,
  t: number,
): Promise<JobRow[] | undefined> {
  const remove = removeOne.run(db, dialect, { id: lease.jobId, workerId: lease.workerId });
  if (lease.queueKey === null) return (await remove).rows.length > 0 ? [] : undefined;
  const moved = moveQueueOn.run(db, dialect, { key: lease.queueKey, after: lease.jobId, t, leaseUntil: t + lease.leaseMs, workerId: lease.workerId, handOff: lease.handOff ? 1 : 0 });
  const [removed, next] = await Promise.all([remove, moved]);
  const handed = next.rows.filter((r) => r.state === 'running');
  return removed.rows.length === 0 && handed.length === 0 ? undefined : handed;
}

/**
 * The states as SQL literals, not parameters, where a statement should use the partial indexes
 * `jobs_pending` and `jobs_running` (migration 012): neither engine matches a partial index's
 * condition against a value it only learns when the statement runs.
 */
const PENDING = sql.lit<JobState>('pending');
const RUNNING = sql.lit<JobState>('running');

/**
 * How long a job another instance queued, once it can run, is left for that instance to claim
 * (migration 013). Its home claims it at once when it is alive and has a slot; after this, anyone.
 */
export const HOME_GRACE_MS = 50;

/** PostgreSQL: the row was queued by this process, or before homes were kept. SQLite: always. */
function isHome(row: 'jobs' | 'j', dialect: SqlDialect) {
  if (dialect !== 'postgres') return sql<boolean>`1 = 1`;
  const home = sql.ref(`${row}.home`);
  return sql<boolean>`(${home} is null or ${home} = current_setting('application_name'))`;
}

/**
 * Ready: pending and due (another instance's job only once its home had `HOME_GRACE_MS` to claim
 * it, `graceBefore` being now less that), or running with a lapsed lease.
 */
function isReady(eb: ExpressionBuilder<Database & { j: JobsTable }, 'j'>, t: number, graceBefore: number, dialect: SqlDialect) {
  return eb.or([
    eb.and([eb('j.state', '=', PENDING), eb('j.run_after', '<=', t), eb.or([isHome('j', dialect), eb('j.updated_at', '<=', graceBefore)])]),
    eb.and([eb('j.state', '=', RUNNING), eb('j.lease_until', '<', t)]),
  ]);
}

const claimReady = prepared<{ t: number; graceBefore: number; leaseUntil: number; workerId: string; limit: number }, JobRow>((db, p, dialect) => {
  const candidates = db.selectFrom('jobs as j').select('j.id').where((eb) => isReady(eb, p.t, p.graceBefore, dialect)).where(isQueueHead).orderBy('j.id').limit(p.limit);
  // PostgreSQL, where instances claim side by side: a job another claim is taking right now
  // is skipped instead of waited for, so each instance takes its own rows (FOR NO KEY UPDATE:
  // the key-share lock of an insert queueing behind a job does not make it skip). The candidates go
  // through an array so that they are chosen once: as `IN (subquery)` the planner may run a
  // locking subquery again and lease more than `limit`. (SQLite has one writer at a time.)
  const chosen =
    dialect === 'postgres' ? sql<boolean>`${sql.ref('id')} = any(array(${candidates.forNoKeyUpdate().skipLocked()}))` : sql<boolean>`${sql.ref('id')} in (${candidates})`;
  // One statement (one round trip): the candidates are chosen and leased together. The guard
  // repeats the readiness test, so two workers never both win the same job.
  return db
    .updateTable('jobs')
    .set((eb) => ({ state: 'running', leased_by: p.workerId, lease_until: p.leaseUntil, attempts: eb('attempts', '+', 1), updated_at: p.t }))
    .where(chosen)
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', PENDING), eb('run_after', '<=', p.t)]),
        eb.and([eb('state', '=', RUNNING), eb('lease_until', '<', p.t)]),
      ]),
    )
    .returningAll();
});

/**
 * When the earliest job that a claim could take becomes due (see `nextRunAfter`); with `inbox`,
 * whether hooks wait in the webhook inbox, asked in the same statement (one round trip).
 */
/** When a pending or running job becomes claimable here (another instance's after its grace). */
function dueAt(dialect: SqlDialect) {
  const pendingDue =
    dialect === 'postgres' ? sql`case when ${isHome('j', dialect)} then j.run_after else greatest(j.run_after, j.updated_at + ${sql.lit(HOME_GRACE_MS)}) end` : sql`j.run_after`;
  return sql<number | null>`min(case when j.state = 'pending' then ${pendingDue} else j.lease_until end)`.as('next');
}
const nextDue = prepared<Record<string, never>, { next: number | null }>((db, _p, dialect) =>
  db
    .selectFrom('jobs as j')
    .select(dueAt(dialect))
    .where((eb) => eb.or([eb('j.state', '=', PENDING), eb('j.state', '=', RUNNING)]))
    .where(isQueueHead),
);
const nextDueOrInbox = prepared<Record<string, never>, { next: number | null; inbox: number }>((db, _p, dialect) =>
  db
    .selectFrom('jobs as j')
    .select(dueAt(dialect))
    .select(sql<number>`(select count(*) from (select 1 from inbound_hooks limit 1) as w)`.as('inbox'))
    .where((eb) => eb.or([eb('j.state', '=', PENDING), eb('j.state', '=', RUNNING)]))
    .where(isQueueHead),
);

const queueBusy = prepared<{ queueKey: string }, { one: number }>((db, p) =>
  db.selectFrom('jobs').select(sql<number>`1`.as('one')).where('queue_key', '=', p.queueKey).where('state', 'in', UNFINISHED).limit(1),
);

/** True while a job of this queue is unfinished (pending, waiting or running): a new one would wait behind it. */
export async function isQueueBusy(db: Db, dialect: SqlDialect, queueKey: string): Promise<boolean> {
  return (await queueBusy.run(db, dialect, { queueKey })).rows.length > 0;
}

/** Jobs of a kind that no worker has taken yet (pending or waiting), counted up to `cap`. */
const countUnclaimed = prepared<{ kind: string; cap: number }, { n: number }>((db, p) =>
  db
    .selectFrom((eb) => eb.selectFrom('jobs').select('id').where('state', 'in', ['pending', 'waiting']).where('kind', '=', p.kind).limit(p.cap).as('u'))
    .select((eb) => eb.fn.countAll<number>().as('n')),
);

export function createJobRepo(store: StoreDb, now: () => number = Date.now) {
  const { db, dialect } = store;
  // Jobs finishing together are deleted by one statement per worker, in the store's group commit:
  // the same transaction as the other writes of the moment (the messages those jobs sent, say).
  const completions = createBatcher<{ id: number; workerId: string }, void>(async (items) => {
    const byWorker = new Map<string, number[]>();
    for (const { id, workerId } of items) byWorker.set(workerId, [...(byWorker.get(workerId) ?? []), id]);
    await store.groupCommit(async (trx) => {
      const left: Array<{ queue_key: string | null }> = [];
      for (const [workerId, ids] of byWorker) left.push(...(await removeFinished.run(trx, dialect, { ids: listValue(ids, dialect), workerId })).rows);
      await promoteAfter(trx, dialect, left, now());
    });
    return items.map(() => undefined);
  });

  return {
    /** Inserts jobs (one statement); those whose idempotency key exists are skipped. */
    async enqueue(jobs: NewJob | NewJob[], trx: Db = db): Promise<void> {
      const list = Array.isArray(jobs) ? jobs : [jobs];
      if (list.length === 0) return;
      await insertJobs(trx, list, now(), dialect);
    },

    /**
     * Claims up to `limit` ready jobs for `workerId`: pending and due, or running with a lapsed
     * lease, and not behind an unfinished job of the same queue key.
     */
    async claim(workerId: string, limit: number, leaseMs: number, feed?: (trx: Transaction<Database>) => Promise<unknown>): Promise<JobRow[]> {
      // In the group commit: a claim shares its commit with the writes of the moment. `feed`
      // (new jobs from the webhook inbox) runs first in the same transaction.
      const { rows } = await store.groupCommit(async (trx) => {
        await feed?.(trx);
        const t = now();
        return claimReady.run(trx, dialect, { t, graceBefore: t - HOME_GRACE_MS, leaseUntil: t + leaseMs, workerId, limit });
      });
      return rows.sort((a, b) => a.id - b.id);
    },

    /** Done: the job is removed. Only the lease holder may finish it. */
    async complete(id: number, workerId: string): Promise<void> {
      await completions.submit({ id, workerId });
    },

    async retryLater(id: number, workerId: string, runAfter: number, error: string): Promise<void> {
      await db
        .updateTable('jobs')
        .set({ state: 'pending', run_after: runAfter, lease_until: null, leased_by: null, last_error: error, updated_at: now() })
        .where('id', '=', id)
        .where('leased_by', '=', workerId)
        .execute();
    },

    /** Parks the job as dead with its last error; it no longer blocks its queue. */
    async bury(id: number, workerId: string, error: string): Promise<void> {
      await store.groupCommit(async (trx) => {
        // Leaves its queue: waits, like a delete, for an insert queueing behind it (`initialState`).
        if (dialect === 'postgres') await trx.selectFrom('jobs').select('id').where('id', '=', id).forUpdate().execute();
        const left = await trx
          .updateTable('jobs')
          .set({ state: 'dead', lease_until: null, last_error: error, updated_at: now() })
          .where('id', '=', id)
          .where('leased_by', '=', workerId)
          .returning('queue_key')
          .execute();
        await promoteAfter(trx, dialect, left, now());
      });
    },

    async list(filter: { state?: JobRow['state']; kind?: string } = {}): Promise<JobRow[]> {
      let q = db.selectFrom('jobs').selectAll().orderBy('id');
      if (filter.state) q = q.where('state', '=', filter.state);
      if (filter.kind) q = q.where('kind', '=', filter.kind);
      return q.execute();
    },

    /**
     * When the earliest job that a claim could take becomes due: a pending job's `run_after`, a
     * running one's lease end (taken over then if its worker died). Only the head of each queue
     * counts: jobs waiting behind an unfinished job of their queue are not due before it, so a
     * conversation blocked by a job that waits for its retry costs nothing until that retry.
     * `orInbox`: 0 when hooks wait in the webhook inbox (they become jobs due now).
     */
    async nextRunAfter(opts: { orInbox?: boolean } = {}): Promise<number | undefined> {
      const row = opts.orInbox ? (await nextDueOrInbox.run(db, dialect, {})).rows[0] : (await nextDue.run(db, dialect, {})).rows[0];
      // Hooks waiting in the inbox are work due now.
      if (row && 'inbox' in row && Number(row.inbox) > 0) return 0;
      return row?.next == null ? undefined : Number(row.next);
    },

    /** Jobs of `kind` not yet taken by a worker, counted up to `cap` (a bound, not a census). */
    async countUnclaimed(kind: string, cap: number): Promise<number> {
      return Number((await countUnclaimed.run(db, dialect, { kind, cap })).rows[0]?.n ?? 0);
    },

    /** The heartbeat: extends, in one statement, the leases `workerId` still holds; answers their ids. */
    async renew(workerId: string, ids: number[], leaseMs: number): Promise<number[]> {
      if (ids.length === 0) return [];
      const t = now();
      const rows = await db
        .updateTable('jobs')
        .set({ lease_until: t + leaseMs })
        .where('id', 'in', ids)
        .where('state', '=', 'running')
        .where('leased_by', '=', workerId)
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },

    /**
     * Makes every running job claimable now. Only right for a database one process uses (SQLite):
     * at start-up, whatever is still running was left by a process that is gone.
     */
    async releaseRunning(): Promise<number> {
      const r = await db
        .updateTable('jobs')
        .set({ state: 'pending', run_after: now(), lease_until: null, leased_by: null, updated_at: now() })
        .where('state', '=', 'running')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    /** See `promoteOrphans`; answers how many jobs it made claimable. */
    promoteOrphans: (): Promise<number> => promoteOrphans(db, now()),

    async get(id: number): Promise<JobRow | undefined> {
      return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /**
     * Gives parked jobs (one, or all when `id` is omitted) a fresh set of attempts, due now; answers
     * how many. Jobs in another state are left alone.
     */
    async retryDead(id?: number): Promise<number> {
      let q = db
        .updateTable('jobs')
        .set({ state: 'pending', attempts: 0, run_after: now(), lease_until: null, leased_by: null, updated_at: now() })
        .where('state', '=', 'dead');
      if (id !== undefined) q = q.where('id', '=', id);
      return Number((await q.executeTakeFirst()).numUpdatedRows);
    },

    /** Deletes a job that no worker runs (pending or dead); answers whether one was deleted. */
    async discard(id: number): Promise<boolean> {
      return store.groupCommit(async (trx) => {
        const left = await trx.deleteFrom('jobs').where('id', '=', id).where('state', 'in', ['pending', 'waiting', 'dead']).returning('queue_key').execute();
        await promoteAfter(trx, dialect, left, now());
        return left.length > 0;
      });
    },
  };
}

/** `j` is not behind an unfinished job of its queue (or has no queue). */
function isQueueHead(eb: ExpressionBuilder<Database & { j: JobsTable }, 'j'>) {
  return eb.or([eb('j.queue_key', 'is', null), nothingBefore('j', UNFINISHED)]);
}

/** A job whose payload is JSON text already (as the webhook inbox keeps it). */
export interface SerializedJob extends Omit<NewJob, 'payload'> {
  payloadJson: string;
}

export async function insertJobs(db: Db, list: NewJob[], t: number, dialect: SqlDialect): Promise<void> {
  await insertSerializedJobs(
    db,
    list.map(({ payload, ...job }) => ({ ...job, payloadJson: JSON.stringify(payload) })),
    t,
    dialect,
  );
}

type NewJobRow = Pick<JobsTable, 'kind' | 'payload' | 'queue_key' | 'idempotency_key'> & { run_after: number; t: number };

/**
 * A new job's state: `waiting` when an unfinished job of its queue exists, else `pending`. On
 * PostgreSQL the queue's last unfinished job is locked (FOR KEY SHARE) until this insert commits,
 * so a worker taking that job out of the queue at the same moment (a delete, or `bury`, which
 * locks the row FOR UPDATE first) waits for the insert and then promotes the new job, rather than
 * missing a row it could not see yet. Updates that keep the job in its queue (claimed, handed on,
 * promoted, retried) take no conflicting lock and do not wait: under a steady flow the newest job
 * of a busy conversation is the one handed on next, while its next message is being accepted.
 * (SQLite has one writer.)
 *
 * A job another transaction holds locked right now against this (being finished) is skipped, not
 * waited for (SKIP LOCKED): an insert that waited would hold its transaction's other locks
 * meanwhile, and transactions that insert into one queue and finish a job of another would
 * deadlock each other. Skipping it at worst stores the new job `pending` behind an unfinished one,
 * which the claim's queue-head test (`isQueueHead`) keeps from running before it.
 */
export function initialState(db: Db, queueKey: string | null, dialect: SqlDialect): RawBuilder<JobState> {
  const tail = db
    .selectFrom('jobs as q')
    .select(sql<number>`1`.as('one'))
    .where('q.queue_key', '=', queueKey)
    .where('q.state', 'in', UNFINISHED)
    // Both columns of the queue's index, so that the plan reads it backwards from the tail.
    .orderBy('q.queue_key', 'desc')
    .orderBy('q.id', 'desc')
    .limit(1);
  return sql<JobState>`case when exists ${dialect === 'postgres' ? tail.forKeyShare().skipLocked() : tail} then 'waiting' else 'pending' end`;
}

// Most messages make one job: that insert is prepared; several at once are built as they come.
const insertOne = prepared<NewJobRow, never>((db, p, dialect) =>
  db
    .insertInto('jobs')
    .values({
      kind: p.kind,
      payload: p.payload,
      queue_key: p.queue_key,
      idempotency_key: p.idempotency_key,
      state: initialState(db, p.queue_key, dialect),
      attempts: 0,
      run_after: p.run_after,
      created_at: p.t,
      updated_at: p.t,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing()),
);

/** Inserts jobs in one statement; those whose idempotency key exists are skipped. */
export async function insertSerializedJobs(db: Db, list: SerializedJob[], t: number, dialect: SqlDialect): Promise<void> {
  if (list.length === 0) return;
  const [only] = list;
  if (only && list.length === 1) {
    const row = { kind: only.kind, payload: only.payloadJson, queue_key: only.queueKey ?? null, idempotency_key: only.idempotencyKey ?? null, run_after: only.runAfter ?? t, t };
    await insertOne.run(db, dialect, row);
    return;
  }
  // A statement does not see its own rows: a job behind an earlier one of the same list waits.
  // (Not behind one with an idempotency key: that one may be skipped, leaving nothing ahead.)
  const listed = new Set<string>();
  const stateOf = (j: SerializedJob): Expression<JobState> | JobState => {
    const key = j.queueKey ?? null;
    if (key === null) return 'pending';
    const behind = listed.has(key);
    if (!j.idempotencyKey) listed.add(key);
    return behind ? 'waiting' : initialState(db, key, dialect);
  };
  await db
    .insertInto('jobs')
    .values(
      list.map((j) => ({
        kind: j.kind,
        payload: j.payloadJson,
        queue_key: j.queueKey ?? null,
        idempotency_key: j.idempotencyKey ?? null,
        state: stateOf(j),
        attempts: 0,
        run_after: j.runAfter ?? t,
        created_at: t,
        updated_at: t,
      })),
    )
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}
