/**
 * The store's contract on every dialect: migrations, account upserts, idempotent job enqueue,
 * leased claims in queue order, inbound dedupe in one transaction, durable transactions.
 * SQLite always runs; PostgreSQL runs when TEST_DATABASE_URL names a server the test may create
 * databases on (each run gets a fresh database, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../server/store/index.js';

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

const pgUrl = process.env['TEST_DATABASE_URL'];
if (pgUrl) {
  dialects.push({
    name: 'postgres',
    async open() {
      const name = `store_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(pgUrl);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        async dispose() {
          const c = new pg.Client({ connectionString: pgUrl });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name}`);
          await c.end();
        },
      };
    },
  });
} else {
  console.warn('PostgreSQL store tests skipped: set TEST_DATABASE_URL to run them');
}

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
      expect(await store.jobs.countPending(10)).toBe(0);
    });

    it('records inbound events once, with their jobs, in one durable transaction', async () => {
      const ev = (key: string) => ({ dedupeKey: key, scopeId: 'ch_acc', kind: 'message', job: { kind: 'hook', payload: { key }, idempotencyKey: `hook:${key}` } });
      const fresh = await store.inbound.recordBatch([ev('m1'), ev('m2'), ev('m1')]);
      expect([...fresh].sort()).toEqual(['m1', 'm2']);
      expect((await store.inbound.recordBatch([ev('m2'), ev('m3')])).has('m2')).toBe(false);
      expect((await store.jobs.list({ kind: 'hook' })).length).toBe(3);
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
      await store.inbound.recordBatch([{ dedupeKey: 'fresh', scopeId: 's', kind: 'message', job: { kind: 'hook', payload: {} } }]);
      const purged = await store.purgeExpired();
      expect(purged.tokenIds).toBe(2);
      expect(purged.hookKeys).toBe(3);
      expect(await store.inbound.has('fresh')).toBe(true);
      expect(await store.inbound.has('m1')).toBe(false);
    });

    afterAll(async () => {
      await store?.close();
      await dispose?.();
    });
  });
}
