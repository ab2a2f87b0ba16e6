/**
 * A Telegram user's other actions: pressing an inline button of a bot message (`callback_query`),
 * reacting to a message (`message_reaction`), blocking and unblocking the bot (`my_chat_member`).
 */
import { randomInt } from 'node:crypto';
import type { BotApiReactionType } from './bot-api-types.js';
import { ALLOWED_REACTIONS } from './interaction-methods.js';
import { UserActionError, existingMessage, privateChatOf, resolveTarget, unixSeconds, type UserContext, type UserTarget } from './user-context.js';
import type { UserActionResult } from './user-messages.js';

export interface PressButtonInput extends UserTarget {
  messageId: number;
  /** The button's callback_data; or give its text. */
  data?: string;
  text?: string;
}

export function pressButton(ctx: UserContext, input: PressButtonInput): UserActionResult & { callbackQueryId: string } {
  const { bot, user, chat } = resolveTarget(ctx, input);
  const stored = existingMessage(chat, input.messageId);
  const buttons = (stored.message.reply_markup?.inline_keyboard ?? []).flat().filter((b) => b.callback_data !== undefined);
  const button = buttons.find((b) => (input.data !== undefined ? b.callback_data === input.data : b.text === input.text));
  if (!button?.callback_data) throw new UserActionError('not_found', 'the message has no such callback button');
  // Callback query ids are long decimal strings in the real API.
  const id = `${randomInt(1, 2 ** 47)}${randomInt(0, 2 ** 30)}`;
  ctx.state.addCallbackQuery({ id, botId: bot.id, chatId: chat.chat.id, messageId: stored.message.message_id, userId: user.id, data: button.callback_data, at: ctx.now() });
  const update = ctx.updates.enqueue(bot, 'callback_query', {
    callback_query: {
      id,
      from: { ...user },
      message: structuredClone(stored.message),
      chat_instance: `${Math.abs(chat.chat.id)}${bot.id}`,
      data: button.callback_data,
    },
  });
  return { callbackQueryId: id, ...(update ? { update } : {}) };
}

export interface UserReactInput extends UserTarget {
  messageId: number;
  /** Emoji to set (replacing the user's earlier reaction); empty removes it. */
  emoji: string[];
}

export function reactAsUser(ctx: UserContext, input: UserReactInput): UserActionResult {
  const { bot, user, chat } = resolveTarget(ctx, input);
  const stored = existingMessage(chat, input.messageId);
  const bad = input.emoji.find((e) => !ALLOWED_REACTIONS.includes(e));
  if (bad !== undefined) throw new UserActionError('invalid', `${bad} is not an allowed reaction`);
  const oldReaction = stored.userReaction;
  const newReaction: BotApiReactionType[] = input.emoji.map((emoji) => ({ type: 'emoji', emoji }));
  stored.userReaction = newReaction;
  const update = ctx.updates.enqueue(bot, 'message_reaction', {
    message_reaction: { chat: { ...chat.chat }, message_id: stored.message.message_id, user: { ...user }, date: unixSeconds(ctx), old_reaction: oldReaction, new_reaction: newReaction },
  });
  return update ? { update } : {};
}

/** Blocks (or unblocks) the bot in the user's private chat; a change of state sends `my_chat_member`. */
export function setBotBlocked(ctx: UserContext, input: { botId: number; userId: number; isBlocked: boolean }): UserActionResult {
  const { bot, user, chat } = resolveTarget(ctx, { botId: input.botId, userId: input.userId });
  if (chat.isBlocked === input.isBlocked) return {};
  chat.isBlocked = input.isBlocked;
  const member = { status: 'member' as const, user: { ...bot.user } };
  const kicked = { status: 'kicked' as const, user: { ...bot.user }, until_date: 0 };
  const update = ctx.updates.enqueue(bot, 'my_chat_member', {
    my_chat_member: {
      chat: privateChatOf(user),
      from: { ...user },
      date: unixSeconds(ctx),
      old_chat_member: input.isBlocked ? member : kicked,
      new_chat_member: input.isBlocked ? kicked : member,
    },
  });
  return update ? { update } : {};
}
