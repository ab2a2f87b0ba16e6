/**
 * File bytes in PostgreSQL (migration 008), so that every instance serves every file without a
 * shared disk. A blob is a `file_blobs` row plus `file_chunks` rows of CHUNK_BYTES each (the last
 * shorter). Why rows and not large objects: rows go with their blob on delete (large objects need
 * an explicit unlink, or they stay behind), belong to plain `pg_dump`s and permissions, and are
 * read and written with ordinary statements through the store's pool.
 *
 * Writing holds at most one chunk in memory and no connection between chunks (each chunk is its
 * own statement): a slow upload costs nothing but its rows. Reading fetches one chunk at a time, as
 * the response drains, and only the bytes a range asks for.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import { BlobTooLargeError, type BlobStore, type ByteRange } from '../bridge/ports.js';
import type { Database } from './schema.js';

/** Big enough that a file is a few rows; small enough that a chunk is cheap to hold and to send. */
export const CHUNK_BYTES = 256 * 1024;

/** Abandoned blobs are deleted this many at a time (one short statement each). */
const ABANDONED_BATCH = 100;

export function createPostgresBlobStore(db: Kysely<Database>, now: () => number = Date.now): BlobStore {
  const insertChunk = (blobId: string, seq: number, data: Buffer) => db.insertInto('file_chunks').values({ blob_id: blobId, seq, data }).execute();

  return {
    async write(source, maxBytes) {
      const id = randomBytes(16).toString('hex');
      const hash = createHash('sha256');
      let size = 0;
      let seq = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      // The row first, marked incomplete: a process that dies mid-write leaves a blob housekeeping
      // recognises (no file links to it), never chunks without an owner.
      await db.insertInto('file_blobs').values({ id, size: 0, complete: false, created_at: now() }).execute();
      try {
        for await (const piece of source as AsyncIterable<Uint8Array>) {
          size += piece.length;
          if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
          hash.update(piece);
          let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
          while (pendingBytes + rest.length >= CHUNK_BYTES) {
            const take = CHUNK_BYTES - pendingBytes;
            pending.push(rest.subarray(0, take));
            rest = rest.subarray(take);
            const full = Buffer.concat(pending, CHUNK_BYTES);
            pending = [];
            pendingBytes = 0;
            await insertChunk(id, seq++, full);
          }
          if (rest.length > 0) {
            pending.push(rest);
            pendingBytes += rest.length;
          }
        }
        if (pendingBytes > 0) await insertChunk(id, seq, Buffer.concat(pending, pendingBytes));
        await db.updateTable('file_blobs').set({ size, complete: true }).where('id', '=', id).execute();
      } catch (err) {
        await db.deleteFrom('file_blobs').where('id', '=', id).execute().catch(() => undefined);
        throw err;
      }
      return { path: id, size, sha256: hash.digest('hex') };
    },

    async read(path, range) {
      const blob = await db.selectFrom('file_blobs').select(['size', 'complete']).where('id', '=', path).executeTakeFirst();
      if (!blob?.complete) return undefined;
      const size = Number(blob.size);
      const wanted = range ?? { start: 0, end: size - 1 };
      return Readable.from(chunksOf(db, path, wanted), { objectMode: false, highWaterMark: CHUNK_BYTES });
    },

    async remove(path) {
      await db.deleteFrom('file_blobs').where('id', '=', path).execute();
    },

    async removeAbandoned(before) {
      let removed = 0;
      for (;;) {
        const res = await db
          .deleteFrom('file_blobs')
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('file_blobs as b')
              .select('b.id')
              .where('b.created_at', '<', before)
              .where((w) => w.not(w.exists(w.selectFrom('files').select(sql.lit(1).as('one')).whereRef('files.path', '=', 'b.id'))))
              .limit(ABANDONED_BATCH),
          )
          .executeTakeFirst();
        const n = Number(res.numDeletedRows);
        removed += n;
        if (n < ABANDONED_BATCH) return removed;
      }
    },
  };
}

/** The chunks a range touches, in order, each cut (in the database) to the part the range covers. */
async function* chunksOf(db: Kysely<Database>, blobId: string, range: ByteRange): AsyncGenerator<Buffer> {
  if (range.end < range.start) return;
  const last = Math.floor(range.end / CHUNK_BYTES);
  for (let seq = Math.floor(range.start / CHUNK_BYTES); seq <= last; seq++) {
    const chunkStart = seq * CHUNK_BYTES;
    const from = Math.max(range.start, chunkStart) - chunkStart;
    const length = Math.min(range.end, chunkStart + CHUNK_BYTES - 1) - chunkStart - from + 1;
    // substring() of an uncompressed, out-of-line bytea reads only the slices it returns.
    const row = await db
      .selectFrom('file_chunks')
      .select(sql<Buffer>`substring(data from ${from + 1} for ${length})`.as('part'))
      .where('blob_id', '=', blobId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    // Deleted while being read (retention): the response ends in an error rather than short.
    if (!row) throw new Error('a stored file was removed while it was being read');
    yield row.part;
  }
}
