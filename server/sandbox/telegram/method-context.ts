/**
 * What every emulated method works with, and the steps the send* methods share: finding the chat the
 * bot may write to, the message it replies to, the flood check, the inline keyboard, storing the
 * sent message, and the steps the edit methods share.
 */
import { Buffer } from 'node:buffer';
import { badRequest, botBlocked, chatNotFound, tooManyRequests, type TelegramApiError } from './api-errors.js';
import type { BotApiInlineKeyboardMarkup, BotApiMessage, BotApiMessageEntity } from './bot-api-types.js';
import type { BotState, ChatState, EmulatorState, StoredMessage } from './emulator-state.js';
import type { FileStore } from './file-store.js';
import type { FloodControl } from './flood-control.js';
import type { CallParams } from './call-params.js';
import { inlineKeyboardMarkup, type ReplyMarkupInput, type SendBaseInput } from './schemas.js';
import { formatText } from './text-format.js';
import type { UpdateDispatcher } from './update-dispatcher.js';
import type { UrlFetcher } from './types.js';

export interface MethodContext {
  state: EmulatorState;
  files: FileStore;
  updates: UpdateDispatcher;
  flood: FloodControl;
  now: () => number;
  fetchUrl: UrlFetcher;
  plainHttpWebhooks: 'loopback' | 'any';
}

export type MethodHandler = (ctx: MethodContext, bot: BotState, params: CallParams) => unknown;

export const unixTime = (ctx: MethodContext): number => Math.floor(ctx.now() / 1000);

/** The chat the bot writes to: it must have one with that id (the user wrote first), not blocked. */
export function writableChat(bot: BotState, chatId: number | string): ChatState {
  const chat = typeof chatId === 'number' ? bot.chats.get(chatId) : undefined;
  if (!chat) throw chatNotFound();
  if (chat.isBlocked) throw botBlocked();
  return chat;
}

/** The message a send replies to: reply_parameters, or the legacy reply_to_message_id (§5). */
export function repliedMessage(chat: ChatState, p: SendBaseInput): StoredMessage | undefined {
  const id = p.reply_parameters?.message_id ?? p.reply_to_message_id;
  if (id === undefined) return undefined;
  if (p.reply_parameters?.chat_id !== undefined && p.reply_parameters.chat_id !== chat.chat.id) throw chatNotFound();
  const replied = chat.messages.get(id);
  const allowMissing = p.reply_parameters?.allow_sending_without_reply ?? p.allow_sending_without_reply ?? false;
  if (!replied && !allowMissing) throw badRequest('message to be replied not found');
  return replied;
}

export function admitMessage(ctx: MethodContext, bot: BotState, chat: ChatState): void {
  const retryAfter = ctx.flood.admit(bot.id, chat.chat.id, chat.chat.type);
  if (retryAfter !== undefined) throw tooManyRequests(retryAfter);
}

/** Inline keyboards as Telegram checks them; other markups (reply keyboards) are not kept on the message. */
export function inlineKeyboard(markup: ReplyMarkupInput | undefined): BotApiInlineKeyboardMarkup | undefined {
  const parsed = inlineKeyboardMarkup.safeParse(markup);
  if (!parsed.success) return undefined;
  const rows = parsed.data.inline_keyboard.map((row) =>
    row.map((button) => {
      const actions = Object.keys(button).filter((k) => k !== 'text');
      if (actions.length !== 1) throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      if (button.text.trim() === '') throw badRequest('BUTTON_TEXT_INVALID'); // [unconfirmed wording]
      if (button.callback_data !== undefined) {
        const bytes = Buffer.byteLength(button.callback_data, 'utf8');
        if (bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
        return { text: button.text, callback_data: button.callback_data };
      }
      if (button.url !== undefined) {
        if (!/^(https?|tg):\/\/\S+$/i.test(button.url)) throw badRequest('BUTTON_URL_INVALID');
        return { text: button.text, url: button.url };
      }
      return { ...button, text: button.text };
    }),
  );
  return { inline_keyboard: rows };
}

/**
 * Text or caption after parse_mode, with leading and trailing white space removed as Telegram does
 * (entities shifted to match), checked against `max` characters (UTF-16 units [unconfirmed: Telegram
 * may count differently for astral characters]).
 */
export function formattedBody(
  src: string,
  parseMode: string | undefined,
  entities: BotApiMessageEntity[] | undefined,
  errors: { empty?: string; tooLong: string },
  max: number,
): { text: string; entities: BotApiMessageEntity[] } {
  const formatted = formatText(src, parseMode, entities);
  const lead = formatted.text.length - formatted.text.trimStart().length;
  const text = formatted.text.trim();
  if (text === '' && errors.empty) throw badRequest(errors.empty);
  if (text.length > max) throw badRequest(errors.tooLong);
  const shifted = formatted.entities
    .map((e) => {
      const start = Math.max(0, e.offset - lead);
      const end = Math.min(text.length, e.offset + e.length - lead);
      return { ...e, offset: start, length: end - start };
    })
    .filter((e) => e.length > 0);
  return { text, entities: shifted };
}

/** Stores what the bot sent and returns the Message the API answers. */
export function storeBotMessage(
  ctx: MethodContext,
  bot: BotState,
  chat: ChatState,
  replyTo: StoredMessage | undefined,
  fields: Omit<BotApiMessage, 'message_id' | 'from' | 'chat' | 'date'>,
): BotApiMessage {
  const stored = ctx.state.addMessage(chat, 'from_bot', (message_id) => ({
    message_id,
    from: { ...bot.user },
    chat: { ...chat.chat },
    date: unixTime(ctx),
    ...(replyTo ? { reply_to_message: withoutReply(replyTo.message) } : {}),
    ...fields,
  }));
  return structuredClone(stored.message);
}

/** A replied-to message is shown one level deep, as the API does. */
export function withoutReply(message: BotApiMessage): BotApiMessage {
  const { reply_to_message: _nested, ...rest } = structuredClone(message);
  return rest;
}

/** A successful answer that also carries a `description`, as setWebhook's "Webhook was set". */
export class DescribedResult {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

/** The bot's own message an edit method names (no inline messages in the emulator). */
export function editableBotMessage(bot: BotState, p: { chat_id?: number | string | undefined; message_id?: number | undefined; inline_message_id?: string | undefined }): StoredMessage {
  if (p.inline_message_id !== undefined) throw badRequest('MESSAGE_ID_INVALID');
  if (p.chat_id === undefined) throw badRequest('chat_id is empty');
  if (p.message_id === undefined) throw badRequest('message identifier is not specified');
  const stored = writableChat(bot, p.chat_id).messages.get(p.message_id);
  if (!stored) throw badRequest('message to edit not found');
  if (stored.direction !== 'from_bot') throw badRequest("message can't be edited");
  return stored;
}

export const notModified = (): TelegramApiError =>
  badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');

/** Ends an edit: without reply_markup the edit removes the inline keyboard, as in the real API. */
export function finishEdit(ctx: MethodContext, message: BotApiMessage, keyboard: BotApiInlineKeyboardMarkup | undefined): BotApiMessage {
  if (keyboard) message.reply_markup = keyboard;
  else delete message.reply_markup;
  message.edit_date = unixTime(ctx);
  return structuredClone(message);
}
