/**
 * Telegram's flood limits, kept before it has to say so (telegram.md §6: about one message a
 * second per chat, about 30 a second per bot): each send takes the next free slot of its chat and
 * of its bot. A short wait is waited here; a longer one goes back to the job runner as a retry
 * after that delay. Per instance: with several instances a 429's `retry_after` covers the rest.
 */
// A little over the guidance: the far side counts when a message arrives, not when it left.
export const PER_CHAT_INTERVAL_MS = 1100;
export const PER_BOT_INTERVAL_MS = 35;
/** Waits up to this long in place; beyond it the job is retried later. */
export const MAX_INLINE_WAIT_MS = 1500;

const MAX_KEYS = 50_000;

export function createPacer(now: () => number) {
  const nextFree = new Map<string, number>();

  function take(key: string, intervalMs: number, at: number): number {
    const slot = Math.max(at, nextFree.get(key) ?? 0);
    if (nextFree.size >= MAX_KEYS) {
      for (const [k, v] of nextFree) if (v <= at) nextFree.delete(k);
    }
    nextFree.set(key, slot + intervalMs);
    return slot;
  }

  return {
    /** How long to wait before sending to `chatId` with `botId`; the slot is taken. */
    reserve(botId: string, chatId: string): number {
      const t = now();
      const chatSlot = take(`${botId}:${chatId}`, PER_CHAT_INTERVAL_MS, t);
      const botSlot = take(botId, PER_BOT_INTERVAL_MS, chatSlot);
      return Math.max(0, botSlot - t);
    },
    /** Hands back the newest slot of a chat (a send that did not happen after all). */
    release(botId: string, chatId: string): void {
      const key = `${botId}:${chatId}`;
      const v = nextFree.get(key);
      if (v !== undefined) nextFree.set(key, v - PER_CHAT_INTERVAL_MS);
    },
  };
}

export type Pacer = ReturnType<typeof createPacer>;
