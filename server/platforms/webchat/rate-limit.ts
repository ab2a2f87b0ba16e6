/**
 * Token buckets in memory, one per key (an IP, a site key, a conversation). A bucket holds
 * `burst` tokens and refills `perMinute` a minute; a request takes one or is refused with the
 * seconds until one is back. Memory only: a restart forgives everyone, which is acceptable for
 * abuse control. Full buckets are forgotten, so idle keys cost nothing.
 */

export interface BucketRule {
  burst: number;
  perMinute: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

const SWEEP_EVERY = 5_000;

export function createRateLimiter(rule: BucketRule, now: () => number = Date.now) {
  const perMs = rule.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  let calls = 0;

  function sweep(t: number): void {
    const fullAfterMs = rule.burst / perMs;
    for (const [key, b] of buckets) if (t - b.at >= fullAfterMs) buckets.delete(key);
  }

  return {
    take(key: string): TakeResult {
      const t = now();
      if (++calls % SWEEP_EVERY === 0) sweep(t);
      const b = buckets.get(key);
      const tokens = b ? Math.min(rule.burst, b.tokens + (t - b.at) * perMs) : rule.burst;
      if (tokens >= 1) {
        buckets.set(key, { tokens: tokens - 1, at: t });
        return { ok: true };
      }
      buckets.set(key, { tokens, at: t });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
    },
    get size(): number {
      return buckets.size;
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
