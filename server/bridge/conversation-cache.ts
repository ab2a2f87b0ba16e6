/**
 * Conversation records, remembered for two seconds: every client request and every send job
 * reads its conversation. Writes through the bridge drop the entry at once; what another instance
 * changes (a profile, amojo's ids once known) shows here within the TTL, and every use tolerates
 * that (amojo's ids are only written where still empty; a send job reads them fresh). Nothing in
 * it depends on the account's connection or site key, so no notification has to clear it: a
 * notification per conversation write would cost more than the two seconds it can be behind.
 */
import type { ConversationId } from './ids.js';
import type { BridgeStore } from './ports.js';
import type { ConversationRecord } from './records.js';

const TTL_MS = 2000;
const MAX_ENTRIES = 20_000;

export function createConversationCache(store: BridgeStore, now: () => number) {
  const cache = new Map<ConversationId, { record: ConversationRecord; until: number }>();
  return {
    async getConversation(id: ConversationId): Promise<ConversationRecord | undefined> {
      const t = now();
      const hit = cache.get(id);
      if (hit && hit.until > t) return hit.record;
      const record = await store.conversations.get(id);
      if (!record) return undefined;
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(id, { record, until: t + TTL_MS });
      return record;
    },
    forgetConversation(id: ConversationId): void {
      cache.delete(id);
    },
  };
}
