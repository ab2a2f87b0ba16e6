/**
 * Telegram's flood limits, kept before it has to say so (telegram.md §6: about one message a
 * second per chat, about 30 a second per bot): a send takes its chat's slot, then its bot's. A
 * slot that is not free yet answers how long until it is; a short wait is waited here, a longer
 * one goes back to the job runner as a retry after that delay. Where the slots live is handed in:
 * on PostgreSQL every instance takes the same slots (the limits hold for the bot, not per
 * instance); on SQLite (one instance) they live in memory.
 */
// A little over the guidance: the far side counts when a message arrives, not when it left.
export const PER_CHAT_INTERVAL_MS = 1100;
export const PER_BOT_INTERVAL_MS = 35;
/** Waits up to this long in place; beyond it the job is retried later. */
export const MAX_INLINE_WAIT_MS = 1500;

/** Takes the key's slot when it is free now (0); otherwise takes nothing and answers the ms until it frees. */
export type SlotTaker = (key: string) => Promise<number>;
/** Slots called `name` (a stable prefix, unique per use), one per key, each free again `intervalMs` after it was taken. */
export type SlotFactory = (name: string, intervalMs: number) => SlotTaker;

const MAX_KEYS = 50_000;

/** Slots of this process only. */
export function memorySlots(now: () => number): SlotFactory {
  return (_name, intervalMs) => {
    const nextFree = new Map<string, number>();
    return async (key) => {
      const t = now();
      const free = nextFree.get(key) ?? 0;
      if (free > t) return free - t;
      if (nextFree.size >= MAX_KEYS) {
        for (const [k, v] of nextFree) if (v <= t) nextFree.delete(k);
      }
      nextFree.set(key, t + intervalMs);
      return 0;
    };
  };
}

export interface Pacer {
  /**
   * Takes the chat's and the bot's slots (0), or answers how long until the chat's slot frees
   * (nothing taken). The bot's slot frees every few ms, so it is waited for here, up to
   * MAX_INLINE_WAIT_MS (a bot busy with many chats); past that the chat's slot is spent and the
   * send goes back to wait a chat interval.
   */
  take(botId: string, chatId: string): Promise<number>;
}

export function createPacer(slots: SlotFactory, sleep: (ms: number) => Promise<void>): Pacer {
  const chatSlot = slots('telegram.chat', PER_CHAT_INTERVAL_MS);
  const botSlot = slots('telegram.bot', PER_BOT_INTERVAL_MS);
  return {
    async take(botId, chatId) {
      const chatWait = await chatSlot(`${botId}:${chatId}`);
      if (chatWait > 0) return chatWait;
      let waited = 0;
      for (let wait = await botSlot(botId); wait > 0; wait = await botSlot(botId)) {
        if (waited + wait > MAX_INLINE_WAIT_MS) return PER_CHAT_INTERVAL_MS;
        await sleep(wait);
        waited += wait;
      }
      return 0;
    },
  };
}
