/**
 * The file a send* method sends (telegram.md §4): a file_id this bot already has, an HTTP URL the
 * emulated Telegram downloads (photos up to 5 MB, other files 20 MB), or a multipart upload (photos up
 * to 10 MB) — given as the part of the parameter's name or as `attach://<part>`. The bytes are read
 * first and stored only once the whole call is accepted.
 */
import { badRequest } from './api-errors.js';
import type { CallParams } from './call-params.js';
import { sniffMime } from './fixtures.js';
import type { FileKind, StoredFile } from './file-store.js';
import type { MethodContext } from './method-context.js';
import type { UrlFetcher } from './types.js';

export type MediaSource = { existing: StoredFile } | { bytes: Buffer; mimeType: string; fileName?: string };

const MB = 1024 * 1024;
const URL_LIMIT: Partial<Record<FileKind, number>> = { photo: 5 * MB };
const UPLOAD_LIMIT: Partial<Record<FileKind, number>> = { photo: 10 * MB };
const URL_FETCH_TIMEOUT_MS = 10_000;

const KIND_NAMES: Record<FileKind, string> = {
  photo: 'Photo',
  document: 'Document',
  voice: 'Voice',
  audio: 'Audio',
  video: 'Video',
  video_note: 'VideoNote',
  sticker: 'Sticker',
};

export const fetchUrlBytes: UrlFetcher = async (url, maxBytes) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(URL_FETCH_TIMEOUT_MS) });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error('too big');
    }
    chunks.push(read.value);
  }
  const contentType = res.headers.get('content-type') ?? undefined;
  return { bytes: Buffer.concat(chunks), ...(contentType ? { contentType } : {}) };
};

function fileNameOfUrl(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split('/').pop();
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}

export async function readMediaSource(ctx: MethodContext, botId: number, params: CallParams, field: string, kind: FileKind): Promise<MediaSource> {
  const value = params.values[field];
  const attached = typeof value === 'string' && value.startsWith('attach://') ? params.files.get(value.slice('attach://'.length)) : undefined;
  const upload = attached ?? params.files.get(field);
  if (upload) {
    if (upload.bytes.length === 0) throw badRequest('file must be non-empty');
    if (upload.bytes.length > (UPLOAD_LIMIT[kind] ?? Infinity)) throw badRequest('file is too big'); // [unconfirmed wording for photos over 10 MB]
    return { bytes: upload.bytes, mimeType: sniffMime(upload.bytes) ?? upload.mimeType, ...(upload.fileName ? { fileName: upload.fileName } : {}) };
  }
  if (typeof value !== 'string' || value === '') throw badRequest(`there is no ${field.replace('_', ' ')} in the request`);
  if (/^https?:\/\//i.test(value)) {
    let fetched: Awaited<ReturnType<UrlFetcher>>;
    try {
      fetched = await ctx.fetchUrl(value, URL_LIMIT[kind] ?? 20 * MB);
    } catch {
      throw badRequest('failed to get HTTP URL content'); // [unconfirmed: Telegram words URL failures in several ways]
    }
    const fileName = fileNameOfUrl(value);
    const mimeType = sniffMime(fetched.bytes) ?? fetched.contentType?.split(';')[0]?.trim() ?? 'application/octet-stream';
    return { bytes: fetched.bytes, mimeType, ...(fileName ? { fileName } : {}) };
  }
  const existing = ctx.files.get(value);
  if (!existing || existing.botId !== botId) throw badRequest('wrong file identifier/HTTP URL specified');
  if (existing.kind !== kind) throw badRequest(`can't use file of type ${KIND_NAMES[existing.kind]} as ${KIND_NAMES[kind]}`); // [unconfirmed wording]
  return { existing };
}

/** Stores a new file (or returns the existing one) once the call is accepted. */
export function storeMediaSource(ctx: MethodContext, botId: number, source: MediaSource, kind: FileKind): StoredFile {
  if ('existing' in source) return source.existing;
  return ctx.files.add({ botId, kind, bytes: source.bytes, mimeType: source.mimeType, ...(source.fileName ? { fileName: source.fileName } : {}) });
}
