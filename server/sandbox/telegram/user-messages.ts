/**
 * A Telegram user writing to a bot: text, photo, document, voice, audio, video, video note, sticker,
 * location, contact, optionally as a reply, and edits of what they wrote (`edited_message`). Files are
 * the given bytes or generated fixtures; a file announced larger than 20 MB is kept by size only.
 */
import { gzipSync } from 'node:zlib';
import type { BotApiContact, BotApiMessage, BotApiMessageEntity, BotApiUpdate } from './bot-api-types.js';
import { audioObject, documentObject, photoSizes, stickerObject, videoNoteObject, videoObject, voiceObject } from './file-objects.js';
import { MAX_DOWNLOAD_BYTES, type FileKind, type StoredFile } from './file-store.js';
import { fileFixture, mimeOfFixture, pngFixture, type FixtureKind } from './fixtures.js';
import { withoutReply } from './method-context.js';
import { UserActionError, existingMessage, resolveTarget, unixSeconds, type UserContext, type UserTarget } from './user-context.js';

export interface UserFile {
  bytes: Buffer;
  fileName?: string;
  mimeType?: string;
}

export interface UserMessageContent {
  text?: string;
  entities?: BotApiMessageEntity[];
  caption?: string;
  photo?: { width?: number; height?: number; file?: UserFile };
  document?: { fileName?: string; mimeType?: string; sizeBytes?: number; file?: UserFile };
  voice?: { duration: number; file?: UserFile };
  audio?: { duration: number; title?: string; performer?: string; file?: UserFile };
  video?: { duration: number; width?: number; height?: number; file?: UserFile };
  videoNote?: { duration: number; length?: number };
  sticker?: { emoji?: string; format?: 'static' | 'animated' | 'video' };
  location?: { latitude: number; longitude: number };
  contact?: { phoneNumber: string; firstName: string; lastName?: string; userId?: number };
}

export interface UserMessageInput extends UserTarget, UserMessageContent {
  replyToMessageId?: number;
  mediaGroupId?: string;
}

export interface UserActionResult {
  message?: BotApiMessage;
  /** Absent when the bot's allowed_updates leave this kind out. */
  update?: BotApiUpdate;
}

const CONTENT_KINDS = ['text', 'photo', 'document', 'voice', 'audio', 'video', 'videoNote', 'sticker', 'location', 'contact'] as const;

interface FileSpec {
  kind: FileKind;
  fixture: FixtureKind;
  fileName?: string;
  file?: UserFile;
  sizeBytes?: number;
}

function storeUserFile(ctx: UserContext, botId: number, spec: FileSpec, mimeType?: string): StoredFile {
  const name = spec.file?.fileName ?? spec.fileName;
  const mime = spec.file?.mimeType ?? mimeType ?? mimeOfFixture(spec.fixture);
  if (spec.sizeBytes !== undefined && spec.sizeBytes > MAX_DOWNLOAD_BYTES) {
    return ctx.files.add({ botId, kind: spec.kind, size: spec.sizeBytes, mimeType: mime, ...(name ? { fileName: name } : {}) });
  }
  const bytes = spec.file?.bytes ?? fileFixture(spec.fixture, spec.sizeBytes);
  return ctx.files.add({ botId, kind: spec.kind, bytes, mimeType: mime, ...(name ? { fileName: name } : {}) });
}

function stickerFile(ctx: UserContext, botId: number, format: 'static' | 'animated' | 'video'): StoredFile {
  if (format === 'static') return storeUserFile(ctx, botId, { kind: 'sticker', fixture: 'webp' });
  const bytes = format === 'animated' ? gzipSync(Buffer.from('{"tgs":1,"v":"5.5.2"}')) : Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]);
  const mimeType = format === 'animated' ? 'application/x-tgsticker' : 'video/webm';
  return ctx.files.add({ botId, kind: 'sticker', bytes, mimeType });
}

