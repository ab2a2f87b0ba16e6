import type { Kysely, Migration } from 'kysely';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Indexes for file retention and the per-account storage quota: housekeeping finds the oldest
 * files by `created_at`, and an upload sums one account's live bytes from the index alone
 * (account, age, size) without reading the table.
 */
export function fileRetentionSchema(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.createIndex('files_created').on('files').columns(['created_at']).execute();
      await db.schema.createIndex('files_account_usage').on('files').columns(['account_id', 'created_at', 'size']).execute();
    },
  };
}
