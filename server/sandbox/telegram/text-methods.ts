/**
 * sendMessage and editMessageText (telegram.md §5): text 1–4096 characters after parse_mode, entities,
 * quoted replies, inline keyboards. Only messages the bot sent can be edited, and only to something new.
 */
import { isDeepStrictEqual } from 'node:util';
import { badRequest, parseParams } from './api-errors.js';
import {
  admitMessage,
  editableBotMessage,
  finishEdit,
  formattedBody,
  notModified,
  inlineKeyboard,
  repliedMessage,
  storeBotMessage,
  writableChat,
  type MethodHandler,
} from './method-context.js';
import { editMessageTextParams, sendMessageParams } from './schemas.js';

export const MAX_TEXT_LENGTH = 4096;
const TEXT_ERRORS = { empty: 'message text is empty', tooLong: 'message is too long' };

export const sendMessage: MethodHandler = (ctx, bot, { values }) => {
  const p = parseParams(sendMessageParams, values);
  const chat = writableChat(bot, p.chat_id);
  if (p.text === undefined || p.text === '') throw badRequest(TEXT_ERRORS.empty);
  const body = formattedBody(String(p.text), p.parse_mode, p.entities, TEXT_ERRORS, MAX_TEXT_LENGTH);
  const replyTo = repliedMessage(chat, p);
  const keyboard = inlineKeyboard(p.reply_markup);
  admitMessage(ctx, bot, chat);
  return storeBotMessage(ctx, bot, chat, replyTo, {
    text: body.text,
    ...(body.entities.length > 0 ? { entities: body.entities } : {}),
    ...(keyboard ? { reply_markup: keyboard } : {}),
  });
};

export const editMessageText: MethodHandler = (ctx, bot, { values }) => {
  const p = parseParams(editMessageTextParams, values);
  const stored = editableBotMessage(bot, p);
  if (p.text === undefined || p.text === '') throw badRequest(TEXT_ERRORS.empty);
  const body = formattedBody(String(p.text), p.parse_mode, p.entities, TEXT_ERRORS, MAX_TEXT_LENGTH);
  if (stored.message.text === undefined) throw badRequest('there is no text in the message to edit');
  const keyboard = inlineKeyboard(p.reply_markup);
  const entities = body.entities.length > 0 ? body.entities : undefined;
  const sameMarkup = isDeepStrictEqual(keyboard, stored.message.reply_markup);
  if (stored.message.text === body.text && isDeepStrictEqual(entities, stored.message.entities) && sameMarkup) throw notModified();
  const message = stored.message;
  message.text = body.text;
  if (entities) message.entities = entities;
  else delete message.entities;
  return finishEdit(ctx, message, keyboard);
};
