/** The grouped job count behind `amochat_jobs`, on SQLite and (with TEST_DATABASE_URL) PostgreSQL. */
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../server/store/index.js';
import { createPostgresDatabase, postgresTestsEnabled, type TestDatabase } from '../support/postgres.js';

const dialects: Array<{ name: string; open(): Promise<TestDatabase> }> = [
  { name: 'sqlite', open: async () => ({ url: 'sqlite::memory:', dispose: async () => undefined }) },
];
if (postgresTestsEnabled()) dialects.push({ name: 'postgres', open: createPostgresDatabase });

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

for (const dialect of dialects) {
  describe(`job counts on ${dialect.name}`, () => {
    async function store(): Promise<Store> {
      const db = await dialect.open();
      const s = await openStore(db.url);
      cleanup.push(db.dispose, () => s.close());
      return s;
    }

    it('is empty without jobs', async () => {
      expect(await (await store()).jobCounts()).toEqual([]);
    });

    it('counts jobs per kind and state, as numbers', async () => {
      const s = await store();
      await s.jobs.enqueue([
        { kind: 'a', payload: 1, queueKey: 'q1' },
        { kind: 'a', payload: 2, queueKey: 'q2' },
        { kind: 'a', payload: 3, queueKey: 'q3' },
        { kind: 'b', payload: 4 },
      ]);
      const [first, second] = await s.jobs.list({ kind: 'a' });
      await s.storeDb.db.updateTable('jobs').set({ state: 'running', lease_until: Date.now() + 60_000, leased_by: 'w' }).where('id', '=', first!.id).execute();
      await s.storeDb.db.updateTable('jobs').set({ state: 'dead', last_error: 'gave up' }).where('id', '=', second!.id).execute();
      const counts = await s.jobCounts();
      const byKey = (c: { kind: string; state: string }) => `${c.kind}/${c.state}`;
      expect([...counts].sort((x, y) => byKey(x).localeCompare(byKey(y)))).toEqual([
        { kind: 'a', state: 'dead', count: 1 },
        { kind: 'a', state: 'pending', count: 1 },
        { kind: 'a', state: 'running', count: 1 },
        { kind: 'b', state: 'pending', count: 1 },
      ]);
    });
  });
}
