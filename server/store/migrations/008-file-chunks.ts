import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';
import type { SqlDialect } from '../db.js';

// Migrations see the database as it was then, not today's `Database` interface.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Stored files' bytes on PostgreSQL, so that instances need no shared disk: one `file_blobs` row
 * per blob (`complete` once every chunk is in) and its bytes in `file_chunks` rows of a fixed size
 * (the last one shorter), which a range request reads without touching the rest. Chunk rows go with
 * their blob (`on delete cascade`). `files.path` names the blob; its index lets housekeeping find
 * blobs no file links to. With SQLite the bytes stay on disk: nothing here.
 */
export function fileChunksSchema(dialect: SqlDialect): Migration {
  return {
    async up(db: AnyDb) {
      if (dialect !== 'postgres') return;
      await sql`create table file_blobs (
        id text primary key,
        size bigint not null default 0,
        complete boolean not null default false,
        created_at bigint not null
      )`.execute(db);
      await sql`create index file_blobs_created on file_blobs (created_at)`.execute(db);
      await sql`create table file_chunks (
        blob_id text not null references file_blobs (id) on delete cascade,
        seq integer not null,
        data bytea not null,
        primary key (blob_id, seq)
      )`.execute(db);
      // Pictures, video, audio and PDFs are compressed already: store the bytes as they are
      // (out of line, no compression attempt on every write).
      await sql`alter table file_chunks alter column data set storage external`.execute(db);
      await sql`create index files_path on files (path)`.execute(db);
    },
  };
}
