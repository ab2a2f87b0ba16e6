/**
 * SQLite durability: a durable transaction flushes the write-ahead log to disk before it resolves
 * (the guarantee a webhook's 200 and a visitor's 202 rest on); a plain one does not pay for it.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../../server/store/index.js';

let store: Store | undefined;
let dir: string | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  store = undefined;
  dir = undefined;
});

async function open(): Promise<Store> {
  dir = fs.mkdtempSync(join(tmpdir(), 'durability-'));
  store = await openStore(`sqlite:${join(dir, 'app.sqlite')}`);
  return store;
}

/** The thread-pool flushes of the log, each held until the test lets it go (calls the entry). */
function holdFlushes(): Array<() => void> {
  const flushes: Array<() => void> = [];
  const real = fs.fdatasync;
  vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    flushes.push(() => real(fd, cb));
  }) as typeof fs.fdatasync);
  return flushes;
}

describe('SQLite durable transactions', () => {
  it('fdatasync the write-ahead log before resolving; plain transactions do not', async () => {
    const s = await open();
    const synced = vi.spyOn(fs, 'fdatasyncSync');

    await s.storeDb.db.transaction().execute((trx) => trx.insertInto('kv').values({ key: 'plain', value: '1' }).execute());
    expect(synced).not.toHaveBeenCalled();

    let committed = false;
    const done = s.storeDb
      .durableTransaction((trx) => trx.insertInto('kv').values({ key: 'durable', value: '1' }).execute())
      .then(() => {
        committed = true;
      });
    await done;
    expect(committed).toBe(true);
    expect(synced).toHaveBeenCalledTimes(1);
    const fd = synced.mock.calls[0]![0];
    if (fs.existsSync('/proc/self/fd')) expect(fs.readlinkSync(`/proc/self/fd/${fd}`)).toMatch(/app\.sqlite-wal$/);

    await s.inbound.record([{ dedupeKey: 'k', scopeId: 's', kind: 'message', job: { kind: 'hook', payload: {} } }]);
    expect(synced).toHaveBeenCalledTimes(2);
  });

  it('does not sync when the transaction fails, and keeps nothing of it', async () => {
    const s = await open();
    const synced = vi.spyOn(fs, 'fdatasyncSync');
    await expect(
      s.storeDb.durableTransaction(async (trx) => {
        await trx.insertInto('kv').values({ key: 'x', value: '1' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(synced).not.toHaveBeenCalled();
    expect(await s.kv.get('x')).toBeUndefined();
  });

  it('in the group commit: a durable unit resolves only once the log is flushed, a plain one of the same batch at the commit', async () => {
    const s = await open();
    const flushes = holdFlushes();
    let durableDone = false;
    const durable = s.storeDb.groupCommit((trx) => trx.insertInto('kv').values({ key: 'durable', value: '1' }).execute(), true).then(() => {
      durableDone = true;
    });
    const plain = s.storeDb.groupCommit((trx) => trx.insertInto('kv').values({ key: 'plain', value: '1' }).execute());
    await plain;
    await vi.waitFor(() => expect(flushes).toHaveLength(1));
    expect(durableDone).toBe(false);
    expect(await s.kv.get('durable')).toBe('1');
    flushes[0]!();
    await durable;
    expect(durableDone).toBe(true);
    // One flush covered the whole batch.
    expect(flushes).toHaveLength(1);
  });

  it('an inbox event recorded in the group commit resolves only once the log is flushed', async () => {
    const s = await open();
    const flushes = holdFlushes();
    let recorded = false;
    const done = s.inbound.recordShared({ dedupeKey: 'tg:1', scopeId: 'telegram:1', kind: 'telegram_update', job: { kind: 'telegram.update', payload: { n: 1 }, queueKey: 'tg:1:1' } }).then(() => {
      recorded = true;
    });
    await vi.waitFor(() => expect(flushes).toHaveLength(1));
    expect(recorded).toBe(false);
    expect(await s.inbound.countWaiting(10)).toBe(1);
    flushes[0]!();
    await done;
    expect(recorded).toBe(true);
  });
});
