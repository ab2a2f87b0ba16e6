import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../db.js';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function initialSchema(dialect: SqlDialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', big, (c) => c.primaryKey())
        .addColumn('host', 'text')
        .addColumn('amojo_id', 'text')
        .addColumn('access_token', 'text')
        .addColumn('refresh_token', 'text')
        .addColumn('token_expires_at', big)
        .addColumn('connection_state', 'text', (c) => c.notNull().defaultTo('not_connected'))
        .addColumn('state_reason', 'text')
        .addColumn('scope_id', 'text', (c) => c.unique())
        .addColumn('title', 'text')
        .addColumn('site_key', 'text', (c) => c.unique())
        .addColumn('language', 'text')
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', big, (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('platform_chat_id', 'text', (c) => c.notNull())
        .addColumn('participant_id', 'text', (c) => c.notNull())
        .addColumn('participant_name', 'text')
        .addColumn('profile', 'text')
        .addColumn('amojo_chat_id', 'text', (c) => c.unique())
        .addColumn('amojo_participant_id', 'text')
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addUniqueConstraint('conversations_platform_chat', ['account_id', 'platform', 'platform_chat_id'])
        .execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('amojo_msgid', 'text', (c) => c.unique())
        .addColumn('client_msgid', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addUniqueConstraint('messages_client_msgid', ['conversation_id', 'client_msgid'])
        .execute();
      await db.schema.createIndex('messages_conversation_time').on('messages').columns(['conversation_id', 'created_at']).execute();

      await db.schema
        .createTable('inbound_events')
        .addColumn('dedupe_key', 'text', (c) => c.primaryKey())
        .addColumn('scope_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('received_at', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('queue_key', 'text')
        .addColumn('idempotency_key', 'text', (c) => c.unique())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('run_after', big, (c) => c.notNull())
        .addColumn('lease_until', big)
        .addColumn('leased_by', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_ready').on('jobs').columns(['state', 'run_after']).execute();
      await db.schema.createIndex('jobs_queue').on('jobs').columns(['queue_key', 'id']).execute();

      await db.schema
        .createTable('kv')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('used_token_ids')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', big, (c) => c.notNull())
        .execute();
    },
  };
}
