/**
 * Prepared statements inside the store's group commit on SQLite run straight on the connection
 * (sqlite-direct.ts): the answers must be exactly what Kysely's driver gives, a failing statement
 * must fail its unit (and only it) without leaving anything behind, and outside a transaction
 * nothing runs directly.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type StoreDb } from '../../server/store/db.js';
import { prepared } from '../../server/store/prepared.js';
import { directRunOf } from '../../server/store/sqlite-direct.js';

let store: StoreDb | undefined;
let dir: string | undefined;

afterEach(async () => {
  await store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  store = undefined;
});

async function open(): Promise<StoreDb> {
  dir = fs.mkdtempSync(join(tmpdir(), 'sqlite-direct-'));
  store = await openDatabase(`sqlite:${join(dir, 'app.sqlite')}`);
  return store;
}

const insertKv = prepared<{ key: string; value: string }, never>((db, p) => db.insertInto('kv').values({ key: p.key, value: p.value }));
const insertKvReturning = prepared<{ key: string; value: string }, { key: string }>((db, p) =>
  db.insertInto('kv').values({ key: p.key, value: p.value }).returning('key'),
);
const readKv = prepared<{ key: string }, { key: string; value: string }>((db, p) => db.selectFrom('kv').select(['key', 'value']).where('key', '=', p.key));

describe('SQLite statements inside the group commit', () => {
  it('answer as Kysely answers: rows, affected rows and insert id', async () => {
    const s = await open();
    const outside = await insertKv.run(s.db, 'sqlite', { key: 'a', value: '1' });
    const inside = await s.groupCommit(async (trx) => {
      expect(directRunOf(trx)).toBeDefined();
      return {
        plain: await insertKv.run(trx, 'sqlite', { key: 'b', value: '2' }),
        returning: await insertKvReturning.run(trx, 'sqlite', { key: 'c', value: '3' }),
        read: await readKv.run(trx, 'sqlite', { key: 'a' }),
      };
    });
    expect(Object.keys(inside.plain).sort()).toEqual(Object.keys(outside).sort());
    expect(inside.plain.numAffectedRows).toBe(1n);
    expect(typeof inside.plain.insertId).toBe('bigint');
    expect(inside.returning.rows).toEqual([{ key: 'c' }]);
    expect(inside.read.rows).toEqual([{ key: 'a', value: '1' }]);
    expect((await readKv.run(s.db, 'sqlite', { key: 'b' })).rows).toEqual([{ key: 'b', value: '2' }]);
  });

  it('a failing statement fails its own unit only and leaves none of its writes', async () => {
    const s = await open();
    await insertKv.run(s.db, 'sqlite', { key: 'taken', value: '0' });
    const [bad, good] = await Promise.allSettled([
      s.groupCommit(async (trx) => {
        await insertKv.run(trx, 'sqlite', { key: 'half', value: '1' });
        await insertKv.run(trx, 'sqlite', { key: 'taken', value: '2' });
      }),
      s.groupCommit((trx) => insertKv.run(trx, 'sqlite', { key: 'fine', value: '3' })),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect((await readKv.run(s.db, 'sqlite', { key: 'half' })).rows).toEqual([]);
    expect((await readKv.run(s.db, 'sqlite', { key: 'fine' })).rows).toHaveLength(1);
  });

  it('runs nothing directly outside a transaction or in transactions it did not open', async () => {
    const s = await open();
    expect(directRunOf(s.db)).toBeUndefined();
    await s.db.transaction().execute(async (trx) => expect(directRunOf(trx)).toBeUndefined());
  });
});
