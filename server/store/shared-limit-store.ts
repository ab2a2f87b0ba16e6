/**
 * Where rate-limit counts shared by several instances live: on PostgreSQL, the `rate_limits`
 * table, reached through the store's own connection pool (rate-limiter-flexible's `RateLimiterPostgres`
 * takes any client with a pg-style `query`). SQLite runs one instance: no shared store.
 */
import { CompiledQuery } from 'kysely';
import type { StoreDb } from './db.js';
import { RATE_LIMIT_TABLE } from './migrations/007-rate-limits.js';

export interface SqlQueryClient {
  query(q: { text: string; values?: unknown[] }): Promise<{ rows: unknown[]; rowCount: number }>;
}

export interface SharedLimitStore {
  client: SqlQueryClient;
  tableName: string;
}

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
  };
}
