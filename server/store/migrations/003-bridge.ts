import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../db.js';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The message bridge: each message's place in its conversation (`seq`), the conversation
 * timeline (its ids are the event-stream ids clients resume from), stored files and reactions.
 */
export function bridgeSchema(dialect: SqlDialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      // The id of the timeline event that added the message: one order for lists and streams.
      await db.schema.alterTable('messages').addColumn('seq', big).execute();
      await db.schema.createIndex('messages_conversation_seq').on('messages').columns(['conversation_id', 'seq']).execute();
      // Finds messages still waiting for amojo (sweeps, imports after a reconnect).
      await db.schema.createIndex('messages_status').on('messages').columns(['status', 'direction', 'conversation_id']).execute();
      await db.schema.createIndex('conversations_account').on('conversations').columns(['account_id']).execute();

      await db.schema
        .createTable('conversation_events')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('conversation_events_conversation').on('conversation_events').columns(['conversation_id', 'id']).execute();

      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', big, (c) => c.notNull())
        .addColumn('conversation_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('files_conversation').on('files').columns(['conversation_id']).execute();

      await db.schema
        .createTable('reactions')
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('side', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('emoji', 'text', (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        // One reaction per person and message, as messengers show it.
        .addPrimaryKeyConstraint('reactions_pk', ['message_id', 'side', 'user_id'])
        .execute();
    },
  };
}
