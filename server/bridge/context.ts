/** What every part of the bridge works with, built once by `createBridge`. */
import { newMsgId, type ConversationId, type MsgId } from './ids.js';
import type { PlatformAdapter } from './platform.js';
import type { BlobStore, BridgeJob, BridgeLogger, BridgeRepos, MessagePatch, BridgeStore, ChatsGateway, ChatsTarget, CrmContacts, LiveAnnouncer, MediaFetch, Throttle } from './ports.js';
import type { BridgeAccount, ConversationRecord, MessageRecord, PlatformKind, TimelineData, TimelineEvent } from './records.js';
import { messageView } from './views.js';

export interface BridgeLimits {
  /** Longest message text, in characters. */
  maxTextLength: number;
  /** Largest manager file the bridge downloads and keeps, in bytes. */
  maxManagerFileBytes: number;
  /** Typing is forwarded to amojo at most once per this many ms per conversation. */
  typingIntervalMs: number;
  /** Stored files older than this are deleted by housekeeping; their links answer "gone". */
  fileRetentionMs: number;
  /** Bytes of stored files one account may hold (uploads and manager files together). */
  fileQuotaBytes: number;
}

export const DEFAULT_LIMITS: BridgeLimits = {
  maxTextLength: 4096,
  maxManagerFileBytes: 20 * 1024 * 1024,
  typingIntervalMs: 3000,
  fileRetentionMs: 180 * 24 * 60 * 60 * 1000,
  fileQuotaBytes: 2048 * 1024 * 1024,
};

export interface BridgeContext {
  store: BridgeStore;
  gateway: ChatsGateway;
  /** The CRM's contacts; absent: what a client tells after the chat started stays in the Chats API profile. */
  contacts?: CrmContacts | undefined;
  blobs: BlobStore;
  logger: BridgeLogger;
  now: () => number;
  /** External base URL (PUBLIC_URL): file links handed to amoCRM and clients start with it. */
  publicUrl: string;
  limits: BridgeLimits;
  platforms: Map<PlatformKind, PlatformAdapter>;
  /** Tells other instances about committed events and live typing. */
  announce: LiveAnnouncer;
  /** Tells the job runner that work was just committed. */
  wakeJobs: () => void;
  /** Downloads manager files, to public addresses only (ports.ts). */
  fetchMedia: MediaFetch;
  /** Passes a conversation's typing at most once per `limits.typingIntervalMs`. */
  typingThrottle: Throttle;
  /** An account, cached briefly (see account-cache.ts): client requests and jobs ask on every message. */
  getAccount: (accountId: number) => Promise<BridgeAccount | undefined>;
  /** Whether an account's channel for the platform is connected (from `getAccount`). */
  isConnected: (accountId: number, platform: PlatformKind) => Promise<boolean>;
  /** Drops cached accounts (a connection or an account's settings changed). */
  forgetAccounts: () => void;
  /** A conversation, cached briefly (see conversation-cache.ts). */
  getConversation: (id: ConversationId) => Promise<ConversationRecord | undefined>;
  /** The conversation of a platform's chat, cached as `getConversation` (see conversation-cache.ts). */
  findByPlatformChat: (accountId: number, platform: PlatformKind, platformChatId: string) => Promise<ConversationRecord | undefined>;
  /** Drops a cached conversation after changing it. */
  forgetConversation: (id: ConversationId) => void;
}

/**
 * Where a platform's conversations of the account go: the platform's own channel when it has one
 * (`hasOwnChannel`), else the account's first channel; undefined while that one is not connected.
 */
export function targetOf(account: BridgeAccount, adapter: PlatformAdapter | undefined): ChatsTarget | undefined {
  if (adapter?.hasOwnChannel) {
    const scopeId = account.channelScopes[adapter.platform];
    return scopeId ? { scopeId, host: account.host } : undefined;
  }
  if (!account.isConnected || !account.scopeId) return undefined;
  return { scopeId: account.scopeId, host: account.host };
}

/** A stored event whole, ready to publish after the commit. */
const storedEvent = (event: TimelineData, id: number, conversationId: ConversationId, at: number): TimelineEvent => ({ ...event, id, conversationId, createdAt: at }) as TimelineEvent;

/** Appends a timeline event and returns it whole, ready to publish after the commit. */
export async function appendEvent(tx: BridgeRepos, ctx: BridgeContext, conversationId: ConversationId, event: TimelineData): Promise<TimelineEvent> {
  const at = ctx.now();
  return storedEvent(event, await tx.timeline.append(conversationId, event, at), conversationId, at);
}

/** Changes a message and appends the event that tells it (one statement where the database can). */
export async function updateWithEvent(tx: BridgeRepos, ctx: BridgeContext, messageId: MsgId, patch: MessagePatch, conversationId: ConversationId, event: TimelineData): Promise<TimelineEvent> {
  const at = ctx.now();
  return storedEvent(event, await tx.messages.updateWithEvent(messageId, patch, conversationId, event, at), conversationId, at);
}

/** A new message as its creator describes it; ids, position and times are filled in. */
export type MessageDraft = Pick<MessageRecord, 'conversationId' | 'direction' | 'amojoMsgId' | 'clientMsgId' | 'kind' | 'status' | 'content'>;

/**
 * Stores a new message together with its timeline event: the event's id is the message's position
 * (`seq`) in the conversation. `inserted` is false when the unique indexes refused the message
 * (a racing duplicate); the caller decides whether that rolls the transaction back. `othersHeld`:
 * client messages of the conversation were held before this one. `jobOf` gives the message's job,
 * stored in the same statement when the message is new and no others were held
 * (`insertWithEvent`).
 */
export async function insertMessage(
  tx: BridgeRepos,
  ctx: BridgeContext,
  draft: MessageDraft,
  jobOf?: (msgid: MsgId) => BridgeJob,
): Promise<{ message: MessageRecord; event: TimelineEvent; inserted: boolean; othersHeld: boolean }> {
  const t = ctx.now();
  const message: MessageRecord = { ...draft, id: newMsgId(), error: null, seq: 0, createdAt: t, updatedAt: t };
  const data: TimelineData = { type: 'message', data: messageView(ctx.publicUrl, message) };
  const { eventId, inserted, othersHeld } = await tx.messages.insertWithEvent(message, data, jobOf?.(message.id));
  message.seq = eventId;
  return { message, event: storedEvent(data, eventId, draft.conversationId, t), inserted, othersHeld };
}

/**
 * Hands committed events to the conversation's platform here and announces them to the other
 * instances (the last id is enough: they pull everything after what they have).
 */
export async function publish(ctx: BridgeContext, conversation: Pick<ConversationRecord, 'platform'>, events: TimelineEvent[]): Promise<void> {
  const last = events[events.length - 1];
  if (last) ctx.announce.timeline(last.conversationId, last.id);
  const adapter = ctx.platforms.get(conversation.platform);
  if (!adapter) return;
  for (const e of events) {
    try {
      await adapter.publish(e);
    } catch (err) {
      // The events are stored: a client that missed one gets it on its next catch-up.
      ctx.logger.warn({ conversationId: e.conversationId, eventId: e.id, err: String(err) }, 'publishing a timeline event failed');
    }
  }
}
