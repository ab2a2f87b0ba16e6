/**
 * Conversation records, remembered for two seconds: every client request, every send job and
 * every platform update (found by the platform's chat) reads its conversation. Writes through the bridge drop the entry at once; what another instance
 * changes (a profile, amojo's ids once known) shows here within the TTL, and every use tolerates
 * that (amojo's ids are only written where still empty; a send job reads them fresh). Nothing in
 * it depends on the account's connection or site key, so no notification has to clear it: a
 * notification per conversation write would cost more than the two seconds it can be behind.
 */
import type { ConversationId } from './ids.js';
import type { BridgeStore } from './ports.js';
import type { ConversationRecord, PlatformKind } from './records.js';

const TTL_MS = 2000;
const MAX_ENTRIES = 20_000;

export function createConversationCache(store: BridgeStore, now: () => number) {
  const cache = new Map<ConversationId, { record: ConversationRecord; until: number }>();
  // A platform's chat keeps its conversation for good (until it is erased, when the record is
  // found gone and the chat looked up again), so the id is remembered without a TTL.
  const byChat = new Map<string, ConversationId>();

  function remember(record: ConversationRecord, t: number): void {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(record.id, { record, until: t + TTL_MS });
  }

  async function getConversation(id: ConversationId): Promise<ConversationRecord | undefined> {
    const t = now();
    const hit = cache.get(id);
    if (hit && hit.until > t) return hit.record;
    const record = await store.conversations.get(id);
    if (record) remember(record, t);
    return record;
  }

  return {
    getConversation,
    /** The conversation of a platform's chat (every message of a platform like Telegram asks), remembered as above. */
    async findByPlatformChat(accountId: number, platform: PlatformKind, platformChatId: string): Promise<ConversationRecord | undefined> {
      const key = `${accountId}\u0000${platform}\u0000${platformChatId}`;
      const known = byChat.get(key);
      const record = known ? await getConversation(known) : undefined;
      if (record) return record;
      byChat.delete(key);
      const found = await store.conversations.findByPlatformChat(accountId, platform, platformChatId);
      if (found) {
        remember(found, now());
        if (byChat.size >= MAX_ENTRIES) byChat.clear();
        byChat.set(key, found.id);
      }
      return found;
    },
    forgetConversation(id: ConversationId): void {
      cache.delete(id);
    },
  };
}
