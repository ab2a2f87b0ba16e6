/**
 * sendLocation and sendContact (a place, a contact card) and editMessageCaption (the caption of a
 * file the bot sent): quoted replies and inline keyboards like sendMessage; an edit only of a bot's
 * message with a file, and only to something new.
 */
import { isDeepStrictEqual } from 'node:util';
import { badRequest, parseParams } from './api-errors.js';
import { admitMessage, editableBotMessage, finishEdit, formattedBody, inlineKeyboard, notModified, repliedMessage, storeBotMessage, writableChat, type MethodHandler } from './method-context.js';
import { MAX_CAPTION_LENGTH } from './media-methods.js';
import { editMessageCaptionParams, sendContactParams, sendLocationParams } from './schemas.js';

export const sendLocation: MethodHandler = (ctx, bot, { values }) => {
  const p = parseParams(sendLocationParams, values);
  const chat = writableChat(bot, p.chat_id);
  const replyTo = repliedMessage(chat, p);
  const keyboard = inlineKeyboard(p.reply_markup);
  admitMessage(ctx, bot, chat);
  return storeBotMessage(ctx, bot, chat, replyTo, { location: { latitude: p.latitude, longitude: p.longitude }, ...(keyboard ? { reply_markup: keyboard } : {}) });
};

export const sendContact: MethodHandler = (ctx, bot, { values }) => {
  const p = parseParams(sendContactParams, values);
  const chat = writableChat(bot, p.chat_id);
  if (p.phone_number.trim() === '') throw badRequest('phone number is empty');
  if (p.first_name.trim() === '') throw badRequest('first name is empty');
  const replyTo = repliedMessage(chat, p);
  const keyboard = inlineKeyboard(p.reply_markup);
  admitMessage(ctx, bot, chat);
  const contact = { phone_number: p.phone_number, first_name: p.first_name, ...(p.last_name ? { last_name: p.last_name } : {}) };
  return storeBotMessage(ctx, bot, chat, replyTo, { contact, ...(keyboard ? { reply_markup: keyboard } : {}) });
};

export const editMessageCaption: MethodHandler = (ctx, bot, { values }) => {
  const p = parseParams(editMessageCaptionParams, values);
  const m = editableBotMessage(bot, p).message;
  if (!m.photo && !m.document && !m.video && !m.voice && !m.audio) throw badRequest('there is no caption in the message to edit');
  const caption = formattedBody(p.caption ?? '', p.parse_mode, p.caption_entities, { tooLong: 'message caption is too long' }, MAX_CAPTION_LENGTH);
  const keyboard = inlineKeyboard(p.reply_markup);
  const entities = caption.entities.length > 0 ? caption.entities : undefined;
  if ((m.caption ?? '') === caption.text && isDeepStrictEqual(entities, m.caption_entities) && isDeepStrictEqual(keyboard, m.reply_markup)) throw notModified();
  if (caption.text) m.caption = caption.text;
  else delete m.caption;
  if (entities) m.caption_entities = entities;
  else delete m.caption_entities;
  return finishEdit(ctx, m, keyboard);
};
