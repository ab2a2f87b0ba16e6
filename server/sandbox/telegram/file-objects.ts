/**
 * The Bot API objects describing stored files, shared by what bots send and what users send: PhotoSize
 * lists (several sizes, the largest last), Document, Voice, Audio, Video, VideoNote, Sticker (§3).
 */
import type { BotApiAudio, BotApiDocument, BotApiPhotoSize, BotApiSticker, BotApiVideo, BotApiVideoNote, BotApiVoice } from './bot-api-types.js';
import type { FileStore, StoredFile } from './file-store.js';
import { pngDimensions, pngFixture } from './fixtures.js';

const base = (f: StoredFile) => ({ file_id: f.fileId, file_unique_id: f.fileUniqueId, file_size: f.size });
const named = (f: StoredFile) => ({ ...(f.fileName ? { file_name: f.fileName } : {}), ...(f.mimeType ? { mime_type: f.mimeType } : {}) });

/** Telegram's thumbnail sides (s, m, x, y) [unconfirmed: the exact set varies]. */
const PHOTO_SIDES = [90, 320, 800, 1280];

/**
 * Sizes of one photo: the original as the largest, preceded by generated smaller copies for each
 * standard side below it. The original's dimensions come from its PNG header, else `fallback`.
 */
export function photoSizes(files: FileStore, original: StoredFile, fallback: { width: number; height: number }): BotApiPhotoSize[] {
  const dims = (original.bytes && pngDimensions(original.bytes)) || fallback;
  const longest = Math.max(dims.width, dims.height);
  const sizes: BotApiPhotoSize[] = [];
  for (const side of PHOTO_SIDES.filter((s) => s < longest)) {
    const scale = side / longest;
    const width = Math.max(1, Math.round(dims.width * scale));
    const height = Math.max(1, Math.round(dims.height * scale));
    const copy = files.add({ botId: original.botId, kind: 'photo', bytes: pngFixture(width, height), mimeType: 'image/png' });
    sizes.push({ ...base(copy), width, height });
  }
  sizes.push({ ...base(original), width: dims.width, height: dims.height });
  return sizes;
}

export const documentObject = (f: StoredFile): BotApiDocument => ({ ...base(f), ...named(f) });

export const voiceObject = (f: StoredFile, duration: number): BotApiVoice => ({ ...base(f), duration, ...(f.mimeType ? { mime_type: f.mimeType } : {}) });

export const audioObject = (f: StoredFile, duration: number, extra: { performer?: string; title?: string }): BotApiAudio => ({
  ...base(f),
  ...named(f),
  duration,
  ...(extra.performer ? { performer: extra.performer } : {}),
  ...(extra.title ? { title: extra.title } : {}),
});

export const videoObject = (f: StoredFile, d: { width: number; height: number; duration: number }): BotApiVideo => ({ ...base(f), ...named(f), ...d });

export const videoNoteObject = (f: StoredFile, d: { length: number; duration: number }): BotApiVideoNote => ({ ...base(f), ...d });

export const stickerObject = (f: StoredFile, emoji: string | undefined): BotApiSticker => ({
  ...base(f),
  type: 'regular',
  width: 512,
  height: 512,
  is_animated: f.mimeType === 'application/x-tgsticker',
  is_video: f.mimeType === 'video/webm',
  ...(emoji ? { emoji } : {}),
});
