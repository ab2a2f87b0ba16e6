/**
 * Instances starting at once on a fresh PostgreSQL database: each applies the migrations under
 * Kysely's migration lock (a PostgreSQL advisory lock), so all start and each migration runs once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openStore, type Store } from '../../server/store/index.js';
import { migrations } from '../../server/store/migrations/index.js';
import { createPostgresDatabase, postgresTestsEnabled, type TestDatabase } from '../support/postgres.js';

const INSTANCES = 4;

describe.skipIf(!postgresTestsEnabled())('start-up of several instances on PostgreSQL', () => {
  let database: TestDatabase | undefined;
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await database?.dispose();
  });

  it(`${INSTANCES} instances opening a fresh database at once all start and migrate it once`, async () => {
    database = await createPostgresDatabase();
    const opened = await Promise.allSettled(Array.from({ length: INSTANCES }, () => openStore(database!.url)));
    for (const r of opened) if (r.status === 'fulfilled') stores.push(r.value);
    expect(opened.map((r) => r.status)).toEqual(Array(INSTANCES).fill('fulfilled'));

    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(stores[0]!.storeDb.db);
    expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(migrations('postgres')));
    // Every instance works on the one schema.
    await Promise.all(stores.map((s, i) => s.kv.getOrCreate(`k${i}`, () => 'v')));
    expect(await stores[0]!.ping()).toBe(true);
  });
});
