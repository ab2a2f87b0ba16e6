/**
 * Public types of the Telegram Bot API emulator: its options and the records its inspection methods
 * return. Records are copies; changing one never changes the emulator's state.
 */
import type { BotApiMessage, BotApiReactionType, BotApiUser } from './bot-api-types.js';

/** Posts one update: must send `body` as given and resolve with the HTTP status (reject when no answer came). */
export type UpdatePoster = (url: string, body: Buffer, headers: Record<string, string>) => Promise<number>;

/** Runs `run` after `delayMs`; tests pass a scheduler they advance by hand. */
export type Scheduler = (run: () => void, delayMs: number) => { cancel(): void };

/** What `sendPhoto` & co. fetch when given an HTTP URL. */
export type UrlFetcher = (url: string, maxBytes: number) => Promise<{ bytes: Buffer; contentType?: string }>;

export interface TelegramEmulatorOptions {
  /** Clock in ms: message dates, flood windows, link validity, webhook error dates. */
  now?: () => number;
  /** Schedules webhook retries and `getUpdates` long polls; defaults to setTimeout. */
  schedule?: Scheduler;
  /** Sends webhook updates; the default POSTs with global fetch and gives up after 10 s. */
  postUpdate?: UpdatePoster;
  /** Fetches URLs given to `send*` methods; the default uses global fetch. */
  fetchUrl?: UrlFetcher;
  /** Flood limits at start (1 message/s per chat, 20/min per group, 30/s per bot); off by default. */
  floodLimits?: boolean;
  /** Webhook URLs over plain http are accepted for loopback hosts only (default) or for any host. */
  plainHttpWebhooks?: 'loopback' | 'any';
  /** Total bytes of files kept in memory; the oldest are forgotten beyond it. Default 64 MB. */
  maxHeldFileBytes?: number;
  /** Largest multipart upload accepted. Default 20 MB (the real API takes 10 MB photos, 50 MB other files). */
  maxUploadBytes?: number;
  /** Bots registered at start; the sandbox offers the first one's token. */
  bots?: NewBotInput[];
}

export interface NewBotInput {
  /** Defaults to the next free id from 7000000001. */
  id?: number;
  /** Defaults to a token minted for the bot. */
  token?: string;
  firstName?: string;
  /** Must end in "bot"; defaults to `emulated_<n>_bot`. */
  username?: string;
}

export interface BotRecord {
  id: number;
  token: string;
  user: BotApiUser;
  webhookUrl?: string;
  pendingUpdateCount: number;
}

export interface NewUserInput {
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

export type MessageDirection = 'to_bot' | 'from_bot';

export interface ChatMessageRecord {
  direction: MessageDirection;
  message: BotApiMessage;
  /** The bot's reaction (at most one) and the user's, as last set. */
  botReaction: BotApiReactionType[];
  userReaction: BotApiReactionType[];
}

export interface ChatActionRecord {
  botId: number;
  chatId: number;
  action: string;
  at: number;
}

export interface CallbackQueryRecord {
  id: string;
  botId: number;
  chatId: number;
  messageId: number;
  userId: number;
  data: string;
  at: number;
  answer?: { text?: string; showAlert: boolean; url?: string; cacheTime: number; at: number };
}

export interface WebhookAttemptRecord {
  botId: number;
  updateId: number;
  url: string;
  attempt: number;
  at: number;
  status?: number;
  error?: string;
}

export interface ApiCallRecord {
  /** The method as called (any case), or `file` for a download. */
  method: string;
  /** Absent when the token was unknown or malformed. */
  botId?: number;
  status: number;
  description?: string;
  at: number;
}
