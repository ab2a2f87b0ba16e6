/**
 * Limits shared by instances on one PostgreSQL database: two instances (each its own store and
 * connection pool) count against the same buckets, so one conversation gets its 20 messages in
 * total, not 20 per instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { NO_LIMIT, createPostgresLimiter, postgresLimiters, postgresThrottles } from '../../server/http/limits/index.js';
import { createLimiters, mergeLimits, type WebchatLimiters } from '../../server/platforms/webchat/limits.js';
import { openStore, type Store } from '../../server/store/index.js';
import { sharedLimitStore } from '../../server/store/shared-limit-store.js';
import { createPostgresDatabase, postgresTestsEnabled, type TestDatabase } from '../support/postgres.js';

describe.skipIf(!postgresTestsEnabled())('limits shared across instances on PostgreSQL', () => {
  let database: TestDatabase;
  const stores: Store[] = [];
  const instances: WebchatLimiters[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    for (let i = 0; i < 2; i++) {
      const store = await openStore(database.url);
      stores.push(store);
      const shared = sharedLimitStore(store.storeDb);
      if (!shared) throw new Error('no shared limit store on PostgreSQL');
      instances.push(createLimiters(mergeLimits({ streams: { total: 100 } }), postgresLimiters(shared)));
    }
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await database?.dispose();
  });

  it('one conversation writing through two instances gets 20 messages in total', async () => {
    const decisions = [];
    for (let i = 0; i < 40; i++) decisions.push(await instances[i % 2]!.messages.perConversation.consume('conversation-1'));
    expect(decisions.filter((d) => d.ok).length).toBe(20);
    expect(decisions.slice(20).every((d) => !d.ok && d.retryAfterSeconds >= 1)).toBe(true);
  });

  it('concurrent consumes on both instances never grant more than the burst', async () => {
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => instances[i % 2]!.messages.perConversation.consume('conversation-2')));
    expect(all.filter((d) => d.ok).length).toBe(20);
  });

  it('a refund on one instance gives the point back on the other', async () => {
    const [a, b] = [instances[0]!.reactions.perConversation, instances[1]!.reactions.perConversation];
    for (let i = 0; i < 20; i++) expect((await a.consume('conversation-3')).ok).toBe(true);
    await a.refund('conversation-3');
    expect((await b.consume('conversation-3')).ok).toBe(true);
    expect((await b.consume('conversation-3')).ok).toBe(false);
  });

  it('deletes the windows that ended, in batches through an index, and keeps the running ones', async () => {
    const shared = sharedLimitStore(stores[0]!.storeDb)!;
    const rows = async () => Number((await sql<{ n: string }>`select count(*) as n from rate_limits`.execute(stores[0]!.storeDb.db)).rows[0]!.n);
    await sql`delete from rate_limits`.execute(stores[0]!.storeDb.db);
    // A flood of distinct addresses, each leaving a row whose window has ended (more than one batch).
    await sql`insert into rate_limits (key, points, expire) select 'flood:' || i, 1, ${Date.now() - 1000} from generate_series(1, 12000) as i`.execute(stores[0]!.storeDb.db);
    const short = createPostgresLimiter(shared, 'test.short', { burst: 1, perMinute: 60 });
    const long = createPostgresLimiter(shared, 'test.long', { burst: 1, perMinute: 1 });
    for (let i = 0; i < 20; i++) expect((await short.consume(`ip-${i}`)).ok).toBe(true);
    expect((await long.consume('ip-0')).ok).toBe(true);
    expect(await rows()).toBe(12_021);

    // Two seconds on, the short limiter's 1 s windows have ended; the long one's minute has not.
    expect(await shared.purgeExpired(Date.now() + 2000)).toBe(12_020);
    expect(await rows()).toBe(1);
    expect((await long.consume('ip-0')).ok).toBe(false);
    // A rule that cannot refuse counts nothing: no row, no round trip.
    const unlimited = createPostgresLimiter(shared, 'test.unlimited', NO_LIMIT);
    for (let i = 0; i < 5; i++) expect((await unlimited.consume(`ip-${i}`)).ok).toBe(true);
    expect(await rows()).toBe(1);
    const indexes = await sql<{ indexdef: string }>`select indexdef from pg_indexes where tablename = 'rate_limits'`.execute(stores[0]!.storeDb.db);
    expect(indexes.rows.some((r) => /\(expire\)/.test(r.indexdef))).toBe(true);
  });
});

describe.skipIf(!postgresTestsEnabled())('typing throttle shared across instances on PostgreSQL', () => {
  let database: TestDatabase;
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await database?.dispose();
  });

  it('typing of one conversation passes once per interval whichever instance it reaches', async () => {
    database = await createPostgresDatabase();
    const throttles = [];
    for (let i = 0; i < 2; i++) {
      const store = await openStore(database.url);
      stores.push(store);
      throttles.push(postgresThrottles(sharedLimitStore(store.storeDb)!)('bridge.typing', 3000));
    }
    const passed = [];
    for (let i = 0; i < 6; i++) passed.push(await throttles[i % 2]!('conversation-1'));
    expect(passed).toEqual([true, false, false, false, false, false]);
    expect(await throttles[1]!('conversation-2')).toBe(true);
  });
});
