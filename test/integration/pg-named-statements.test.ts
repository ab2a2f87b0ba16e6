/**
 * Prepared queries on PostgreSQL run as server-side prepared statements of their connection;
 * other queries do not (what a connection keeps stays bounded). A statement reading `*` that a
 * migration made stale (a column added, as another instance's upgrade does) is prepared again.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type StoreDb } from '../../server/store/db.js';
import { prepared } from '../../server/store/prepared.js';
import { createPostgresDatabase, postgresTestsEnabled, type TestDatabase } from '../support/postgres.js';

const readKv = prepared<{ key: string }, Record<string, unknown>>((db, p) => db.selectFrom('kv').selectAll().where('key', '=', p.key));

describe.skipIf(!postgresTestsEnabled())('named statements on PostgreSQL', () => {
  let database: TestDatabase;
  let store: StoreDb;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    store = await openDatabase(database.url);
    await store.db.insertInto('kv').values({ key: 'k', value: 'v' }).execute();
  });

  afterAll(async () => {
    await store?.close();
    await database?.dispose();
  });

  const preparedHere = (trx: StoreDb['db']) =>
    sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(trx).then((r) => r.rows.map((row) => row.statement));

  it('prepares a prepared query once on its connection and leaves other queries unnamed', async () => {
    const seen = await store.db.transaction().execute(async (trx) => {
      const first = await readKv.run(trx, 'postgres', { key: 'k' });
      const again = await readKv.run(trx, 'postgres', { key: 'k' });
      await trx.selectFrom('kv').select('value').where('key', '=', 'k').execute();
      expect(first.rows).toEqual([{ key: 'k', value: 'v' }]);
      expect(again.rows).toEqual(first.rows);
      return preparedHere(trx);
    });
    expect(seen).toEqual(['select * from "kv" where "key" = $1']);
  });

  it('prepares again a statement that a migration made stale', async () => {
    // Prepared on every connection of the pool, so that whichever serves next has the old plan.
    await Promise.all(Array.from({ length: 20 }, () => readKv.run(store.db, 'postgres', { key: 'k' })));
    await sql`alter table kv add column note text`.execute(store.db);
    const outside = await Promise.all(Array.from({ length: 20 }, () => readKv.run(store.db, 'postgres', { key: 'k' })));
    for (const r of outside) expect(r.rows).toEqual([{ key: 'k', value: 'v', note: null }]);

    // Inside a transaction the failed statement has aborted it: the caller sees the error (as for any
    // failed statement), and the connection runs the statement under a new name afterwards.
    await Promise.all(Array.from({ length: 20 }, () => readKv.run(store.db, 'postgres', { key: 'k' })));
    await sql`alter table kv add column tag text`.execute(store.db);
    const inTransaction = () => store.db.transaction().execute((trx) => readKv.run(trx, 'postgres', { key: 'k' }));
    await expect(inTransaction()).rejects.toThrow(/cached plan/);
    const after = await inTransaction();
    expect(after.rows).toEqual([{ key: 'k', value: 'v', note: null, tag: null }]);
  });
});
