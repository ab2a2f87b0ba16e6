/**
 * The bridge: the platform-neutral core between amoCRM's Chats API and the messengers clients use.
 * It owns conversations, messages with both sides' ids, delivery statuses, files and the timeline,
 * and turns everything that must reach amojo into durable jobs. It imports no other server folder:
 * the Chats API, the store and platforms come in through the interfaces of `ports.ts` and
 * `platform.ts`; platforms call the `Bridge` returned here.
 */
import { createClientMessages } from './client-messages.js';
import { createClientSignals } from './client-signals.js';
import { DEFAULT_LIMITS, type BridgeContext, type BridgeLimits } from './context.js';
import { createContactJob } from './contact-job.js';
import { createConversations } from './conversations.js';
import { createFiles } from './files.js';
import { createAccountCache } from './account-cache.js';
import { createConversationCache } from './conversation-cache.js';
import { createHeldMessages } from './held-messages.js';
import { createHookHandler } from './inbound-hooks.js';
import type { JobHandler } from './job-runner.js';
import { createOutboxJobs } from './outbox-jobs.js';
import type { PlatformAdapter } from './platform.js';
import { NO_ANNOUNCER, type BlobStore, type BridgeLogger, type BridgeStore, type ChatsGateway, type CrmContacts, type LiveAnnouncer, type MediaFetch, type ThrottleFactory } from './ports.js';
import { memoryThrottles } from './memory-throttle.js';
import { asClientMsgId, type MsgId } from './ids.js';
import type { ConversationRecord, MessageRecord } from './records.js';

export interface BridgeOptions {
  store: BridgeStore;
  gateway: ChatsGateway;
  /** The CRM's contacts (amoCRM REST): what a client tells after the chat started reaches the chat's contact. */
  contacts?: CrmContacts;
  blobs: BlobStore;
  logger: BridgeLogger;
  now: () => number;
  publicUrl: string;
  /** The job kind under which webhook intake stores hooks (the bridge processes them). */
  hookJobKind: string;
  wakeJobs: () => void;
  /** Tells other instances on the same database what happened here (default: nobody to tell). */
  announce?: LiveAnnouncer;
  limits?: Partial<BridgeLimits>;
  /** How often waiting client messages of connected accounts are swept into jobs (default 15 s). */
  sweepEveryMs?: number;
  /** Downloads manager files; must refuse non-public addresses (server/net/media-fetch.ts does). */
  fetchMedia: MediaFetch;
  /** Where throttles count (default: this process's memory; a shared store for several instances). */
  throttles?: ThrottleFactory;
}

export type Bridge = ReturnType<typeof createBridge>;

export function createBridge(opts: BridgeOptions) {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const platforms = new Map<string, PlatformAdapter>();
  const ctx: BridgeContext = {
    store: opts.store,
    gateway: opts.gateway,
    contacts: opts.contacts,
    blobs: opts.blobs,
    logger: opts.logger,
    now: opts.now,
    publicUrl: opts.publicUrl.replace(/\/+$/, ''),
    limits,
    platforms,
    wakeJobs: opts.wakeJobs,
    fetchMedia: opts.fetchMedia,
    announce: opts.announce ?? NO_ANNOUNCER,
    typingThrottle: (opts.throttles ?? memoryThrottles(opts.now))('bridge.typing', limits.typingIntervalMs),
    ...createAccountCache(opts.store, opts.now, platforms),
    ...createConversationCache(opts.store, opts.now),
  };
  const conversations = createConversations(ctx);
  const outbox = createOutboxJobs(ctx);
  const messages = createClientMessages(ctx, outbox.sendQueued);
  const signals = createClientSignals(ctx, messages.ownMessage);
  const files = createFiles(ctx);
  const held = createHeldMessages(ctx, opts.sweepEveryMs ?? 15_000);
  const jobHandlers: JobHandler[] = [
    ...outbox.handlers,
    createHookHandler(ctx, opts.hookJobKind, { files }),
    ...(opts.contacts ? [createContactJob(ctx, opts.contacts)] : []),
  ];

  return {
    limits: ctx.limits,
    /** Adds a platform; one adapter per platform name. */
    registerPlatform(adapter: PlatformAdapter): void {
      if (ctx.platforms.has(adapter.platform)) throw new Error(`platform ${adapter.platform} registered twice`);
      ctx.platforms.set(adapter.platform, adapter);
    },
    conversations,
    messages: {
      accept: messages.accept,
      edit: messages.edit,
      /** A message of the conversation by the platform's own id (a client's message id, or a manager message's once delivered). */
      get: (id: MsgId) => opts.store.messages.get(id),
      findByPlatformId: (conversation: ConversationRecord, platformMsgId: string) => opts.store.messages.getByClientMsgId(conversation.id, asClientMsgId(platformMsgId)),
      /** Like `findByPlatformId`, and also a manager message the platform sent in parts, by any part's id (what a client quotes or reacts to). */
      findByAnyPart: async (conversation: ConversationRecord, platformMsgId: string) =>
        (await opts.store.messages.getByClientMsgId(conversation.id, asClientMsgId(platformMsgId))) ??
        (await opts.store.messages.getByPlatformPart(conversation.id, asClientMsgId(platformMsgId))),
      /** The platform's ids of all parts of a delivered manager message, in order (none before it was delivered). */
      platformIds: async (message: MessageRecord): Promise<string[]> =>
        message.clientMsgId === null ? [] : [message.clientMsgId, ...(await opts.store.messages.platformParts(message.id))],
    },
    signals,
    files,
    /** Call after an account's channel connected: messages kept meanwhile are imported. */
    onAccountConnected: held.onAccountConnected,
    /** Imports waiting messages of every connected account (what the periodic sweep does). */
    resumeHeldMessages: held.resumeAll,
    /** An account's connection changed (here or on another instance): forget what was cached about it. */
    forgetAccounts: () => ctx.forgetAccounts(),
    /** The job handlers to register with the job runner. */
    jobHandlers,
    start: () => held.start(),
    stop: () => held.stop(),
  };
}

export type {
  PlatformAdapter,
  PlatformTexts,
  PublishResult,
  TypingCapable,
  MediaCapable,
  ReactionCapable,
  DeliveryCapable,
  DeliveryResult,
  OutboundDelivery,
  LiveFeed,
  AccountChange,
} from './platform.js';
export type { ChannelLink, ChannelLinkView } from './channel-links.js';
export { RetryLater } from './errors.js';
export type { BridgeStore, BridgeRepos, BlobStore, ChatsGateway, ChatsTarget, BridgeLogger, ClientDetails, CrmContacts, LiveAnnouncer, MediaFetch, ByteRange } from './ports.js';
export { BlobTooLargeError } from './ports.js';
export { BridgeRefusal, StorageQuotaExceeded } from './errors.js';
export { kindOfContentType, baseType, safeFileName } from './files.js';
export { cleanName, cleanText } from './clean-text.js';
export type { PageRef } from './amojo-text.js';
export * from './ids.js';
export type * from './records.js';
