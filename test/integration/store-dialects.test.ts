/**
 * The store's contract on every dialect: migrations, account upserts, idempotent job enqueue,
 * leased claims in queue order, the webhook inbox and its dedupe, durable transactions.
 * SQLite always runs; PostgreSQL runs when TEST_DATABASE_URL names a server the test may create
 * databases on (each run gets a fresh database, dropped afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../../server/store/index.js';
import { MAX_LOCKED_REFRESHES } from '../../server/store/accounts-repo.js';
import { createPostgresDatabase, postgresTestsEnabled } from '../support/postgres.js';

interface Dialect {
  name: string;
  open(): Promise<{ url: string; dispose(): Promise<void> }>;
}

const dialects: Dialect[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'store-'));
      return { url: `sqlite:${join(dir, 'db.sqlite')}`, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];

if (postgresTestsEnabled()) dialects.push({ name: 'postgres', open: createPostgresDatabase });

for (const dialect of dialects) {
  describe(`store on ${dialect.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let clock = 1_000_000;

    it('opens and migrates a fresh database, twice without harm', async () => {
      const db = await dialect.open();
      dispose = db.dispose;
      const first = await openStore(db.url, () => clock);
      await first.close();
      store = await openStore(db.url, () => clock);
      expect(await store.ping()).toBe(true);
    });

    it('upserts accounts and finds them by scope and site key', async () => {
      await store.accounts.setConnection(42, 'connected', { scope_id: 'ch_acc', amojo_id: 'acc' });
      const key = await store.accounts.ensureSiteKey(42);
      expect(await store.accounts.ensureSiteKey(42)).toBe(key);
      expect((await store.accounts.getByScope('ch_acc'))?.id).toBe(42);
      expect((await store.accounts.getBySiteKey(key))?.connection_state).toBe('connected');
      expect(typeof (await store.accounts.get(42))?.created_at).toBe('number');
    });

    it.runIf(dialect.name === 'postgres')('holds at most MAX_LOCKED_REFRESHES token refreshes at once, the others in turn', async () => {
      const ids = [43, 44, 45, 46];
      for (const id of ids) await store.accounts.setConnection(id, 'connected', { scope_id: `ch_${id}`, amojo_id: `a${id}` });
      const started: number[] = [];
      const release = new Map<number, () => void>();
      const refreshes = ids.map((id) =>
        store.accounts.withTokenLock(id, async (locked) => {
          started.push(id);
          expect((await locked.get(id))?.id).toBe(id);
          await new Promise<void>((resolve) => release.set(id, resolve));
          return id;
        }),
      );
      await vi.waitFor(() => expect(started).toHaveLength(MAX_LOCKED_REFRESHES));
      expect(started).toEqual(ids.slice(0, MAX_LOCKED_REFRESHES));
      release.get(started[0]!)!();
      await vi.waitFor(() => expect(started).toHaveLength(MAX_LOCKED_REFRESHES + 1));
      expect(started.at(-1)).toBe(ids[MAX_LOCKED_REFRESHES]);
      // Everything else still runs while refreshes wait on amoCRM.
      expect((await store.accounts.get(46))?.id).toBe(46);
      for (const r of release.values()) r();
      await vi.waitFor(() => expect(release.size).toBe(ids.length));
      for (const r of release.values()) r();
      expect(await Promise.all(refreshes)).toEqual(ids);
    });

    it('enqueues idempotently and claims in queue order with leases', async () => {
      await store.jobs.enqueue([
        { kind: 'k', payload: { n: 1 }, queueKey: 'q', idempotencyKey: 'a' },
        { kind: 'k', payload: { n: 2 }, queueKey: 'q', idempotencyKey: 'b' },
        { kind: 'k', payload: { n: 3 }, queueKey: 'r' },
      ]);
      await store.jobs.enqueue({ kind: 'k', payload: { n: 9 }, idempotencyKey: 'a' });
      const first = await store.jobs.claim('w', 10, 1000);
      expect(first.map((j) => JSON.parse(j.payload).n).sort()).toEqual([1, 3]);
      expect(await store.jobs.claim('w2', 10, 1000)).toEqual([]);
      for (const j of first) await store.jobs.complete(j.id, 'w');
      const second = await store.jobs.claim('w', 10, 1000);
      expect(second.map((j) => JSON.parse(j.payload).n)).toEqual([2]);
      clock += 1001;
      const taken = await store.jobs.claim('w2', 10, 1000);
      expect(taken.map((j) => j.id)).toEqual(second.map((j) => j.id));
      expect(await store.jobs.list({ state: 'pending' })).toEqual([]);
    });

    it('keeps stored hooks in arrival order and turns each into one job, dropping repeats', async () => {
      const ev = (key: string) => ({ dedupeKey: key, scopeId: 'ch_acc', kind: 'message', job: { kind: 'hook', payload: { key }, queueKey: 'chat:1' } });
      await store.inbound.record([ev('m1'), ev('m2'), ev('m1')]);
      await store.inbound.record([ev('m2'), ev('m3'), ev('m4')]);
      expect(await store.inbound.countWaiting(10)).toBe(6);
      expect(await store.jobs.list({ kind: 'hook' })).toEqual([]);
      expect(await store.inbound.has('m1')).toBe(false);

      expect(await store.inbound.dispatch(4)).toEqual({ taken: 4, created: 2 });
      expect(await store.inbound.dispatch(4)).toEqual({ taken: 2, created: 2 });
      expect(await store.inbound.dispatch(4)).toEqual({ taken: 0, created: 0 });
      const jobs = await store.jobs.list({ kind: 'hook' });
      expect(jobs.map((j) => JSON.parse(j.payload).key)).toEqual(['m1', 'm2', 'm3', 'm4']);
      expect(jobs.every((j) => j.queue_key === 'chat:1')).toBe(true);
      expect(await store.inbound.has('m1')).toBe(true);
      expect(await store.inbound.countWaiting(10)).toBe(0);

      // A repeat arriving much later is still dropped.
      await store.inbound.record([ev('m1')]);
      expect(await store.inbound.dispatch(10)).toEqual({ taken: 1, created: 0 });
      expect((await store.jobs.list({ kind: 'hook' })).length).toBe(4);
    });

    it('feeds the job queue from the inbox before claiming, past a batch of repeats', async () => {
      // Finish what earlier tests left ready, so the claims below see only this test's jobs.
      for (let left = await store.jobs.claim('drain', 100, 1000); left.length > 0; left = await store.jobs.claim('drain', 100, 1000)) {
        for (const j of left) await store.jobs.complete(j.id, 'drain');
      }
      const ev = (key: string) => ({ dedupeKey: key, scopeId: 'ch_acc', kind: 'message', job: { kind: 'fed', payload: { key } } });
      await store.inbound.record([ev('r1'), ev('r2')]);
      await store.inbound.dispatch(10);
      await store.inbound.record([ev('r1'), ev('r2'), ev('r3')]);
      expect(await store.jobQueue.nextRunAfter()).toBe(0);
      const claimed = await store.jobQueue.claim('feeder', 2, 1000);
      expect(claimed.map((j) => JSON.parse(j.payload).key)).toEqual(['r1', 'r2']);
      for (const j of claimed) await store.jobs.complete(j.id, 'feeder');
      // The next claim's first batch (r1, r2) is all repeats; the feed goes on to r3.
      const next = await store.jobQueue.claim('feeder', 2, 1000);
      expect(next.map((j) => JSON.parse(j.payload).key)).toEqual(['r3']);
      for (const j of next) await store.jobs.complete(j.id, 'feeder');
      expect(await store.inbound.countWaiting(10)).toBe(0);
    });

    it('rolls a failed durable transaction back entirely', async () => {
      await expect(
        store.storeDb.durableTransaction(async (trx) => {
          await trx.insertInto('kv').values({ key: 'x', value: '1' }).execute();
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.kv.get('x')).toBeUndefined();
    });

    it('purges expired token ids and hook keys past the dedupe window, nothing newer', async () => {
      await store.usedTokens.claim('old-jti', clock - 1);
      await store.usedTokens.claim('later-jti', clock + 60_000);
      clock += 31 * 24 * 60 * 60 * 1000;
      await store.inbound.record([{ dedupeKey: 'fresh', scopeId: 's', kind: 'message', job: { kind: 'hook', payload: {} } }]);
      await store.inbound.dispatch(10);
      const purged = await store.purgeExpired();
      expect(purged.tokenIds).toBe(2);
      expect(purged.hookKeys).toBe(7);
      expect(await store.inbound.has('fresh')).toBe(true);
      expect(await store.inbound.has('m1')).toBe(false);
    });

    it('sums an account’s live file bytes and lists and deletes files past a cutoff', async () => {
      const file = (id: string, accountId: number, size: number, createdAt: number) => ({
        id: id as never, accountId, conversationId: null, name: `${id}.txt`, contentType: 'text/plain', size, kind: 'file' as const,
        path: `ab/${id}`, sha256: 'x', origin: 'client' as const, createdAt,
      });
      await store.bridge.files.insert(file('f_old', 7, 3_000_000_000, 100));
      await store.bridge.files.insert(file('f_new', 7, 5, 200));
      await store.bridge.files.insert(file('f_other', 8, 11, 50));
      expect(await store.bridge.files.usage(7, 0)).toBe(3_000_000_005);
      expect(await store.bridge.files.usage(7, 150)).toBe(5);
      expect(await store.bridge.files.usage(9, 0)).toBe(0);
      const expired = await store.bridge.files.listCreatedBefore(150, 10);
      expect(expired.map((f) => f.id)).toEqual(['f_other', 'f_old']);
      await store.bridge.files.delete(expired.map((f) => f.id));
      expect(await store.bridge.files.get('f_old' as never)).toBeUndefined();
      expect(await store.bridge.files.usage(7, 0)).toBe(5);
    });

    it('stores a message’s job with it only when the message is new and none of its conversation is held', async () => {
      const conversationId = 'c_jobbed' as never;
      await store.bridge.conversations.insert({
        id: conversationId, accountId: 42, platform: 'webchat', platformChatId: 'v_jobbed', participantId: 'p_jobbed' as never,
        participantName: 'Visitor', profile: {}, amojoChatId: null, amojoParticipantId: null, createdAt: clock,
      });
      const message = (id: string, clientMsgId: string, status: 'queued' | 'held') => ({
        id: id as never, conversationId, direction: 'inbound' as const, amojoMsgId: null, clientMsgId: clientMsgId as never,
        kind: 'text' as const, status, content: { text: id }, error: null, seq: 0, createdAt: clock, updatedAt: clock,
      });
      const job = (msgid: string) => ({ kind: 'jobbed', payload: { msgid }, queueKey: 'conv:c_jobbed', idempotencyKey: `jobbed:${msgid}` });
      const event = { type: 'message', data: {} } as never;
      const insert = (id: string, clientMsgId: string) => store.bridge.transaction((tx) => tx.messages.insertWithEvent(message(id, clientMsgId, 'queued'), event, job(id)));
      const jobbed = async () => (await store.jobs.list({ kind: 'jobbed' })).map((j) => [JSON.parse(j.payload).msgid, j.state]);

      expect(await insert('m_1', 'cm_1')).toMatchObject({ inserted: true, othersHeld: false });
      expect(await insert('m_2', 'cm_2')).toMatchObject({ inserted: true, othersHeld: false });
      // The second waits behind the first in their queue, as a job enqueued on its own would.
      expect(await jobbed()).toEqual([['m_1', 'pending'], ['m_2', 'waiting']]);
      // A repeated client msgid: no message, so no job.
      expect(await insert('m_dup', 'cm_1')).toMatchObject({ inserted: false });
      // Others held: the caller releases them all, so the statement stores no job.
      await store.bridge.transaction((tx) => tx.messages.insertWithEvent(message('m_held', 'cm_held', 'held'), event));
      expect(await insert('m_3', 'cm_3')).toMatchObject({ inserted: true, othersHeld: true });
      expect((await jobbed()).map(([msgid]) => msgid)).toEqual(['m_1', 'm_2']);
    });

    it('answers the newest event stamps up to an id, newest first, of one conversation only', async () => {
      const ids: number[] = [];
      for (const [conversation, at] of [['c_stamps', 10], ['c_other', 11], ['c_stamps', 12], ['c_stamps', 13], ['c_stamps', 14]] as const) {
        ids.push(await store.bridge.timeline.append(conversation as never, { type: 'status', data: { msgid: 'm', state: 'sent' } } as never, at));
      }
      const [first, , third, fourth, fifth] = ids as [number, number, number, number, number];
      expect(await store.bridge.timeline.stampsUpTo('c_stamps' as never, fourth, 10)).toEqual([
        { id: fourth, createdAt: 13 },
        { id: third, createdAt: 12 },
        { id: first, createdAt: 10 },
      ]);
      expect(await store.bridge.timeline.stampsUpTo('c_stamps' as never, fifth, 2)).toEqual([
        { id: fifth, createdAt: 14 },
        { id: fourth, createdAt: 13 },
      ]);
    });

    afterAll(async () => {
      await store?.close();
      await dispose?.();
    });
  });
}
