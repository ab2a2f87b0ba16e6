/**
 * Inbound events (webhooks), in two steps:
 * 1. `record`: the webhook intake appends each accepted hook to the inbox (`inbound_hooks`) in a
 *    durable transaction, before amoCRM gets its 200. The inbox has no secondary index, so this
 *    commit stays small however many hooks arrive together. (`recordShared` does the same in the
 *    store's group commit, for the Telegram updates.)
 * 2. `dispatch`: the job runner moves the oldest hooks into `jobs`, in arrival order, in one
 *    transaction that also records each hook's dedupe key in `inbound_events`. A hook whose key
 *    is already there (a repeat) is dropped, so it has no second effect.
 * The costly index work (dedupe keys, job queues) thus happens off the request path, in batches.
 */
import type { Transaction } from 'kysely';
import type { SqlDialect, StoreDb } from './db.js';
import { insertSerializedJobs, type NewJob } from './jobs-repo.js';
import { prepared } from './prepared.js';
import type { Database, InboundHooksRow } from './schema.js';

export interface InboundEvent {
  dedupeKey: string;
  scopeId: string;
  kind: string;
  /** The job that processes the event; created only when the event is new. */
  job: Pick<NewJob, 'kind' | 'payload' | 'queueKey'>;
}

export interface DispatchResult {
  /** Hooks taken from the inbox. */
  taken: number;
  /** Jobs created for them (repeats create none). */
  created: number;
}

export type InboundRepo = ReturnType<typeof createInboundRepo>;

// Asked before every claim.
const anyHook = prepared<Record<string, never>, { id: number }>((db) => db.selectFrom('inbound_hooks').select('id').limit(1));

type InboxRow = { dedupe_key: string; scope_id: string; kind: string; job_kind: string; queue_key: string | null; payload: string; received_at: number };
const inboxRow = (e: InboundEvent, t: number): InboxRow => ({
  dedupe_key: e.dedupeKey,
  scope_id: e.scopeId,
  kind: e.kind,
  job_kind: e.job.kind,
  queue_key: e.job.queueKey ?? null,
  payload: JSON.stringify(e.job.payload),
  received_at: t,
});
const insertOne = prepared<InboxRow, never>((db, p) =>
  db.insertInto('inbound_hooks').values({
    dedupe_key: p.dedupe_key,
    scope_id: p.scope_id,
    kind: p.kind,
    job_kind: p.job_kind,
    queue_key: p.queue_key,
    payload: p.payload,
    received_at: p.received_at,
  }),
);

const oldestHooks = prepared<{ limit: number }, InboundHooksRow>((db, p) => db.selectFrom('inbound_hooks').selectAll().orderBy('id').limit(p.limit));

/** Up to `limit` of the oldest stored hooks become jobs in `trx`; repeats (known dedupe keys) are dropped. */
async function moveToJobs(trx: Transaction<Database>, limit: number, dialect: SqlDialect, t: number): Promise<DispatchResult> {
  const hooks = (await oldestHooks.run(trx, dialect, { limit })).rows;
  if (hooks.length === 0) return { taken: 0, created: 0 };
  const inserted = await trx
    .insertInto('inbound_events')
    .values(hooks.map((h) => ({ dedupe_key: h.dedupe_key, scope_id: h.scope_id, kind: h.kind, received_at: h.received_at })))
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('dedupe_key')
    .execute();
  const fresh = new Set(inserted.map((r) => r.dedupe_key));
  // `delete` answers true once per key, so a hook repeated within the batch gets one job.
  const jobs = hooks.filter((h) => fresh.delete(h.dedupe_key)).map((h) => ({ kind: h.job_kind, payloadJson: h.payload, queueKey: h.queue_key }));
  await insertSerializedJobs(trx, jobs, t, dialect);
  await trx
    .deleteFrom('inbound_hooks')
    .where(
      'id',
      'in',
      hooks.map((h) => h.id),
    )
    .execute();
  return { taken: hooks.length, created: jobs.length };
}

export function createInboundRepo(store: StoreDb, now: () => number = Date.now) {
  const { db } = store;

  return {
    /** Stores a batch of accepted hooks durably, in one commit (many concurrent hooks, one fsync). */
    async record(events: InboundEvent[]): Promise<void> {
      if (events.length === 0) return;
      const t = now();
      await store.durableTransaction((trx) =>
        trx
          .insertInto('inbound_hooks')
          .values(events.map((e) => inboxRow(e, t)))
          .execute(),
      );
    },

    /**
     * Stores one event durably in the store's group commit: it shares its commit with the other
     * writes of the moment, and its flush runs in the thread pool while the event loop goes on.
     * For intakes that may answer a moment later in exchange for less work per event.
     */
    async recordShared(event: InboundEvent): Promise<void> {
      const row = inboxRow(event, now());
      await store.groupCommit((trx) => insertOne.run(trx, store.dialect, row), true);
    },

    /**
     * Moves up to `limit` of the oldest stored hooks into jobs, keeping their order, in its own
     * transaction. Safe to run from several processes at once: the dedupe insert lets exactly one
     * of them create the job. (On PostgreSQL with several processes, two hooks stored at the same
     * instant by different processes may become jobs in either order; one process keeps arrival
     * order exactly.)
     */
    async dispatch(limit: number): Promise<DispatchResult> {
      // The inbox is empty before almost every claim: one read answers that, where the
      // transaction would cost a begin and a commit on top (three round trips on PostgreSQL).
      if ((await anyHook.run(db, store.dialect, {})).rows.length === 0) return { taken: 0, created: 0 };
      return db.transaction().execute((trx) => moveToJobs(trx, limit, store.dialect, now()));
    },

    /** Whether any hook waits in the inbox (one cheap read, outside any transaction). */
    async hasWaiting(): Promise<boolean> {
      return (await anyHook.run(db, store.dialect, {})).rows.length > 0;
    },

    /**
     * The same inside `trx` (the job queue runs it in the claim's own transaction, so that feeding
     * the jobs costs no commit of its own): until some hooks became jobs or the inbox is empty (a
     * batch of repeats creates none).
     */
    async dispatchIn(trx: Transaction<Database>, limit: number): Promise<DispatchResult> {
      for (;;) {
        const moved = await moveToJobs(trx, limit, store.dialect, now());
        if (moved.taken === 0 || moved.created > 0) return moved;
      }
    },

    /** Hooks waiting in the inbox, counted up to `cap`. */
    async countWaiting(cap: number): Promise<number> {
      const row = await db
        .selectFrom((eb) => eb.selectFrom('inbound_hooks').select('id').limit(cap).as('w'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /** True once a hook with this key was dispatched (its repeats are dropped). */
    async has(dedupeKey: string): Promise<boolean> {
      const row = await db.selectFrom('inbound_events').select('dedupe_key').where('dedupe_key', '=', dedupeKey).executeTakeFirst();
      return row !== undefined;
    },
  };
}
