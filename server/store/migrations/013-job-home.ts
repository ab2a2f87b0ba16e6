import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../db.js';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Where a job was queued: on PostgreSQL the instance whose connection inserted it (every
 * connection of a process carries the process's `application_name`). A conversation's next job is
 * handed on only to its own instance, and another instance leaves it a moment to claim it first:
 * otherwise the conversations' chains of jobs gather on whichever instance claimed first, and one
 * instance delivers what all of them accept. Null on SQLite (one process) and for older rows.
 */
export function jobHomeSchema(dialect: SqlDialect): Migration {
  return {
    async up(db: AnyDb) {
      await sql`alter table jobs add column home text`.execute(db);
      // Set after the column exists, so that jobs queued before this version keep no home.
      if (dialect === 'postgres') await sql`alter table jobs alter column home set default current_setting('application_name')`.execute(db);
    },
  };
}
