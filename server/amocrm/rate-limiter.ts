/**
 * Per-account request pacing for amoCRM's limit of 7 requests per second per integration
 * (widget-and-oauth.md §5.5). A sliding window, not a token bucket: the emulator (and, as far as we
 * know, amoCRM) counts requests in the last second, and a bucket that refills continuously can put
 * an eighth request into that second. Callers of one key go strictly one after another through
 * the window; different keys never wait on each other.
 */

export interface RateLimitOptions {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RateLimiter {
  /** Resolves when one more request for `key` may be sent now; the slot is taken. */
  acquire(key: string): Promise<void>;
}

/** 7 per second as documented, with a 10% wider window so network jitter cannot squeeze 8 into amoCRM's second. */
export const AMOCRM_RATE_LIMIT = { limit: 7, windowMs: 1100 } as const;

export function createRateLimiter(opts: RateLimitOptions): RateLimiter {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const lanes = new Map<string, { sent: number[]; tail: Promise<void> }>();

  async function takeSlot(sent: number[]): Promise<void> {
    for (;;) {
      const t = now();
      while (sent.length > 0 && sent[0]! <= t - opts.windowMs) sent.shift();
      if (sent.length < opts.limit) {
        sent.push(t);
        return;
      }
      await sleep(Math.max(1, sent[0]! + opts.windowMs - t));
    }
  }

  return {
    acquire(key) {
      let lane = lanes.get(key);
      if (!lane) {
        lane = { sent: [], tail: Promise.resolve() };
        lanes.set(key, lane);
      }
      const current = lane;
      const turn = current.tail.then(() => takeSlot(current.sent));
      current.tail = turn;
      // Forget idle lanes so the map does not grow with every account ever seen.
      void turn.then(() => {
        setTimeout(() => {
          if (current.tail === turn && lanes.get(key) === current) lanes.delete(key);
        }, opts.windowMs).unref?.();
      });
      return turn;
    },
  };
}
