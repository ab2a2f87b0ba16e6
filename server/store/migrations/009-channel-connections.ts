import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../db.js';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Connections of each account to the channels beyond the first (one amoCRM channel per chat type,
 * e.g. Telegram): one row per account and platform, with the channel's scope while connected and
 * what the platform keeps about the connection (`data`, JSON; a bot token is stored encrypted in
 * it). `lookup_key` is the platform's own id of what is attached (a bot id): unique per platform,
 * so one bot can serve one account only. The first channel's connection stays on `accounts`.
 */
export function channelConnectionsSchema(dialect: SqlDialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('channel_connections')
        .addColumn('account_id', big, (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_reason', 'text')
        .addColumn('scope_id', 'text', (c) => c.unique())
        .addColumn('title', 'text')
        .addColumn('lookup_key', 'text')
        .addColumn('data', 'text')
        .addColumn('updated_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('channel_connections_pk', ['account_id', 'platform'])
        .addUniqueConstraint('channel_connections_lookup', ['platform', 'lookup_key'])
        .execute();
    },
  };
}
