/**
 * The contract a platform (the website chat, Telegram, …) fulfils towards the bridge. The required
 * part is small (its name, its texts, `publish`); each extra feature is its own optional
 * interface, checked at run time with the guards below. A missing feature is a normal outcome (the
 * bridge reports "not supported" to amoCRM or skips the event), never a crash.
 *
 * Direction: the bridge calls adapters to reach clients; platforms call the bridge (`Bridge`) for
 * everything a client does. A platform never calls amojo and the bridge never imports a platform.
 */
import type { ConversationId } from './ids.js';
import type { ConversationRecord, MessageKind, MessageRecord, PlatformKind, TimelineEvent, TypingNotice } from './records.js';

export interface PublishResult {
  /** How many open clients received the event just now (> 0 makes a manager message `delivered`). */
  reachedClients: number;
}

/** What amoCRM is told, in the platform's words, when the bridge cannot deliver a manager message. */
export interface PlatformTexts {
  /** A manager wrote first (to a phone number): the platform cannot start a conversation. */
  writeFirstRefused: string;
  /** The manager's message is for a conversation the platform no longer has. */
  unknownConversation: string;
  /** The platform cannot show a message of this amojo type. */
  unsupportedKind(type: string): string;
  /** Every retry of a delivery failed. */
  deliveryFailed: string;
}

export interface PlatformAdapter {
  readonly platform: PlatformKind;
  /** What amoCRM is told about undeliverable messages; generic sentences when absent. */
  readonly texts?: PlatformTexts;
  /**
   * True when the platform's chats go through a Chats API channel of their own (amoCRM registers
   * one channel per chat type); otherwise they use the account's first channel.
   */
  readonly hasOwnChannel?: boolean;
  /**
   * A timeline event was committed for one of this platform's conversations (a manager message, a
   * status change, a reaction, an edit). Runs inside a job: it must not block for long, and it
   * must not throw for a client that is gone (that is `reachedClients: 0`). The bridge has already
   * stored everything; the adapter stores nothing. A throw is logged and not retried: what must
   * not be lost goes through `DeliveryCapable`.
   */
  publish(event: TimelineEvent): Promise<PublishResult>;
}

/** A manager message to hand to the platform's own service, with what it quotes. */
export interface OutboundDelivery {
  conversation: ConversationRecord;
  message: MessageRecord;
  /** The platform's id of the quoted message, when the message quotes one the platform knows. */
  replyToPlatformMsgId: string | undefined;
  /**
   * Where the platform can fetch the message's file from us (our public link), and its bytes from
   * the store (each call streams them anew, so a retried upload reads from the start).
   */
  file: { url: string; open: () => Promise<AsyncIterable<Uint8Array>> } | undefined;
}

/** The delivery codes of chats-api.md §4.7 that a platform can name. */
export type DeliveryErrorCode = 901 | 902 | 903 | 905;

/**
 * What happened to one delivery. `delivered`: the platform's service took it, with its own id(s)
 * and the status that service can vouch for (`sent`: accepted, nothing more will be known;
 * `delivered`: it reached the person's messenger). `retry`: try again later (after `afterMs` when
 * the service said so). `failed`: it never will succeed; amoCRM is told why (`reason`, shown to
 * the manager) with `errorCode` (905 unless said otherwise).
 */
export type DeliveryResult =
  | { outcome: 'delivered'; platformMsgIds: string[]; status: 'sent' | 'delivered' }
  | { outcome: 'retry'; reason: string; afterMs?: number }
  | { outcome: 'failed'; reason: string; errorCode?: DeliveryErrorCode };

/**
 * The platform sends manager messages to a service of its own (a messenger's API), which may
 * refuse or ask to wait. The bridge calls `deliver` from a job per message, once per try, in
 * conversation order; it stores the outcome. `deliver` must not throw for a refusal (that is a
 * result); a throw counts as `retry`.
 */
export interface DeliveryCapable {
  deliver(delivery: OutboundDelivery): Promise<DeliveryResult>;
}

/**
 * What changed about an account on another instance: its connection on any channel (a connect,
 * a disconnect, a bot attached or let go), its site key (old visitor tokens stop working), or
 * only its settings (what the bubble shows).
 */
export type AccountChange = 'connection' | 'site_key' | 'settings';

/**
 * What other instances announced, for a platform that holds clients' live connections (handed in
 * by the composition root; a platform never reads the store). `resync`: announcements may have
 * been missed, so everything held is to be caught up from the bridge.
 */
export interface LiveFeed {
  onTimeline(handler: (conversationId: ConversationId) => void): void;
  onTyping(handler: (notice: TypingNotice) => void): void;
  onAccountChanged(handler: (accountId: number, change: AccountChange) => void): void;
  onResync(handler: () => void): void;
}

/** Shows the manager's typing indicator to the client; ephemeral, never stored. */
export interface TypingCapable {
  showTyping(conversationId: ConversationId, notice: TypingNotice): void;
}

/** The manager message kinds the platform can show; without it, only text. */
export interface MediaCapable {
  readonly mediaKinds: readonly MessageKind[];
}

/** Whether the platform shows reactions; without it, reaction hooks are ignored. */
export interface ReactionCapable {
  readonly showsReactions: true;
}

export function isTypingCapable(a: PlatformAdapter): a is PlatformAdapter & TypingCapable {
  return typeof (a as Partial<TypingCapable>).showTyping === 'function';
}

export function isMediaCapable(a: PlatformAdapter): a is PlatformAdapter & MediaCapable {
  return Array.isArray((a as Partial<MediaCapable>).mediaKinds);
}

export function isReactionCapable(a: PlatformAdapter): a is PlatformAdapter & ReactionCapable {
  return (a as Partial<ReactionCapable>).showsReactions === true;
}

export function isDeliveryCapable(a: PlatformAdapter): a is PlatformAdapter & DeliveryCapable {
  return typeof (a as Partial<DeliveryCapable>).deliver === 'function';
}

export function acceptsKind(a: PlatformAdapter, kind: MessageKind): boolean {
  return kind === 'text' || (isMediaCapable(a) && a.mediaKinds.includes(kind));
}

/** Texts for a platform nobody registered (a hook for a channel this server no longer runs). */
export const FALLBACK_TEXTS: PlatformTexts = {
  writeFirstRefused: 'This channel cannot start a conversation: the client has to write first.',
  unknownConversation: 'The conversation does not exist in this channel any more.',
  unsupportedKind: (type) => `This channel cannot show messages of type ${type}.`,
  deliveryFailed: 'The message could not be delivered.',
};
