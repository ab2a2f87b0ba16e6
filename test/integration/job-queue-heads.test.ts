/**
 * Queued jobs wait behind their queue's head: a job behind an unfinished one of its queue is
 * stored `waiting`, and whatever takes the head out of the queue (finished, parked, discarded)
 * makes the next one claimable, in order. On both dialects; on PostgreSQL also the race between
 * an insert and the completion of the job it queued behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../server/store/index.js';
import type { JobRecord } from '../../server/bridge/job-runner.js';
import type { JobRow } from '../../server/store/schema.js';
import { HOME_GRACE_MS } from '../../server/store/jobs-repo.js';
import { createPostgresDatabase, postgresTestsEnabled } from '../support/postgres.js';

const dialects: Array<{ name: string; open(): Promise<{ url: string; dispose(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'queue-heads-'));
      return { url: `sqlite:${join(dir, 'db.sqlite')}`, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];
if (postgresTestsEnabled()) dialects.push({ name: 'postgres', open: createPostgresDatabase });

const n = (j: Pick<JobRow, 'payload'>): number => (JSON.parse(j.payload) as { n: number }).n;
const job = (queueKey: string | null, value: number) => ({ kind: 'k', payload: { n: value }, queueKey });

for (const dialect of dialects) {
  describe(`queue heads on ${dialect.name}`, () => {
    let store: Store;
    let dispose: (() => Promise<void>) | undefined;

    async function open(): Promise<Store> {
      const db = await dialect.open();
      store = await openStore(db.url);
      dispose = async () => {
        await store.close();
        await db.dispose();
      };
      return store;
    }
    afterEach(async () => {
      await dispose?.();
      dispose = undefined;
    });

    const statesOf = async () => new Map((await store.jobs.list()).map((j) => [n(j), j.state]));

    it('stores a job behind an unfinished one of its queue as waiting, and claims only queue heads', async () => {
      await open();
      await store.jobs.enqueue(job('a', 1));
      await store.jobs.enqueue([job('a', 2), job('a', 3), job('b', 4), job(null, 5)]);
      await store.jobs.enqueue(job('b', 6));
      expect(await statesOf()).toEqual(new Map([[1, 'pending'], [2, 'waiting'], [3, 'waiting'], [4, 'pending'], [5, 'pending'], [6, 'waiting']]));
      expect((await store.jobs.claim('w', 50, 60_000)).map(n)).toEqual([1, 4, 5]);
      expect(await store.jobs.claim('w', 50, 60_000)).toEqual([]);
    });

    it('runs a queue of many jobs one at a time in order, each finish making the next claimable', async () => {
      await open();
      for (let i = 1; i <= 20; i++) await store.jobs.enqueue([job('a', i), job('b', 100 + i)]);
      const done: number[] = [];
      for (;;) {
        const claimed = await store.jobs.claim('w', 50, 60_000);
        if (claimed.length === 0) break;
        expect(claimed.length).toBeLessThanOrEqual(2);
        for (const j of claimed) {
          done.push(n(j));
          await store.jobs.complete(j.id, 'w');
        }
      }
      expect(done.filter((v) => v < 100)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(done.filter((v) => v > 100)).toEqual(Array.from({ length: 20 }, (_, i) => 101 + i));
      expect(await store.jobs.list()).toEqual([]);
    });

    it('keeps the queue waiting through a retry, and moves on after a parked or discarded job', async () => {
      await open();
      await store.jobs.enqueue([job('a', 1), job('a', 2), job('a', 3), job('a', 4)]);
      const [first] = await store.jobs.claim('w', 10, 60_000);
      await store.jobs.retryLater(first!.id, 'w', Date.now() - 1, 'try again');
      expect(await statesOf()).toEqual(new Map([[1, 'pending'], [2, 'waiting'], [3, 'waiting'], [4, 'waiting']]));
      const [again] = await store.jobs.claim('w', 10, 60_000);
      expect(n(again!)).toBe(1);
      await store.jobs.bury(again!.id, 'w', 'gave up');
      expect(await statesOf()).toEqual(new Map([[1, 'dead'], [2, 'pending'], [3, 'waiting'], [4, 'waiting']]));
      const second = (await store.jobs.list()).find((j) => n(j) === 2)!;
      expect(await store.jobs.discard(second.id)).toBe(true);
      const third = (await store.jobs.list()).find((j) => n(j) === 3)!;
      expect(third.state).toBe('pending');
      // A waiting job may be discarded too; the queue goes on past it.
      const fourth = (await store.jobs.list()).find((j) => n(j) === 4)!;
      expect(await store.jobs.discard(fourth.id)).toBe(true);
      expect((await store.jobs.claim('w', 10, 60_000)).map(n)).toEqual([3]);
    });

    /** Ends `j` the way a handler does, in its own transaction (`BridgeRepos.jobs.finish`). */
    const finishIn = (j: Pick<JobRow, 'id' | 'queue_key'>, workerId: string, handOff: boolean) =>
      store.bridge.transaction((tx) => tx.jobs.finish({ jobId: j.id, queueKey: j.queue_key, workerId, leaseMs: 60_000, handOff }));

    it('hands the queue on to the worker that ends a job in its own transaction, in order, with no claim between', async () => {
      await open();
      await store.jobs.enqueue([job('a', 1), job('a', 2), job('a', 3), job('b', 4)]);
      let [head]: Array<JobRecord | undefined> = (await store.jobs.claim('w', 1, 60_000)).filter((j) => n(j) === 1);
      const done: number[] = [];
      while (head) {
        done.push(n(head));
        const next = await finishIn(head, 'w', true);
        // Leased already: no other claim can take it meanwhile.
        for (const j of next ?? []) expect(j).toMatchObject({ state: 'running', leased_by: 'w', attempts: 1 });
        expect(await store.jobs.claim('other', 10, 60_000).then((c) => c.map(n).filter((v) => v < 4))).toEqual([]);
        [head] = next ?? [];
      }
      expect(done).toEqual([1, 2, 3]);
      expect(await statesOf()).toEqual(new Map([[4, 'running']]));
    });

    it('only makes the next job claimable when ending without a hand-off, or when the next is not due yet', async () => {
      await open();
      await store.jobs.enqueue([job('a', 1), job('a', 2), { ...job('a', 3), runAfter: Date.now() + 3_600_000 }]);
      const [first] = await store.jobs.claim('w', 10, 60_000);
      expect(await finishIn(first!, 'w', false)).toEqual([]);
      expect(await statesOf()).toEqual(new Map([[2, 'pending'], [3, 'waiting']]));
      const [second] = await store.jobs.claim('w', 10, 60_000);
      expect(await finishIn(second!, 'w', true)).toEqual([]);
      expect(await statesOf()).toEqual(new Map([[3, 'pending']]));
    });

    it('changes nothing for a worker whose job was taken over, and hands nothing on past it', async () => {
      await open();
      await store.jobs.enqueue([job('a', 1), job('a', 2), job(null, 3)]);
      const claimed = await store.jobs.claim('w', 10, 60_000);
      const first = claimed.find((j) => n(j) === 1)!;
      // The lease went to another worker (this one stalled past it).
      await store.storeDb.db.updateTable('jobs').set({ leased_by: 'other' }).where('id', '=', first.id).execute();
      expect(await finishIn(first, 'w', true)).toBeUndefined();
      expect(await statesOf()).toEqual(new Map([[1, 'running'], [2, 'waiting'], [3, 'running']]));
      // A job of no queue just ends.
      expect(await finishIn(claimed.find((j) => n(j) === 3)!, 'w', true)).toEqual([]);
      expect(await statesOf()).toEqual(new Map([[1, 'running'], [2, 'waiting']]));
    });

    it('makes a waiting job with nothing ahead of it claimable at start-up and in housekeeping', async () => {
      await open();
      await store.jobs.enqueue([job('a', 1), job('a', 2), job('b', 3), job('b', 4)]);
      // The heads deleted behind the store's back (by hand, say): their queues have no head.
      await store.storeDb.db.deleteFrom('jobs').where('state', '=', 'pending').execute();
      expect(await store.jobs.claim('w', 10, 60_000)).toEqual([]);
      expect(await store.jobQueue.releaseAbandoned()).toBe(0);
      expect((await store.jobs.list()).find((j) => n(j) === 2)?.state).toBe('pending');
      await store.storeDb.db.deleteFrom('jobs').where('queue_key', '=', 'a').execute();
      expect((await store.jobs.list()).map((j) => j.state)).toEqual(['pending']);
      await store.jobs.enqueue(job('b', 5));
      await store.storeDb.db.deleteFrom('jobs').where('state', '=', 'pending').execute();
      expect(await store.purgeExpired()).toMatchObject({ promotedJobs: 1 });
      expect((await store.jobs.claim('w', 10, 60_000)).map(n)).toEqual([5]);
    });

    it.runIf(dialect.name === 'postgres')('hands on and first claims the jobs its own instance queued; another instance takes them after a grace', async () => {
      // Two instances on one database, on one clock: `home` instance A queues, B runs the head.
      let t = 1_000_000;
      const db = await dialect.open();
      const a = await openStore(db.url, () => t);
      const b = await openStore(db.url, () => t);
      dispose = async () => {
        await a.close();
        await b.close();
        await db.dispose();
      };
      store = a;
      await a.jobs.enqueue(job('q', 1));
      await a.jobs.enqueue(job('q', 2));
      await a.jobs.enqueue(job('q', 3));
      // A's job is A's to claim for a moment; then anyone's (A busy, or gone).
      expect(await b.jobs.claim('wb', 10, 60_000)).toEqual([]);
      t += HOME_GRACE_MS;
      const [head] = await b.jobs.claim('wb', 10, 60_000);
      expect(head && n(head)).toBe(1);
      // B ends job 1 asking for a hand-off: job 2 is A's, so it is only made claimable.
      const next = await b.bridge.transaction((tx) => tx.jobs.finish({ jobId: head!.id, queueKey: head!.queue_key, workerId: 'wb', leaseMs: 60_000, handOff: true }));
      expect(next).toEqual([]);
      expect(await b.jobs.claim('wb', 10, 60_000)).toEqual([]);
      // B's runner would wait for the grace, not spin.
      expect(await b.jobQueue.nextRunAfter()).toBe(t + HOME_GRACE_MS);
      const [second] = await a.jobs.claim('wa', 10, 60_000);
      expect(second && n(second)).toBe(2);
      // A hands its own next job on to itself.
      const third = await a.bridge.transaction((tx) => tx.jobs.finish({ jobId: second!.id, queueKey: second!.queue_key, workerId: 'wa', leaseMs: 60_000, handOff: true }));
      expect(third?.map(n)).toEqual([3]);
    });

    it.runIf(dialect.name === 'postgres').each([
      { how: 'completed', end: (head: JobRow) => store.jobs.complete(head.id, 'w'), after: 'pending' },
      { how: 'ended with a hand-off', end: (head: JobRow) => finishIn(head, 'w', true), after: 'running' },
      { how: 'parked', end: (head: JobRow) => store.jobs.bury(head.id, 'w', 'gave up'), after: 'pending' },
    ])('moves the queue on to a job inserted while the head it queued behind was being $how', async ({ end, after }) => {
      await open();
      await store.jobs.enqueue(job('a', 1));
      const [head] = await store.jobs.claim('w', 10, 60_000);
      let commit!: () => void;
      const held = new Promise<void>((resolve) => (commit = resolve));
      let inserted!: () => void;
      const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
      // Another instance's transaction queues job 2 behind job 1 and has not committed yet.
      const insert = store.storeDb.db.transaction().execute(async (trx) => {
        await store.jobs.enqueue(job('a', 2), trx);
        inserted();
        await held;
      });
      await insertedYet;
      let settled = false;
      const completing = end(head!).finally(() => (settled = true));
      // The completion waits for the insert (the row lock on job 1) instead of missing job 2;
      // one that does not wait settles first, and job 2 is left waiting below.
      while (!settled) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(store.storeDb.db);
        if (rows[0]!.n > 0) break;
        await new Promise((r) => setImmediate(r));
      }
      commit();
      await insert;
      await completing;
      expect((await store.jobs.list()).filter((j) => j.state !== 'dead').map((j) => [n(j), j.state])).toEqual([[2, after]]);
    });
  });
}