/** The content fields of the message; exactly one kind of content. */
function contentFields(ctx: UserContext, botId: number, c: UserMessageContent): Partial<BotApiMessage> {
  const kinds = CONTENT_KINDS.filter((k) => c[k] !== undefined);
  if (kinds.length !== 1) throw new UserActionError('invalid', `give exactly one of ${CONTENT_KINDS.join(', ')}`);
  if (c.text !== undefined) {
    if (c.text.trim() === '') throw new UserActionError('invalid', 'text is empty');
    return { text: c.text, ...(c.entities?.length ? { entities: c.entities } : {}) };
  }
  const caption = c.caption ? { caption: c.caption } : {};
  if (c.photo) {
    const width = c.photo.width ?? 1280;
    const height = c.photo.height ?? 960;
    const file = c.photo.file
      ? storeUserFile(ctx, botId, { kind: 'photo', fixture: 'png', file: c.photo.file })
      : ctx.files.add({ botId, kind: 'photo', bytes: pngFixture(width, height), mimeType: 'image/png' });
    return { photo: photoSizes(ctx.files, file, { width, height }), ...caption };
  }
  if (c.document) {
    const d = c.document;
    const file = storeUserFile(ctx, botId, { kind: 'document', fixture: 'pdf', fileName: d.fileName ?? 'document.pdf', ...(d.file ? { file: d.file } : {}), ...(d.sizeBytes !== undefined ? { sizeBytes: d.sizeBytes } : {}) }, d.mimeType);
    return { document: documentObject(file), ...caption };
  }
  if (c.voice) {
    const file = storeUserFile(ctx, botId, { kind: 'voice', fixture: 'ogg', ...(c.voice.file ? { file: c.voice.file } : {}) });
    return { voice: voiceObject(file, c.voice.duration), ...caption };
  }
  if (c.audio) {
    const a = c.audio;
    const file = storeUserFile(ctx, botId, { kind: 'audio', fixture: 'mp3', fileName: 'audio.mp3', ...(a.file ? { file: a.file } : {}) });
    return { audio: audioObject(file, a.duration, { ...(a.title ? { title: a.title } : {}), ...(a.performer ? { performer: a.performer } : {}) }), ...caption };
  }
  if (c.video) {
    const v = c.video;
    const file = storeUserFile(ctx, botId, { kind: 'video', fixture: 'mp4', fileName: 'video.mp4', ...(v.file ? { file: v.file } : {}) });
    return { video: videoObject(file, { width: v.width ?? 640, height: v.height ?? 360, duration: v.duration }), ...caption };
  }
  if (c.videoNote) {
    const file = storeUserFile(ctx, botId, { kind: 'video_note', fixture: 'mp4' });
    return { video_note: videoNoteObject(file, { length: c.videoNote.length ?? 240, duration: c.videoNote.duration }) };
  }
  if (c.sticker) return { sticker: stickerObject(stickerFile(ctx, botId, c.sticker.format ?? 'static'), c.sticker.emoji) };
  if (c.location) return { location: { latitude: c.location.latitude, longitude: c.location.longitude } };
  const k = c.contact as NonNullable<UserMessageContent['contact']>;
  const contact: BotApiContact = { phone_number: k.phoneNumber, first_name: k.firstName, ...(k.lastName ? { last_name: k.lastName } : {}), ...(k.userId ? { user_id: k.userId } : {}) };
  return { contact };
}

export function sendUserMessage(ctx: UserContext, input: UserMessageInput): UserActionResult {
  const { bot, user, chat } = resolveTarget(ctx, input);
  if (chat.isBlocked) throw new UserActionError('conflict', 'the user has blocked the bot: unblock it first');
  const replyTo = input.replyToMessageId === undefined ? undefined : existingMessage(chat, input.replyToMessageId);
  const fields = contentFields(ctx, bot.id, input);
  const stored = ctx.state.addMessage(chat, 'to_bot', (message_id) => ({
    message_id,
    from: { ...user },
    chat: { ...chat.chat },
    date: unixSeconds(ctx),
    ...(input.mediaGroupId ? { media_group_id: input.mediaGroupId } : {}),
    ...(replyTo ? { reply_to_message: withoutReply(replyTo.message) } : {}),
    ...fields,
  }));
  const message = structuredClone(stored.message);
  const update = ctx.updates.enqueue(bot, 'message', { message: structuredClone(message) });
  return { message, ...(update ? { update } : {}) };
}

export interface UserEditInput extends UserTarget {
  messageId: number;
  text?: string;
  caption?: string;
}

export function editUserMessage(ctx: UserContext, input: UserEditInput): UserActionResult {
  const { bot, user, chat } = resolveTarget(ctx, input);
  const stored = existingMessage(chat, input.messageId);
  if (stored.direction !== 'to_bot' || stored.message.from?.id !== user.id) throw new UserActionError('invalid', 'a user can edit only their own messages');
  const message = stored.message;
  if (input.text !== undefined) {
    if (message.text === undefined) throw new UserActionError('invalid', 'the message has no text to edit');
    if (input.text.trim() === '') throw new UserActionError('invalid', 'text is empty');
    message.text = input.text;
    delete message.entities;
  } else if (input.caption !== undefined) {
    if (message.text !== undefined) throw new UserActionError('invalid', 'a text message has no caption');
    message.caption = input.caption;
  } else {
    throw new UserActionError('invalid', 'give text or caption');
  }
  message.edit_date = unixSeconds(ctx);
  const update = ctx.updates.enqueue(bot, 'edited_message', { edited_message: structuredClone(message) });
  return { message: structuredClone(message), ...(update ? { update } : {}) };
}
