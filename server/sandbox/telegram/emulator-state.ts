/**
 * The emulated Telegram's memory: bots (with their webhook and update queue), users, group chats, each
 * bot's chats and messages, chat actions and callback queries. A plain store with caps so a long-running
 * sandbox does not grow without bound; the method modules decide what is allowed.
 */
import type { BotApiChat, BotApiMessage, BotApiReactionType, BotApiUpdate, BotApiUser, EmulatedUpdateKind } from './bot-api-types.js';
import { botIdOfToken, mintToken } from './bot-token.js';
import type { ApiCallRecord, CallbackQueryRecord, ChatActionRecord, MessageDirection, NewBotInput, NewUserInput, WebhookAttemptRecord } from './types.js';

export interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
}

export interface QueuedUpdate {
  kind: EmulatedUpdateKind;
  update: BotApiUpdate;
  queuedAt: number;
}

export interface StoredMessage {
  direction: MessageDirection;
  message: BotApiMessage;
  botReaction: BotApiReactionType[];
  userReaction: BotApiReactionType[];
}

export interface ChatState {
  chat: BotApiChat;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  /** Private chats: the user blocked the bot. */
  isBlocked: boolean;
}

export interface BotState {
  id: number;
  token: string;
  user: BotApiUser & { username: string };
  webhook?: WebhookConfig;
  /** Remembered from the last setWebhook/getUpdates that named them (§2). */
  allowedUpdates?: string[];
  nextUpdateId: number;
  pending: QueuedUpdate[];
  lastErrorDate?: number;
  lastErrorMessage?: string;
  chats: Map<number, ChatState>;
}

export const LIMITS = {
  bots: 1000,
  users: 10_000,
  groups: 1000,
  messagesPerChat: 1000,
  chatsPerBot: 10_000,
  /** Telegram keeps undelivered updates for 24 hours (§2); the emulator also caps their number. */
  pendingUpdatesPerBot: 1000,
  logEntries: 2000,
} as const;

export class StateLimitError extends Error {}

function pushCapped<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > LIMITS.logEntries) list.splice(0, list.length - LIMITS.logEntries);
}

export class EmulatorState {
  readonly bots = new Map<number, BotState>();
  readonly users = new Map<number, BotApiUser>();
  readonly groups = new Map<number, BotApiChat>();
  readonly chatActions: ChatActionRecord[] = [];
  readonly callbackQueries = new Map<string, CallbackQueryRecord>();
  readonly webhookAttempts: WebhookAttemptRecord[] = [];
  readonly apiCalls: ApiCallRecord[] = [];
  #nextBotId = 7_000_000_001;
  #nextUserId = 100_000_001;
  #nextGroupId = -4_000_000_001;

  addBot(input: NewBotInput = {}): BotState {
    if (this.bots.size >= LIMITS.bots) throw new StateLimitError(`at most ${LIMITS.bots} bots`);
    const id = input.id ?? (input.token ? botIdOfToken(input.token) : undefined) ?? this.#nextBotId++;
    const token = input.token ?? mintToken(id);
    if (botIdOfToken(token) !== id) throw new StateLimitError('the token must be <bot id>:<secret> with 30–64 characters of [A-Za-z0-9_-]');
    if (this.bots.has(id)) throw new StateLimitError(`bot ${id} exists already`);
    const username = input.username ?? `emulated_${this.bots.size + 1}_bot`;
    if (!/^[A-Za-z][A-Za-z0-9_]{2,28}bot$/i.test(username)) throw new StateLimitError('a bot username is 5–32 characters of [A-Za-z0-9_] ending in "bot"');
    const bot: BotState = {
      id,
      token,
      user: { id, is_bot: true, first_name: input.firstName ?? 'Emulated bot', username },
      nextUpdateId: 100_000_001, // Any start will do; clients only rely on +1 steps (§2).
      pending: [],
      chats: new Map(),
    };
    this.bots.set(id, bot);
    return bot;
  }

  botByToken(token: string): BotState | undefined {
    const bot = this.bots.get(botIdOfToken(token) ?? -1);
    return bot?.token === token ? bot : undefined;
  }

  addUser(input: NewUserInput): BotApiUser {
    if (this.users.size >= LIMITS.users) throw new StateLimitError(`at most ${LIMITS.users} users`);
    const user: BotApiUser = {
      id: this.#nextUserId++,
      is_bot: false,
      first_name: input.firstName,
      ...(input.lastName ? { last_name: input.lastName } : {}),
      ...(input.username ? { username: input.username } : {}),
      ...(input.languageCode ? { language_code: input.languageCode } : {}),
    };
    this.users.set(user.id, user);
    return user;
  }

  addGroup(title: string): BotApiChat {
    if (this.groups.size >= LIMITS.groups) throw new StateLimitError(`at most ${LIMITS.groups} groups`);
    const chat: BotApiChat = { id: this.#nextGroupId--, type: 'group', title };
    this.groups.set(chat.id, chat);
    return chat;
  }

  /** The bot's chat, created on first use (a user writing first, or a group the bot is in). */
  openChat(bot: BotState, chat: BotApiChat): ChatState {
    let state = bot.chats.get(chat.id);
    if (!state) {
      if (bot.chats.size >= LIMITS.chatsPerBot) throw new StateLimitError(`at most ${LIMITS.chatsPerBot} chats per bot`);
      state = { chat, nextMessageId: 1, messages: new Map(), isBlocked: false };
      bot.chats.set(chat.id, state);
    }
    return state;
  }

  /** Adds a message, numbered in the chat; the oldest messages are forgotten beyond the cap. */
  addMessage(chat: ChatState, direction: MessageDirection, build: (messageId: number) => BotApiMessage): StoredMessage {
    const stored: StoredMessage = { direction, message: build(chat.nextMessageId++), botReaction: [], userReaction: [] };
    chat.messages.set(stored.message.message_id, stored);
    if (chat.messages.size > LIMITS.messagesPerChat) {
      const oldest = chat.messages.keys().next().value;
      if (oldest !== undefined) chat.messages.delete(oldest);
    }
    return stored;
  }

  logChatAction(record: ChatActionRecord): void {
    pushCapped(this.chatActions, record);
  }

  logWebhookAttempt(record: WebhookAttemptRecord): void {
    pushCapped(this.webhookAttempts, record);
  }

  logApiCall(record: ApiCallRecord): void {
    pushCapped(this.apiCalls, record);
  }

  addCallbackQuery(record: CallbackQueryRecord): void {
    this.callbackQueries.set(record.id, record);
    if (this.callbackQueries.size > LIMITS.logEntries) {
      const oldest = this.callbackQueries.keys().next().value;
      if (oldest !== undefined) this.callbackQueries.delete(oldest);
    }
  }

  clear(): void {
    this.bots.clear();
    this.users.clear();
    this.groups.clear();
    this.callbackQueries.clear();
    this.chatActions.length = 0;
    this.webhookAttempts.length = 0;
    this.apiCalls.length = 0;
  }
}
