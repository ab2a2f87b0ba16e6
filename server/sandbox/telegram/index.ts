/**
 * Emulator of the Telegram Bot API (telegram.md) for the sandbox and the tests: a registry of bots with
 * real-shaped tokens, the methods the Telegram platform calls with parameter checks and real answer
 * shapes, files and downloads, webhook delivery with the secret header and retries, getUpdates, flood
 * limits, failure injection, and a control API that acts as Telegram users. Imports nothing of the
 * product but two HTTP helpers.
 */
import { Router, type Response } from 'express';
import { listenRouter, type RunningEmulatorServer } from '../emulator-http.js';
import { createApiRouter, sendJson } from './api-router.js';
import { notFound } from './api-errors.js';
import type { BotApiChat, BotApiUser, BotApiWebhookInfo } from './bot-api-types.js';
import { getWebhookInfo } from './bot-methods.js';
import { createControlRouter } from './control-routes.js';
import { EmulatorState, type BotState } from './emulator-state.js';
import { FaultInjector, type FaultOptions } from './faults.js';
import { FileStore, type StoredFile } from './file-store.js';
import { FloodControl } from './flood-control.js';
import { fetchUrlBytes } from './media-input.js';
import type { MethodContext } from './method-context.js';
import type {
  ApiCallRecord,
  BotRecord,
  CallbackQueryRecord,
  ChatActionRecord,
  ChatMessageRecord,
  NewBotInput,
  NewUserInput,
  Scheduler,
  TelegramEmulatorOptions,
  WebhookAttemptRecord,
} from './types.js';
import { UpdateDispatcher, fetchUpdatePoster } from './update-dispatcher.js';
import { findBot, type UserContext } from './user-context.js';
import { pressButton, reactAsUser, setBotBlocked, type PressButtonInput, type UserReactInput } from './user-interactions.js';
import { editUserMessage, sendUserMessage, type UserActionResult, type UserEditInput, type UserMessageInput } from './user-messages.js';

export type * from './types.js';
export type * from './bot-api-types.js';
export type { FaultOptions, FaultKind } from './faults.js';
export type { UserMessageInput, UserEditInput, UserActionResult, UserFile, UserMessageContent } from './user-messages.js';
export type { PressButtonInput, UserReactInput } from './user-interactions.js';
export { UserActionError } from './user-context.js';
export { botIdOfToken } from './bot-token.js';
export { ALLOWED_REACTIONS } from './interaction-methods.js';
export { MAX_DELIVERY_ATTEMPTS } from './update-dispatcher.js';
export { pngFixture, fileFixture } from './fixtures.js';

/** Its `url` is a Bot API root: `<url>/bot<token>/getMe`. */
export type { RunningEmulatorServer as RunningTelegramEmulator } from '../emulator-http.js';

export interface ChatSummary {
  chat: BotApiChat;
  isBlocked: boolean;
  messageCount: number;
}

export interface TelegramEmulator {
  /** Express 5 router: the Bot API at `/bot<token>/<method>`, downloads at `/file/bot<token>/…`, control at `/_control`. */
  readonly router: Router;
  listen(port?: number, host?: string): Promise<RunningEmulatorServer>;

  createBot(input?: NewBotInput): BotRecord;
  bots(): BotRecord[];
  bot(botId: number): BotRecord;
  webhookInfo(botId: number): BotApiWebhookInfo;
  createUser(input: NewUserInput): BotApiUser;
  users(): BotApiUser[];
  createGroup(title: string): BotApiChat;

  /** Acting as a Telegram user; each action becomes an update for the bot (webhook or getUpdates). */
  sendAsUser(input: UserMessageInput): UserActionResult;
  editAsUser(input: UserEditInput): UserActionResult;
  pressButton(input: PressButtonInput): UserActionResult & { callbackQueryId: string };
  reactAsUser(input: UserReactInput): UserActionResult;
  blockBot(input: { botId: number; userId: number }): UserActionResult;
  unblockBot(input: { botId: number; userId: number }): UserActionResult;

  chats(botId: number): ChatSummary[];
  /** Everything in the chat, both directions, oldest first, with reactions. */
  messages(botId: number, chatId: number): ChatMessageRecord[];
  chatActions(botId?: number): ChatActionRecord[];
  callbackQueries(botId?: number): CallbackQueryRecord[];
  webhookAttempts(botId?: number): WebhookAttemptRecord[];
  calls(): ApiCallRecord[];
  /** A stored file (bytes absent for files announced by size only). */
  file(fileId: string): Omit<StoredFile, 'botId'> | undefined;

