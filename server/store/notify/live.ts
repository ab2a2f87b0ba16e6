/**
 * The bus as the bridge and the platforms see it: announcements out (`LiveAnnouncer`), a feed in
 * (`LiveFeed`), and account changes in both directions for the caches that hold accounts.
 */
import { asConversationId } from '../../bridge/ids.js';
import type { AccountChange, LiveFeed } from '../../bridge/platform.js';
import type { LiveAnnouncer } from '../../bridge/ports.js';
import type { NotificationBus } from './bus.js';
import type { NotificationChannel, NotificationPayload } from './channels.js';

export function createLiveChannels(bus: NotificationBus, onError: (err: unknown) => void) {
  const send = <C extends NotificationChannel>(channel: C, payload: NotificationPayload<C>): void => {
    bus.publish(channel, payload).catch(onError);
  };
  const announcer: LiveAnnouncer = {
    timeline: (conversationId, eventId) => send('timeline', { conversationId, eventId }),
    typing: (notice) => send('typing', { conversationId: notice.conversationId, from: notice.from, until: notice.until }),
  };
  const feed: LiveFeed = {
    onTimeline: (handler) => void bus.subscribe('timeline', (p) => handler(asConversationId(p.conversationId))),
    onTyping: (handler) => void bus.subscribe('typing', (p) => handler({ conversationId: asConversationId(p.conversationId), from: p.from, until: p.until })),
    onAccountChanged: (handler) => void bus.subscribe('account', (p) => handler(p.accountId, p.change)),
    onResync: (handler) => void bus.onResync(handler),
  };
  return {
    announcer,
    feed,
    /** Tells the other instances that something they may cache about an account changed here. */
    accountChanged: (accountId: number, change: AccountChange) => send('account', { accountId, change }),
  };
}
