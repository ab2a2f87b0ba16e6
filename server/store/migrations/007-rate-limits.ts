import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';
import type { SqlDialect } from '../db.js';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Rate-limit counts shared by every instance on PostgreSQL, in the shape rate-limiter-flexible's
 * `RateLimiterPostgres` reads and writes (one row per limiter key and window; expired rows are
 * deleted within a minute, see migration 010). Created here rather than by the library at run time, so
 * the application needs no DDL rights after its migrations. SQLite runs one instance, which
 * counts in memory: no table there.
 */
export const RATE_LIMIT_TABLE = 'rate_limits';

export function rateLimitSchema(dialect: SqlDialect): Migration {
  return {
    async up(db: AnyDb) {
      if (dialect !== 'postgres') return;
      await sql`create table ${sql.table(RATE_LIMIT_TABLE)} (key varchar(255) primary key, points integer not null default 0, expire bigint)`.execute(db);
    },
  };
}
