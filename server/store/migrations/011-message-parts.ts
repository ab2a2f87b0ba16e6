import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../db.js';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The platform's ids of a manager message the platform sent as several messages (Telegram: a
 * long text split in parts): the first stays `messages.client_msgid`, the others are here, in
 * order (`position` 1, 2, …), so that a client's reply or reaction to any part finds the message.
 * One id per conversation, like `client_msgid`.
 */
export function messagePartsSchema(dialect: SqlDialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('message_parts')
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('platform_msgid', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('position', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('message_parts_pk', ['conversation_id', 'platform_msgid'])
        .execute();
      await db.schema.createIndex('message_parts_message').on('message_parts').columns(['message_id', 'position']).execute();
    },
  };
}
