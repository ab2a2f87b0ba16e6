/**
 * Flood limits of telegram.md §6: about 1 message per second per chat, 20 per minute per group, 30 per
 * second per bot. The FAQ gives them as guidance; the emulator applies them as sliding windows over the
 * injected clock, counts only messages it accepted, and answers the wait until a slot frees up
 * (rounded up to whole seconds, at least 1) [unconfirmed: Telegram's exact windows and burst allowance].
 */
import type { ChatType } from './bot-api-types.js';

interface Window {
  limit: number;
  ms: number;
}

const PER_CHAT: Window = { limit: 1, ms: 1000 };
const PER_GROUP: Window = { limit: 20, ms: 60_000 };
const PER_BOT: Window = { limit: 30, ms: 1000 };

export class FloodControl {
  readonly #sent = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    public isEnabled: boolean,
  ) {}

  /** Seconds to wait before this message may go, or undefined when it may go now (and is counted). */
  admit(botId: number, chatId: number, chatType: ChatType): number | undefined {
    if (!this.isEnabled) return undefined;
    const at = this.now();
    const checks: Array<[string, Window]> = [
      [`bot:${botId}`, PER_BOT],
      [`chat:${botId}:${chatId}`, chatType === 'private' ? PER_CHAT : PER_GROUP],
    ];
    let waitMs = 0;
    for (const [key, window] of checks) {
      const recent = this.#recent(key, window, at);
      if (recent.length >= window.limit) waitMs = Math.max(waitMs, (recent[recent.length - window.limit] ?? at) + window.ms - at);
    }
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    for (const [key] of checks) this.#sent.set(key, [...(this.#sent.get(key) ?? []), at]);
    return undefined;
  }

  reset(): void {
    this.#sent.clear();
  }

  /** The send times still inside the window; older ones are dropped so memory stays bounded. */
  #recent(key: string, window: Window, at: number): number[] {
    const kept = (this.#sent.get(key) ?? []).filter((t) => t > at - window.ms);
    if (kept.length === 0) this.#sent.delete(key);
    else this.#sent.set(key, kept);
    return kept;
  }
}
