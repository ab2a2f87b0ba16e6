import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../db.js';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * What an admin sets in the widget per account: the bubble's look and behaviour (JSON), the
 * secret that signs identified visitors, and per channel the pipeline chosen with the amoCRM
 * source that routes its new chats there (JSON).
 */
export function accountSettingsSchema(dialect: SqlDialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('account_settings')
        .addColumn('account_id', big, (c) => c.primaryKey())
        .addColumn('webchat', 'text')
        .addColumn('identity_secret', 'text', (c) => c.notNull())
        .addColumn('channel_sources', 'text')
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();
    },
  };
}