  injectFault(options: FaultOptions): void;
  setFloodLimits(isEnabled: boolean): void;
  /** Resolves once no webhook POST is in flight (retries waiting on the scheduler do not count). */
  whenDeliveryIdle(): Promise<void>;
  /** Forgets everything and registers the bots of the options again (same tokens); ends hung calls. */
  reset(): void;
}

const realScheduler: Scheduler = (run, delayMs) => {
  const timer = setTimeout(run, delayMs);
  timer.unref();
  return { cancel: () => clearTimeout(timer) };
};

function botRecord(bot: BotState): BotRecord {
  return { id: bot.id, token: bot.token, user: { ...bot.user }, ...(bot.webhook ? { webhookUrl: bot.webhook.url } : {}), pendingUpdateCount: bot.pending.length };
}

export function createTelegramEmulator(options: TelegramEmulatorOptions = {}): TelegramEmulator {
  const now = options.now ?? Date.now;
  const maxUploadBytes = options.maxUploadBytes ?? 20 * 1024 * 1024;
  const state = new EmulatorState();
  const files = new FileStore(Math.max(options.maxHeldFileBytes ?? 64 * 1024 * 1024, maxUploadBytes));
  const updates = new UpdateDispatcher({ state, now, schedule: options.schedule ?? realScheduler, postUpdate: options.postUpdate ?? fetchUpdatePoster });
  const flood = new FloodControl(now, options.floodLimits ?? false);
  const faults = new FaultInjector();
  const hanging = new Set<Response>();
  const ctx: MethodContext = { state, files, updates, flood, now, fetchUrl: options.fetchUrl ?? fetchUrlBytes, plainHttpWebhooks: options.plainHttpWebhooks ?? 'loopback' };
  const userCtx: UserContext = { state, files, updates, now };
  // Tokens of the start-up bots are settled once, so that reset() keeps them working.
  const initialBots = (options.bots ?? []).map((input) => botRecord(state.addBot(input)));

  const botsOf = <T extends { botId: number }>(list: T[], botId?: number): T[] => structuredClone(botId === undefined ? list : list.filter((r) => r.botId === botId));

  const router = Router();
  const emulator: TelegramEmulator = {
    router,
    listen: (port = 0, host = '127.0.0.1') => listenRouter(router, port, host),
    createBot: (input) => botRecord(state.addBot(input)),
    bots: () => [...state.bots.values()].map(botRecord),
    bot: (botId) => botRecord(findBot(userCtx, botId)),
    webhookInfo: (botId) => getWebhookInfo(ctx, findBot(userCtx, botId), { values: {}, files: new Map() }) as BotApiWebhookInfo,
    createUser: (input) => ({ ...state.addUser(input) }),
    users: () => structuredClone([...state.users.values()]),
    createGroup: (title) => ({ ...state.addGroup(title) }),

    sendAsUser: (input) => sendUserMessage(userCtx, input),
    editAsUser: (input) => editUserMessage(userCtx, input),
    pressButton: (input) => pressButton(userCtx, input),
    reactAsUser: (input) => reactAsUser(userCtx, input),
    blockBot: (input) => setBotBlocked(userCtx, { ...input, isBlocked: true }),
    unblockBot: (input) => setBotBlocked(userCtx, { ...input, isBlocked: false }),

    chats: (botId) => [...findBot(userCtx, botId).chats.values()].map((c) => ({ chat: { ...c.chat }, isBlocked: c.isBlocked, messageCount: c.messages.size })),
    messages: (botId, chatId) => structuredClone([...(findBot(userCtx, botId).chats.get(chatId)?.messages.values() ?? [])]),
    chatActions: (botId) => botsOf(state.chatActions, botId),
    callbackQueries: (botId) => botsOf([...state.callbackQueries.values()], botId),
    webhookAttempts: (botId) => botsOf(state.webhookAttempts, botId),
    calls: () => structuredClone(state.apiCalls),
    file(fileId) {
      const found = files.get(fileId);
      if (!found) return undefined;
      const { botId: _botId, ...rest } = found;
      return { ...rest };
    },

    injectFault: (o) => faults.add(o),
    setFloodLimits(isEnabled) {
      flood.isEnabled = isEnabled;
      flood.reset();
    },
    whenDeliveryIdle: () => updates.idle(),
    reset() {
      updates.reset();
      state.clear();
      files.clear();
      faults.reset();
      flood.reset();
      for (const res of hanging) res.destroy();
      hanging.clear();
      for (const bot of initialBots) state.addBot({ id: bot.id, token: bot.token, firstName: bot.user.first_name, username: bot.user.username ?? '' });
    },
  };

  router.use('/_control', createControlRouter(emulator));
  router.use(createApiRouter({ ...ctx, faults, maxUploadBytes, hanging }));
  router.use((_req, res) => sendJson(res, 404, notFound().toBody()));
  return emulator;
}
