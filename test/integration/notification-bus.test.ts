/**
 * The notification bus between instances: on SQLite the in-process emitter, on PostgreSQL
 * LISTEN/NOTIFY (when TEST_DATABASE_URL is set). A notification reaches the other instance and
 * not its sender, malformed ones are dropped, and on PostgreSQL a lost listening connection comes
 * back and tells subscribers to resynchronise.
 */
import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createNotificationBus, openStore, type NotificationBus, type Store } from '../../server/store/index.js';
import { createMemoryBus } from '../../server/store/notify/bus.js';
import { PG_CHANNEL } from '../../server/store/notify/pg-bus.js';
import type { NotificationChannel, NotificationPayload } from '../../server/store/notify/channels.js';
import { createPostgresDatabase, postgresTestsEnabled, type TestDatabase } from '../support/postgres.js';

function next<C extends NotificationChannel>(bus: NotificationBus, channel: C): Promise<NotificationPayload<C>> {
  return new Promise((resolve) => {
    const off = bus.subscribe(channel, (p) => {
      off();
      resolve(p);
    });
  });
}

const nextResync = (bus: NotificationBus) => new Promise<void>((resolve) => { const off = bus.onResync(() => { off(); resolve(); }); });

describe('notification bus on SQLite (in-process)', () => {
  it('reaches the other bus on the emitter, not the sender', async () => {
    const emitter = new EventEmitter();
    const errors: unknown[] = [];
    const a = createMemoryBus({ emitter, onError: (e) => errors.push(e) });
    const b = createMemoryBus({ emitter, onError: () => undefined });
    const own: unknown[] = [];
    a.subscribe('timeline', (p) => own.push(p));
    const got = next(b, 'timeline');
    await a.publish('timeline', { conversationId: 'c1', eventId: 7 });
    expect(await got).toEqual({ conversationId: 'c1', eventId: 7 });
    // The sender's own subscriber stays silent; a later notification from b proves delivery has run.
    const back = next(a, 'account');
    await b.publish('account', { accountId: 5, change: 'site_key' });
    expect(await back).toEqual({ accountId: 5, change: 'site_key' });
    expect(own).toEqual([]);
    // Malformed input from the carrier is reported and dropped.
    emitter.emit('notification', { origin: 'x', channel: 'typing', payload: { conversationId: 'c1' } });
    await new Promise<void>((r) => queueMicrotask(r));
    await new Promise<void>((r) => queueMicrotask(r));
    expect(errors).toHaveLength(1);
    await a.close();
    await b.close();
  });
});

if (postgresTestsEnabled()) {
  describe('notification bus on PostgreSQL', () => {
    let database: TestDatabase;
    const stores: Store[] = [];
    const buses: NotificationBus[] = [];
    const errors = new Map<NotificationBus, unknown[]>();

    afterAll(async () => {
      for (const b of buses) await b.close();
      for (const s of stores) await s.close();
      await database?.dispose();
    });

    async function instance(): Promise<{ store: Store; bus: NotificationBus }> {
      const store = await openStore(database.url);
      const seen: unknown[] = [];
      const bus = createNotificationBus(store.storeDb, (e) => seen.push(e));
      errors.set(bus, seen);
      stores.push(store);
      buses.push(bus);
      await bus.ready();
      return { store, bus };
    }

    it('carries typed notifications to the other instance after the commit, not to the sender', async () => {
      database = await createPostgresDatabase();
      const a = await instance();
      const b = await instance();
      const own: unknown[] = [];
      a.bus.subscribe('typing', (p) => own.push(p));
      const got = next(b.bus, 'typing');
      await a.bus.publish('typing', { conversationId: 'c9', from: 'manager', until: 123 });
      expect(await got).toEqual({ conversationId: 'c9', from: 'manager', until: 123 });

      // pg_notify inside a transaction is delivered only once it commits.
      const timeline = next(b.bus, 'timeline');
      let committed = false;
      await a.store.storeDb.db.transaction().execute(async (trx) => {
        const envelope = JSON.stringify({ origin: 'other', channel: 'timeline', payload: { conversationId: 'c9', eventId: 3 } });
        await sql`select pg_notify(${PG_CHANNEL}, ${envelope})`.execute(trx);
        await sql`select 1`.execute(trx);
        committed = true;
      });
      expect(await timeline).toEqual({ conversationId: 'c9', eventId: 3 });
      expect(committed).toBe(true);

      const back = next(a.bus, 'account');
      await b.bus.publish('account', { accountId: 1, change: 'connection' });
      await back;
      expect(own).toEqual([]);
    });

    it('drops malformed payloads and refuses oversized ones', async () => {
      const { store, bus } = await instance();
      const seen = errors.get(bus)!;
      const before = seen.length;
      const got = next(bus, 'account');
      await sql`select pg_notify(${PG_CHANNEL}, ${'not json'})`.execute(store.storeDb.db);
      await sql`select pg_notify(${PG_CHANNEL}, ${JSON.stringify({ origin: 'o', channel: 'account', payload: { accountId: 'x' } })})`.execute(store.storeDb.db);
      await sql`select pg_notify(${PG_CHANNEL}, ${JSON.stringify({ origin: 'o', channel: 'account', payload: { accountId: 4, change: 'connection' } })})`.execute(store.storeDb.db);
      expect(await got).toEqual({ accountId: 4, change: 'connection' });
      expect(seen.length - before).toBe(2);
      await expect(bus.publish('timeline', { conversationId: 'x'.repeat(9000), eventId: 1 })).rejects.toThrow(/too large/);
    });

    it('reconnects after losing its listening connection and asks subscribers to resynchronise', async () => {
      const a = await instance();
      const b = await instance();
      const resynced = nextResync(b.bus);
      // Ends every listening connection but the test's own; a's comes back too.
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'LISTEN%'`.execute(a.store.storeDb.db);
      await resynced;
      const got = next(b.bus, 'timeline');
      await a.bus.publish('timeline', { conversationId: 'after', eventId: 1 });
      expect(await got).toEqual({ conversationId: 'after', eventId: 1 });
    });
  });
}
