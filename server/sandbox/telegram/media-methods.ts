/**
 * sendPhoto, sendDocument, sendVoice, sendAudio, sendVideo (telegram.md §4–§5): the file as a file_id,
 * an HTTP URL or an upload, a caption of 0–1024 characters after parse_mode, quoted replies and inline
 * keyboards like sendMessage. Durations the emulator cannot measure default to the given parameter or 1.
 */
import type { BotApiMessage } from './bot-api-types.js';
import { parseParams } from './api-errors.js';
import { audioObject, documentObject, photoSizes, videoObject, voiceObject } from './file-objects.js';
import type { FileKind, StoredFile } from './file-store.js';
import { readMediaSource, storeMediaSource } from './media-input.js';
import { admitMessage, formattedBody, inlineKeyboard, repliedMessage, storeBotMessage, writableChat, type MethodContext, type MethodHandler } from './method-context.js';
import { sendMediaParams, type SendMediaInput } from './schemas.js';

export const MAX_CAPTION_LENGTH = 1024;

type MediaFields = (ctx: MethodContext, file: StoredFile, p: SendMediaInput) => Partial<BotApiMessage>;

function sendMedia(kind: FileKind, field: string, fields: MediaFields): MethodHandler {
  return async (ctx, bot, params) => {
    const p = parseParams(sendMediaParams, params.values);
    const chat = writableChat(bot, p.chat_id);
    const caption = formattedBody(p.caption ?? '', p.parse_mode, p.caption_entities, { tooLong: 'message caption is too long' }, MAX_CAPTION_LENGTH);
    const replyTo = repliedMessage(chat, p);
    const keyboard = inlineKeyboard(p.reply_markup);
    const source = await readMediaSource(ctx, bot.id, params, field, kind);
    // The chat may have blocked the bot while the URL was being fetched.
    writableChat(bot, p.chat_id);
    admitMessage(ctx, bot, chat);
    const file = storeMediaSource(ctx, bot.id, source, kind);
    return storeBotMessage(ctx, bot, chat, replyTo, {
      ...fields(ctx, file, p),
      ...(caption.text ? { caption: caption.text } : {}),
      ...(caption.entities.length > 0 ? { caption_entities: caption.entities } : {}),
      ...(keyboard ? { reply_markup: keyboard } : {}),
    });
  };
}

const duration = (p: SendMediaInput): number => Math.max(0, p.duration ?? 1);

export const sendPhoto = sendMedia('photo', 'photo', (ctx, file, p) => ({
  photo: photoSizes(ctx.files, file, { width: p.width ?? 1280, height: p.height ?? 960 }),
}));
export const sendDocument = sendMedia('document', 'document', (_ctx, file) => ({ document: documentObject(file) }));
export const sendVoice = sendMedia('voice', 'voice', (_ctx, file, p) => ({ voice: voiceObject(file, duration(p)) }));
export const sendAudio = sendMedia('audio', 'audio', (_ctx, file, p) => ({
  audio: audioObject(file, duration(p), { ...(p.performer ? { performer: p.performer } : {}), ...(p.title ? { title: p.title } : {}) }),
}));
export const sendVideo = sendMedia('video', 'video', (_ctx, file, p) => ({
  video: videoObject(file, { width: p.width ?? 640, height: p.height ?? 360, duration: duration(p) }),
}));
