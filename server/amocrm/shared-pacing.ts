/**
 * amoCRM's 7 requests per second per account, held by every instance together: each request
 * takes the account's one shared slot, and a slot is free again only `windowMs / limit` after it
 * was taken (158 ms for 7 per 1.1 s). Spacing rather than a burst of 7 per fixed window, because
 * amoCRM counts a sliding second, and two fixed windows back to back could put 14 requests into
 * it. The slot lives in a shared rate-limiter-flexible store (PostgreSQL), whose atomic upsert
 * decides who gets it; a caller that did not waits until it frees (`msBeforeNext`) and tries
 * again. Within a process, callers of one account queue so that only one of them polls the store.
 * The spacing relies on the instances' clocks agreeing to well under the spacing (NTP).
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitOptions, RateLimiter } from './rate-limiter.js';

/** rate-limiter-flexible's options for the shared slot: one point per spacing (whole milliseconds). */
export function sharedPacingOptions(rule: Pick<RateLimitOptions, 'limit' | 'windowMs'>): { keyPrefix: string; points: number; duration: number } {
  return { keyPrefix: 'amocrm.pacing', points: 1, duration: Math.ceil(rule.windowMs / rule.limit) / 1000 };
}

export function createSharedPacing(slots: RateLimiterAbstract, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): RateLimiter {
  const tails = new Map<string, Promise<void>>();

  async function takeSlot(key: string): Promise<void> {
    for (;;) {
      try {
        await slots.consume(key, 1);
        return;
      } catch (refused) {
        if (!(refused instanceof RateLimiterRes)) throw refused;
        await sleep(Math.max(1, refused.msBeforeNext));
      }
    }
  }

  return {
    acquire(key) {
      const turn = (tails.get(key) ?? Promise.resolve()).then(() => takeSlot(key));
      // The queue forgets the account once its last caller is through, so it holds only busy accounts.
      const tail = turn.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return turn;
    },
  };
}
