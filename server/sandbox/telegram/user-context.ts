/**
 * What the emulated Telegram user's actions share: finding the bot, the user and the chat they act in
 * (the private chat with the bot, or a group), and the typed refusal the control API maps to 4xx.
 */
import type { BotApiChat, BotApiUser } from './bot-api-types.js';
import type { BotState, ChatState, EmulatorState } from './emulator-state.js';
import type { FileStore } from './file-store.js';
import type { UpdateDispatcher } from './update-dispatcher.js';

export type UserActionErrorCode = 'not_found' | 'invalid' | 'conflict';

export class UserActionError extends Error {
  constructor(
    readonly code: UserActionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface UserContext {
  state: EmulatorState;
  files: FileStore;
  updates: UpdateDispatcher;
  now: () => number;
}

/** Who acts where: the user `userId` talking to bot `botId`, in their private chat unless `chatId` names a group. */
export interface UserTarget {
  botId: number;
  userId: number;
  chatId?: number;
}

export interface ResolvedTarget {
  bot: BotState;
  user: BotApiUser;
  chat: ChatState;
}

export const unixSeconds = (ctx: UserContext): number => Math.floor(ctx.now() / 1000);

export function privateChatOf(user: BotApiUser): BotApiChat {
  return {
    id: user.id,
    type: 'private',
    first_name: user.first_name,
    ...(user.last_name ? { last_name: user.last_name } : {}),
    ...(user.username ? { username: user.username } : {}),
  };
}

export function findBot(ctx: UserContext, botId: number): BotState {
  const bot = ctx.state.bots.get(botId);
  if (!bot) throw new UserActionError('not_found', `no bot ${botId}`);
  return bot;
}

export function resolveTarget(ctx: UserContext, target: UserTarget): ResolvedTarget {
  const bot = findBot(ctx, target.botId);
  const user = ctx.state.users.get(target.userId);
  if (!user) throw new UserActionError('not_found', `no user ${target.userId}`);
  if (target.chatId === undefined || target.chatId === user.id) return { bot, user, chat: ctx.state.openChat(bot, privateChatOf(user)) };
  const group = ctx.state.groups.get(target.chatId);
  if (!group) throw new UserActionError('not_found', `no group chat ${target.chatId}`);
  return { bot, user, chat: ctx.state.openChat(bot, group) };
}

export function existingMessage(chat: ChatState, messageId: number) {
  const stored = chat.messages.get(messageId);
  if (!stored) throw new UserActionError('not_found', `no message ${messageId} in chat ${chat.chat.id}`);
  return stored;
}
