/**
 * Files on the emulated Telegram servers: what users send and what bots upload, kept in memory with a
 * cap on their total size (the oldest are forgotten first, and their file_ids stop working). A file
 * may be announced by size only, to test the 20 MB `getFile` limit without holding 20 MB.
 * A file_id belongs to the bot that received or sent it (telegram.md §4).
 */
import { randomBytes } from 'node:crypto';

export const FILE_KINDS = ['photo', 'document', 'voice', 'audio', 'video', 'video_note', 'sticker'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  botId: number;
  kind: FileKind;
  size: number;
  mimeType?: string;
  fileName?: string;
  /** Absent when the file is announced by size only. */
  bytes?: Buffer;
  /** Set by `getFile`; the download link works for an hour from then (§4). */
  filePath?: string;
  pathIssuedAt?: number;
}

export interface NewFile {
  botId: number;
  kind: FileKind;
  bytes?: Buffer;
  /** Announced size; defaults to the byte length. */
  size?: number;
  mimeType?: string;
  fileName?: string;
}

/** Bots can download files up to 20 MB (§4). */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
export const DOWNLOAD_LINK_TTL_MS = 60 * 60 * 1000;
const MAX_FILES = 10_000;

const FOLDER: Record<FileKind, string> = {
  photo: 'photos',
  document: 'documents',
  voice: 'voice',
  audio: 'music',
  video: 'videos',
  video_note: 'video_notes',
  sticker: 'stickers',
};

const EXTENSION: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'audio/ogg': 'oga',
  'audio/mpeg': 'mp3',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
};

export class FileStore {
  readonly #files = new Map<string, StoredFile>();
  readonly #byPath = new Map<string, string>();
  #heldBytes = 0;
  #pathCounter = 0;

  constructor(private readonly maxHeldBytes: number) {}

  add(input: NewFile): StoredFile {
    const file: StoredFile = {
      fileId: `${input.kind.slice(0, 2).toUpperCase()}AC${randomBytes(33).toString('base64url')}`,
      fileUniqueId: `AQAD${randomBytes(9).toString('base64url')}`,
      botId: input.botId,
      kind: input.kind,
      size: input.size ?? input.bytes?.length ?? 0,
      ...(input.mimeType ? { mimeType: input.mimeType } : {}),
      ...(input.fileName ? { fileName: input.fileName } : {}),
      ...(input.bytes ? { bytes: input.bytes } : {}),
    };
    this.#files.set(file.fileId, file);
    this.#heldBytes += file.bytes?.length ?? 0;
    this.#evict();
    return file;
  }

  get(fileId: string): StoredFile | undefined {
    return this.#files.get(fileId);
  }

  /** Gives the file a download path (once) and starts its hour of validity. */
  issuePath(file: StoredFile, now: number): string {
    if (!file.filePath) {
      const ext = file.fileName?.match(/\.([A-Za-z0-9]{1,8})$/)?.[1] ?? EXTENSION[file.mimeType ?? ''] ?? 'bin';
      file.filePath = `${FOLDER[file.kind]}/file_${this.#pathCounter++}.${ext}`;
      this.#byPath.set(`${file.botId}/${file.filePath}`, file.fileId);
    }
    file.pathIssuedAt = now;
    return file.filePath;
  }

  /** The file behind a download path of this bot, while its link is valid. */
  byPath(botId: number, filePath: string, now: number): StoredFile | undefined {
    const file = this.#files.get(this.#byPath.get(`${botId}/${filePath}`) ?? '');
    if (!file?.bytes || file.pathIssuedAt === undefined || now - file.pathIssuedAt > DOWNLOAD_LINK_TTL_MS) return undefined;
    return file;
  }

  clear(): void {
    this.#files.clear();
    this.#byPath.clear();
    this.#heldBytes = 0;
  }

  #evict(): void {
    for (const [id, file] of this.#files) {
      if (this.#heldBytes <= this.maxHeldBytes && this.#files.size <= MAX_FILES) break;
      this.#files.delete(id);
      if (file.filePath) this.#byPath.delete(`${file.botId}/${file.filePath}`);
      this.#heldBytes -= file.bytes?.length ?? 0;
    }
  }
}
