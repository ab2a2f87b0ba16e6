/**
 * The pipelined paths on a real PostgreSQL server (server/store/pg-pipeline.ts): the units of a
 * group commit side by side in one transaction, a failed unit failing alone after the batch is
 * rolled back, and the shared connection of plain reads surviving its own loss.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type StoreDb } from '../../server/store/db.js';
import { prepared } from '../../server/store/prepared.js';
import { createPostgresDatabase, postgresTestsEnabled, type TestDatabase } from '../support/postgres.js';

const readKv = prepared<{ key: string }, { key: string; value: string }>((db, p) => db.selectFrom('kv').selectAll().where('key', '=', p.key));
const insertKv = prepared<{ key: string; value: string }, never>((db, p) => db.insertInto('kv').values({ key: p.key, value: p.value }));
const backendPid = prepared<Record<string, never>, { pid: number }>((db) => db.selectNoFrom(sql<number>`pg_backend_pid()`.as('pid')));

describe.skipIf(!postgresTestsEnabled())('pipelined PostgreSQL paths', () => {
  let database: TestDatabase;
  let store: StoreDb;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    store = await openDatabase(database.url);
  });

  afterAll(async () => {
    await store?.close();
    await database?.dispose();
  });

  const values = async (prefix: string) =>
    (await store.db.selectFrom('kv').selectAll().where('key', 'like', `${prefix}%`).orderBy('key').execute()).map((r) => `${r.key}=${r.value}`);

  it('runs the units of a batch in one transaction, each unit its statements in order', async () => {
    const pids = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        store.groupCommit(async (trx) => {
          await insertKv.run(trx, 'postgres', { key: `one-${name}`, value: '1' });
          await trx.updateTable('kv').set({ value: '2' }).where('key', '=', `one-${name}`).execute();
          return (await backendPid.run(trx, 'postgres', {})).rows[0]!.pid;
        }),
      ),
    );
    // One connection, so one transaction, for the three units submitted together.
    expect(new Set(pids).size).toBe(1);
    expect(await values('one-')).toEqual(['one-a=2', 'one-b=2', 'one-c=2']);
  });

  it('rolls a failed batch back and retries each unit alone: the bad one fails, the others commit once', async () => {
    await store.db.insertInto('kv').values({ key: 'two-taken', value: 'old' }).execute();
    const outcomes = await Promise.allSettled([
      store.groupCommit((trx) => insertKv.run(trx, 'postgres', { key: 'two-a', value: 'a' })),
      store.groupCommit((trx) => insertKv.run(trx, 'postgres', { key: 'two-taken', value: 'new' })),
      store.groupCommit((trx) => insertKv.run(trx, 'postgres', { key: 'two-b', value: 'b' })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await values('two-')).toEqual(['two-a=a', 'two-b=b', 'two-taken=old']);
  });

  it('fails a unit that caught its own failed statement: the transaction it shared was aborted', async () => {
    await store.db.insertInto('kv').values({ key: 'three-taken', value: 'old' }).execute();
    const swallowing = store.groupCommit(async (trx) => {
      await insertKv.run(trx, 'postgres', { key: 'three-taken', value: 'new' }).catch(() => undefined);
      return 'swallowed';
    });
    const plain = store.groupCommit((trx) => insertKv.run(trx, 'postgres', { key: 'three-a', value: 'a' }));
    const [s, p] = await Promise.allSettled([swallowing, plain]);
    expect(s.status).toBe('rejected');
    expect(p.status).toBe('fulfilled');
    expect(await values('three-')).toEqual(['three-a=a', 'three-taken=old']);
  });

  it('fails a transaction whose connection the server ends, and goes on: the process lives, the next one commits', async () => {
    const ended = store.groupCommit(async (trx) => {
      const pid = (await backendPid.run(trx, 'postgres', {})).rows[0]!.pid;
      await sql`select pg_terminate_backend(${pid})`.execute(store.db);
      await insertKv.run(trx, 'postgres', { key: 'five-lost', value: 'x' });
    });
    await expect(ended).rejects.toThrow();
    await store.groupCommit((trx) => insertKv.run(trx, 'postgres', { key: 'five-next', value: 'y' }));
    expect(await values('five-')).toEqual(['five-next=y']);
  });

  it('answers plain reads through one connection and opens it again after it was ended', async () => {
    await store.db.insertInto('kv').values({ key: 'four', value: 'v' }).execute();
    const pids = await Promise.all([1, 2, 3].map(() => backendPid.run(store.db, 'postgres', {}).then((r) => r.rows[0]!.pid)));
    expect(new Set(pids).size).toBe(1);
    // The server ends the shared connection (a restart, a failover): what was in flight may fail,
    // the next read is answered on a new one.
    await sql`select pg_terminate_backend(${pids[0]!})`.execute(store.db);
    let read: { key: string; value: string } | undefined;
    for (let i = 0; i < 5 && !read; i++) read = (await readKv.run(store.db, 'postgres', { key: 'four' }).catch(() => undefined))?.rows[0];
    expect(read).toEqual({ key: 'four', value: 'v' });
    expect((await backendPid.run(store.db, 'postgres', {})).rows[0]!.pid).not.toBe(pids[0]);
  });
});
