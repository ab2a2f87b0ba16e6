/**
 * sendChatAction, setMessageReaction and answerCallbackQuery (telegram.md §5). Bots set at most one
 * reaction, an emoji from Telegram's list; an empty or absent list removes it.
 */
import { badRequest, parseParams } from './api-errors.js';
import { writableChat, type MethodHandler } from './method-context.js';
import { CHAT_ACTIONS, answerCallbackQueryParams, sendChatActionParams, setMessageReactionParams } from './schemas.js';

/**
 * ReactionTypeEmoji's list (core.telegram.org/bots/api#reactiontypeemoji, Bot API 7.x), compared exactly:
 * whether Telegram also takes the forms with U+FE0F ("❤️") is [unconfirmed], so the emulator refuses them.
 */
export const ALLOWED_REACTIONS: readonly string[] = [
  '👍', '👎', '❤', '🔥', '🥰', '👏', '😁', '🤔', '🤯', '😱', '🤬', '😢', '🎉', '🤩', '🤮', '💩', '🙏', '👌', '🕊', '🤡',
  '🥱', '🥴', '😍', '🐳', '❤‍🔥', '🌚', '🌭', '💯', '🤣', '⚡', '🍌', '🏆', '💔', '🤨', '😐', '🍓', '🍾', '💋', '🖕', '😈',
  '😴', '😭', '🤓', '👻', '👨‍💻', '👀', '🎃', '🙈', '😇', '😨', '🤝', '✍', '🤗', '🫡', '🎅', '🎄', '☃', '💅', '🤪', '🗿',
  '🆒', '💘', '🙉', '🦄', '😘', '💊', '🙊', '😎', '👾', '🤷‍♂', '🤷', '🤷‍♀', '😡',
];

/** How long a callback query can be answered [unconfirmed: Telegram gives "a few seconds" before the spinner ends]. */
export const CALLBACK_ANSWER_WINDOW_MS = 15 * 60 * 1000;

export const sendChatAction: MethodHandler = (ctx, bot, { values }) => {
  const p = parseParams(sendChatActionParams, values);
  const chat = writableChat(bot, p.chat_id);
  if (!(CHAT_ACTIONS as readonly string[]).includes(p.action)) throw badRequest('wrong parameter action in request');
  ctx.state.logChatAction({ botId: bot.id, chatId: chat.chat.id, action: p.action, at: ctx.now() });
  return true;
};

export const setMessageReaction: MethodHandler = (_ctx, bot, { values }) => {
  const p = parseParams(setMessageReactionParams, values);
  const chat = writableChat(bot, p.chat_id);
  const stored = chat.messages.get(p.message_id);
  if (!stored) throw badRequest('MESSAGE_ID_INVALID'); // [unconfirmed wording]
  const reaction = p.reaction ?? [];
  if (reaction.length > 1) throw badRequest('REACTIONS_TOO_MANY');
  const chosen = reaction[0];
  if (chosen && (chosen.type !== 'emoji' || !ALLOWED_REACTIONS.includes(chosen.emoji))) throw badRequest('REACTION_INVALID');
  stored.botReaction = chosen?.type === 'emoji' ? [{ type: 'emoji', emoji: chosen.emoji }] : [];
  return true;
};

export const answerCallbackQuery: MethodHandler = (ctx, bot, { values }) => {
  const p = parseParams(answerCallbackQueryParams, values);
  const query = ctx.state.callbackQueries.get(p.callback_query_id);
  const isStale = !query || query.botId !== bot.id || query.answer !== undefined || ctx.now() - query.at > CALLBACK_ANSWER_WINDOW_MS;
  if (!query || isStale) throw badRequest('query is too old and response timeout expired or query ID is invalid');
  query.answer = {
    ...(p.text !== undefined ? { text: p.text } : {}),
    showAlert: p.show_alert ?? false,
    ...(p.url !== undefined ? { url: p.url } : {}),
    cacheTime: p.cache_time ?? 0,
    at: ctx.now(),
  };
  return true;
};
