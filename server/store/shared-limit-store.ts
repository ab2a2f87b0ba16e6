/**
 * Where rate-limit counts shared by several instances live: on PostgreSQL, the `rate_limits`
 * table, reached through the store's own connection pool (rate-limiter-flexible's `RateLimiterPostgres`
 * takes any client with a pg-style `query`). SQLite runs one instance: no shared store.
 *
 * Every key a visitor brings (an address, a conversation) leaves a row until its window ends, so a
 * flood of distinct keys would grow the table; `purgeExpired` deletes ended windows, in indexed
 * batches, and runs every minute (the library's own clean-up is off: it waits an hour, per limiter).
 */
import { CompiledQuery, sql } from 'kysely';
import type { StoreDb } from './db.js';
import { RATE_LIMIT_TABLE } from './migrations/007-rate-limits.js';

export interface SqlQueryClient {
  query(q: { text: string; values?: unknown[] }): Promise<{ rows: unknown[]; rowCount: number }>;
}

export interface SharedLimitStore {
  client: SqlQueryClient;
  tableName: string;
  /** Deletes the rows whose window ended before `now` (ms, the clock the limiter stamps with); resolves with how many. */
  purgeExpired(now: number): Promise<number>;
}

/** How often expired windows are deleted: rows outlive their window by at most this. */
export const LIMIT_SWEEP_INTERVAL_MS = 60_000;
/** Rows per delete statement: one sweep after a flood never holds long locks or one huge transaction. */
const PURGE_BATCH = 5000;

export function sharedLimitStore(storeDb: StoreDb): SharedLimitStore | undefined {
  if (storeDb.dialect !== 'postgres') return undefined;
  return {
    tableName: RATE_LIMIT_TABLE,
    client: {
      async query(q) {
        const res = await storeDb.db.executeQuery(CompiledQuery.raw(q.text, q.values ?? []));
        return { rows: res.rows as unknown[], rowCount: Number(res.numAffectedRows ?? res.rows.length) };
      },
    },
    async purgeExpired(now) {
      let total = 0;
      for (;;) {
        const res = await sql`delete from ${sql.table(RATE_LIMIT_TABLE)} where key in (select key from ${sql.table(RATE_LIMIT_TABLE)} where expire < ${now} limit ${PURGE_BATCH})`.execute(storeDb.db);
        const deleted = Number(res.numAffectedRows ?? 0);
        total += deleted;
        if (deleted < PURGE_BATCH) return total;
      }
    },
  };
}
