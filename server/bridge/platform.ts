/**
 * The contract a platform (the website chat, later others) fulfils towards the bridge. The
 * required part is one method; each extra feature is its own optional interface, checked at run
 * time with the guards below. A missing feature is a normal outcome (the bridge reports "not
 * supported" to amoCRM or skips the event), never a crash.
 *
 * Direction: the bridge calls adapters to reach clients; platforms call the bridge (`Bridge`) for
 * everything a client does. A platform never calls amojo and the bridge never imports a platform.
 */
import type { ConversationId } from './ids.js';
import type { MessageKind, PlatformKind, TimelineEvent, TypingNotice } from './records.js';

export interface PublishResult {
  /** How many open clients received the event just now (> 0 makes a manager message `delivered`). */
  reachedClients: number;
}

export interface PlatformAdapter {
  readonly platform: PlatformKind;
  /**
   * A timeline event was committed for one of this platform's conversations (a manager message, a
   * status change, a reaction, an edit). Runs inside a job: it must not block for long, and it
   * must not throw for a client that is gone (that is `reachedClients: 0`). The bridge has already
   * stored everything; the adapter stores nothing.
   */
  publish(event: TimelineEvent): Promise<PublishResult>;
}

/**
 * What other instances announced, for a platform that holds clients' live connections (handed in
 * by the composition root; a platform never reads the store). `resync`: announcements may have
 * been missed, so everything held is to be caught up from the bridge.
 */
export interface LiveFeed {
  onTimeline(handler: (conversationId: ConversationId) => void): void;
  onTyping(handler: (notice: TypingNotice) => void): void;
  onAccountChanged(handler: (accountId: number, siteKeyRotated: boolean) => void): void;
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

export function acceptsKind(a: PlatformAdapter, kind: MessageKind): boolean {
  return kind === 'text' || (isMediaCapable(a) && a.mediaKinds.includes(kind));
}
