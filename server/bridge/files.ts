/**
 * The channel keeps its files: what clients upload (amoCRM downloads it from our public link) and
 * what managers send (downloaded from amojo so clients load it from us). Bytes go to the blob
 * store, the record to the database; the id is the secret part of the link.
 */
import type { Readable } from 'node:stream';
import { cleanName } from './clean-text.js';
import type { BridgeContext } from './context.js';
import { StorageQuotaExceeded } from './errors.js';
import { fileIdCreatedAt, newFileId, type ConversationId, type FileId } from './ids.js';
import type { ByteRange } from './ports.js';
import type { FileOrigin, FileRecord, MessageKind } from './records.js';
import { fileUrl } from './views.js';

export interface SaveFileInput {
  accountId: number;
  conversationId: ConversationId | null;
  name: string;
  contentType: string;
  kind: MessageKind;
  source: Readable | AsyncIterable<Uint8Array>;
  maxBytes: number;
  /** The size the sender announced (Content-Length), checked against the quota before reading. */
  declaredBytes?: number;
  origin: FileOrigin;
}

/** Voice notes as browsers record them (Chrome/Firefox: WebM or Ogg with Opus). */
const VOICE_TYPES = new Set(['audio/webm', 'audio/ogg', 'audio/opus']);

/** The message kind a file is shown as; `asVoice` marks any audio as a voice note. */
export function kindOfContentType(contentType: string, asVoice = false): MessageKind {
  const type = baseType(contentType);
  if (type.startsWith('image/')) return 'picture';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return asVoice || VOICE_TYPES.has(type) ? 'voice' : 'audio';
  return 'file';
}

export function baseType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

const EXTENSION_TYPES: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp',
  pdf: 'application/pdf', mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime',
  ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg', mp3: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav',
  txt: 'text/plain', csv: 'text/csv', doc: 'application/msword', xls: 'application/vnd.ms-excel',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** A content type from the file name, for links that answer `application/octet-stream`. */
export function contentTypeOfName(name: string): string | undefined {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return EXTENSION_TYPES[ext];
}

/**
 * A file name safe for a URL segment and a Content-Disposition header: no path, no control or
 * quote characters, at most 120 characters (the extension kept).
 */
export function safeFileName(name: string | undefined, fallback = 'file'): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  let clean = cleanName(base.replace(/[\u0000-\u001f\u007f"<>|*?:%]/g, '_')).replace(/^[.\s]+/, '').trim();
  if (clean.length > 120) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
    clean = clean.slice(0, 120 - ext.length) + ext;
  }
  return clean || fallback;
}

/** Expired files are deleted this many at a time (one short transaction each). */
const PURGE_BATCH = 200;

/**
 * A blob no file links to after this long belongs to a write whose process died (an upload ends,
 * by its idle timeout at the latest, within minutes); housekeeping removes it.
 */
export const ABANDONED_BLOB_MS = 60 * 60 * 1000;

export function createFiles(ctx: BridgeContext) {
  /** Files created before this are past retention: not served, not counted, deleted by housekeeping. */
  const retentionCutoff = (): number => ctx.now() - ctx.limits.fileRetentionMs;
  const usage = (accountId: number): Promise<number> => ctx.store.files.usage(accountId, retentionCutoff());

  return {
    /**
     * Stores the bytes, then the record. The quota is checked before reading anything (with the
     * size the sender declared, when known) and again, exactly, in the transaction that inserts
     * the record; a refused file leaves no bytes behind.
     */
    async save(input: SaveFileInput): Promise<FileRecord> {
      const quota = ctx.limits.fileQuotaBytes;
      if ((await usage(input.accountId)) + (input.declaredBytes ?? 0) > quota) throw new StorageQuotaExceeded(quota);
      const blob = await ctx.blobs.write(input.source, input.maxBytes);
      const createdAt = ctx.now();
      const record: FileRecord = {
        id: newFileId(createdAt),
        accountId: input.accountId,
        conversationId: input.conversationId,
        name: safeFileName(input.name),
        contentType: baseType(input.contentType) || 'application/octet-stream',
        size: blob.size,
        kind: input.kind,
        path: blob.path,
        sha256: blob.sha256,
        origin: input.origin,
        createdAt,
      };
      try {
        await ctx.store.transaction(async (tx) => {
          if ((await tx.files.usage(input.accountId, retentionCutoff())) + blob.size > quota) throw new StorageQuotaExceeded(quota);
          await tx.files.insert(record);
        });
      } catch (err) {
        await ctx.blobs.remove(blob.path).catch(() => undefined);
        throw err;
      }
      return record;
    },

    /** A stored file, `'expired'` for one retention deleted (or is about to), undefined for no such file. */
    async lookup(id: FileId): Promise<FileRecord | 'expired' | undefined> {
      const file = await ctx.store.files.get(id);
      const createdAt = file?.createdAt ?? fileIdCreatedAt(id);
      if (createdAt !== undefined && createdAt < retentionCutoff()) return 'expired';
      return file;
    },

    /** Deletes files past retention, rows first: a crash in between leaves bytes nobody links to, never a link to nothing. */
    async purgeExpired(): Promise<{ files: number; bytes: number }> {
      let files = 0;
      let bytes = 0;
      for (;;) {
        const batch = await ctx.store.files.listCreatedBefore(retentionCutoff(), PURGE_BATCH);
        if (batch.length === 0) break;
        await ctx.store.files.delete(batch.map((f) => f.id));
        for (const f of batch) {
          await ctx.blobs.remove(f.path).catch((err: unknown) => ctx.logger.warn({ fileId: f.id, err: String(err) }, 'removing an expired file failed'));
          bytes += f.size;
        }
        files += batch.length;
        if (batch.length < PURGE_BATCH) break;
      }
      return { files, bytes };
    },

    /** Blobs left by writes whose process died (bytes with no file record); returns how many went. */
    removeAbandoned: (): Promise<number> => ctx.blobs.removeAbandoned(ctx.now() - ABANDONED_BLOB_MS),

    get: (id: FileId): Promise<FileRecord | undefined> => ctx.store.files.get(id),
    /** The file's bytes (all, or one range), streamed; undefined when they are gone. */
    read: (file: FileRecord, range?: ByteRange): Promise<Readable | undefined> => ctx.blobs.read(file.path, range),
    url: (file: FileRecord): string => fileUrl(ctx.publicUrl, file),
  };
}

export type Files = ReturnType<typeof createFiles>;
