import type { Kysely, Migration } from 'kysely';
import type { SqlDialect } from '../db.js';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The webhook inbox: each accepted hook is appended here before amoCRM gets its 200, and moved
 * into `jobs` (deduplicated against `inbound_events`) by the job runner. The table has no
 * secondary index on purpose: an append touches only its last pages, so the commit that
 * acknowledges a burst of hooks stays small. Its rows live for seconds.
 */
export function hookInboxSchema(dialect: SqlDialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('inbound_hooks')
        // A plain rowid on SQLite (no AUTOINCREMENT bookkeeping): only the order of rows that are
        // present matters, and a new row always sorts after them.
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => c.primaryKey())
        .addColumn('dedupe_key', 'text', (c) => c.notNull())
        .addColumn('scope_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('job_kind', 'text', (c) => c.notNull())
        .addColumn('queue_key', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('received_at', big, (c) => c.notNull())
        .execute();
    },
  };
}
