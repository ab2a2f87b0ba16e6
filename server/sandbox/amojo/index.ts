/**
 * Emulator of the amoCRM / Kommo Chats API ("amojo", chats-api.md) for the sandbox and the tests: the
 * signed endpoints with real in-memory state, signed webhooks from manager actions, attachments, failure
 * injection and a control API for the sandbox page. Imports only the signing module from `amojo/`.
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { listenRouter, type RunningEmulatorServer } from '../emulator-http.js';
import { createApiRouter, API_BASE_PATH } from './api-router.js';
import { messageHotPath } from './hot-path.js';
import { AttachmentStore, createAttachmentRouter } from './attachments.js';
import { createControlRouter } from './control-routes.js';
import { EmulatorState, type ChannelState } from './emulator-state.js';
import { FaultInjector, type DelayOptions, type FailNextOptions } from './faults.js';
import { createManagerActions, type ManagerActions } from './manager-actions.js';
import { downloadMessageMedia } from './media-download.js';
import { verifyAmojoRequest, type AuthResult, type ReceivedRequest } from './request-auth.js';
import type {
  AmojoEmulatorOptions,
  ChatRecord,
  ConnectionRecord,
  MessageRecord,
  ReactionRecord,
  RequestLogRecord,
  TypingRecord,
  WebhookLogRecord,
} from './types.js';
import { fetchWebhookPoster } from './webhook-delivery.js';

export type * from './types.js';
export { MESSAGE_TYPES, PARTICIPANT_KINDS } from './types.js';
export type { ManagerFile, ManagerMessageInput, ManagerMessageResult, ManagerReactInput, ManagerTypingInput, ManagerTypingResult, WriteFirstInput, WriteFirstResult } from './manager-actions.js';
export { ManagerActionError } from './manager-actions.js';
export type { FailNextOptions, DelayOptions } from './faults.js';
export type { ReceivedRequest, AuthResult, AuthFailure } from './request-auth.js';
export { SIGNATURE_WINDOW_MS } from './request-auth.js';
export { parseAmojoDate } from './date-header.js';

export type { RunningEmulatorServer as RunningEmulator } from '../emulator-http.js';

export interface AmojoEmulator extends ManagerActions {
  /** Express 5 router; mount it under any prefix. Signed paths include that prefix. */
  readonly router: Router;
  /** Runs the emulator alone on its own port, mounted at `/`. */
  listen(port?: number, host?: string): Promise<RunningEmulatorServer>;
  /** The external base URL used in attachment links, once known. */
  publicUrl(): string | undefined;

  /** Verifies a request exactly as the API does (channel taken from the path), at the emulator's `now()`. */
  verifyRequest(req: ReceivedRequest): AuthResult;

  connections(): ConnectionRecord[];
  chats(scopeId: string): ChatRecord[];
  messages(chatId: string): MessageRecord[];
  /**
   * Calls `listener` with each message the integration sends, once it is stored, until the returned
   * function is called: a way to learn that messages arrived without copying every stored message
   * as `messages()` does. The record is the live one: the listener must not change it.
   */
  onMessage(listener: (message: Readonly<MessageRecord>) => void): () => void;
  reactions(scopeId?: string): ReactionRecord[];
  typingEvents(scopeId?: string): TypingRecord[];
  requests(): RequestLogRecord[];
  webhooks(): WebhookLogRecord[];

  /** Answers the next `count` API calls with `status` (and `Retry-After`), touching no state. */
  failNext(options: FailNextOptions): void;
  /** Delays every API answer by `ms`, or only one conversation's (`options.conversationId`); 0 turns it off. */
  setDelay(ms: number, options?: DelayOptions): void;
  /** Forgets connections, chats, messages, events, logs, files, injected failures and delays. */
  reset(): void;
}

export function createAmojoEmulator(options: AmojoEmulatorOptions): AmojoEmulator {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const channels: ChannelState[] = options.channels.map((c) => ({ ...c, botId: c.botId ?? newId() }));
  const state = new EmulatorState(channels);
  const faults = new FaultInjector();
  const attachments = new AttachmentStore();
  let publicUrl = options.publicUrl?.replace(/\/+$/, '');
  const messageListeners = new Set<(message: MessageRecord) => void>();
  if (options.downloadMedia) messageListeners.add((m) => void downloadMessageMedia(m));

  const model = {
    state,
    now,
    newId,
    onMessageAccepted: (m: MessageRecord) => {
      for (const listener of messageListeners) listener(m);
    },
    ...(options.leadPipeline ? { leadPipeline: options.leadPipeline } : {}),
    ...(options.onLeadOpened ? { onLeadOpened: options.onLeadOpened } : {}),
  };
  const actions = createManagerActions({
    ...model,
    attachments,
    postWebhook: options.postWebhook ?? fetchWebhookPoster,
    defaultManagerId: newId(),
    baseUrl: () => {
      if (publicUrl === undefined) throw new Error('the emulator does not know its public URL yet: pass publicUrl, call listen(), or make an API call first');
      return publicUrl;
    },
  });

  const router = Router();
  const apiDeps = { ...model, faults, onBaseUrlSeen: (url: string) => (publicUrl ??= url) };
  const hotPath = messageHotPath(apiDeps);
  const emulator: AmojoEmulator = {
    ...actions,
    router,
    publicUrl: () => publicUrl,
    async listen(port = 0, host = '127.0.0.1') {
      const running = await listenRouter(router, port, host, hotPath);
      publicUrl ??= running.url;
      return running;
    },
    verifyRequest(req) {
      const channel = state.channels.get(channelIdOfPath(req.path) ?? '');
      if (!channel) return { ok: false, reason: 'invalid_signature', description: 'unknown channel' };
      return verifyAmojoRequest(req, channel.secret, now());
    },
    connections: () => state.listConnections(),
    chats: (scopeId) => state.listChats(scopeId),
    messages: (chatId) => state.listMessages(chatId),
    onMessage(listener) {
      // Wrapped, so that the same function subscribed twice is called twice and unsubscribed once.
      const own = (m: MessageRecord) => listener(m);
      messageListeners.add(own);
      return () => void messageListeners.delete(own);
    },
    reactions: (scopeId) => state.listReactions(scopeId),
    typingEvents: (scopeId) => state.listTyping(scopeId),
    requests: () => state.listRequests(),
    webhooks: () => state.listWebhooks(),
    failNext: (o) => faults.failNext(o),
    setDelay: (ms, o) => faults.setDelay(ms, o),
    reset() {
      state.clear();
      attachments.clear();
      faults.reset();
    },
  };

  router.use('/_control', createControlRouter(emulator));
  router.use(createAttachmentRouter(attachments));
  router.use(createApiRouter(apiDeps));
  return emulator;
}

/** The channel a signed path belongs to: the segment after the API base, up to the scope's `_`. */
function channelIdOfPath(path: string): string | undefined {
  const at = path.indexOf(`${API_BASE_PATH}/`);
  if (at < 0) return undefined;
  return path.slice(at + API_BASE_PATH.length + 1).split('/')[0]?.split('_')[0];
}
