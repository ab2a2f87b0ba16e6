import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';
import type { SqlDialect } from '../db.js';
import { RATE_LIMIT_TABLE } from './007-rate-limits.js';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Expired rate-limit rows are deleted every minute (`shared-limit-store.ts`): the index makes
 * finding them a range scan, however many keys a flood of visitors left behind. PostgreSQL only,
 * like the table.
 */
export function rateLimitExpirySchema(dialect: SqlDialect): Migration {
  return {
    async up(db: AnyDb) {
      if (dialect !== 'postgres') return;
      await sql`create index rate_limits_expire on ${sql.table(RATE_LIMIT_TABLE)} (expire)`.execute(db);
    },
  };
}
