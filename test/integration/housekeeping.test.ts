/**
 * Housekeeping on SQLite and (with TEST_DATABASE_URL) PostgreSQL, on an injected clock: parked jobs
 * go once past their retention, counted from when they were parked; younger parked jobs and live
 * jobs stay; hook dedupe keys go past their window.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEAD_JOB_RETENTION_MS } from '../../server/store/housekeeping.js';
import { openStore } from '../../server/store/index.js';
import { createPostgresDatabase, postgresTestsEnabled } from '../support/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'housekeeping-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dialects: Array<{ name: string; open(): Promise<{ url: string; dispose(): Promise<void> }> }> = [
  { name: 'sqlite', open: async () => ({ url: `sqlite:${join(dir, 'db.sqlite')}`, dispose: async () => undefined }) },
];
if (postgresTestsEnabled()) dialects.push({ name: 'postgres', open: createPostgresDatabase });

for (const dialect of dialects) {
  describe(`housekeeping on ${dialect.name}`, () => {
    it('purges parked jobs past their retention and old hook keys, and nothing else', async () => {
      const db = await dialect.open();
      let clock = 1_000_000_000;
      const store = await openStore(db.url, () => clock);
      try {
        // Created long ago, parked only recently: the retention counts from the parking.
        await store.jobs.enqueue([
          { kind: 'old', payload: {}, queueKey: 'a' },
          { kind: 'late', payload: {}, queueKey: 'b' },
          { kind: 'waiting', payload: {}, queueKey: 'c', runAfter: clock + 10 * DEAD_JOB_RETENTION_MS },
        ]);
        const claimed = await store.jobs.claim('w', 2, 60_000);
        const byKind = new Map(claimed.map((j) => [j.kind, j.id]));
        await store.jobs.bury(byKind.get('old')!, 'w', 'gave up');
        await store.inbound.record([{ dedupeKey: 'k-old', scopeId: 's', kind: 'message', job: { kind: 'hook', payload: {} } }]);
        await store.inbound.dispatch(10);
        clock += DEAD_JOB_RETENTION_MS - 1_000;
        await store.jobs.bury(byKind.get('late')!, 'w', 'gave up too');

        expect(await store.purgeExpired()).toMatchObject({ deadJobs: 0 });
        clock += 2_000;
        expect(await store.purgeExpired()).toMatchObject({ deadJobs: 1, hookKeys: 1 });
        expect((await store.jobs.list()).map((j) => j.kind).sort()).toEqual(['hook', 'late', 'waiting']);
        clock += DEAD_JOB_RETENTION_MS;
        expect(await store.purgeExpired()).toMatchObject({ deadJobs: 1 });
        expect((await store.jobs.list()).map((j) => j.kind).sort()).toEqual(['hook', 'waiting']);
      } finally {
        await store.close();
        await db.dispose();
      }
    });
  });
}
