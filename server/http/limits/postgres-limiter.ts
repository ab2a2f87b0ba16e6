/**
 * Limiters whose counts live in PostgreSQL, shared by every instance on the database, so a limit
 * holds for the service as a whole rather than once per instance. The table is created by the
 * store's migrations, and the store deletes ended windows every minute (`shared-limit-store.ts`), so
 * the library's own hourly clean-up, one timer per limiter, is off.
 */
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { NO_LIMIT, flexibleOptions, fromFlexible, type LimitRule, type Limiter, type LimiterFactory } from './limiter.js';

export interface PostgresLimitStore {
  /** Anything with pg's `query({ text, values })`. */
  client: unknown;
  tableName: string;
}

export function postgresFlexible(store: PostgresLimitStore, options: { keyPrefix: string; points: number; duration: number }): RateLimiterPostgres {
  return new RateLimiterPostgres({ ...options, storeClient: store.client, storeType: 'client', tableName: store.tableName, tableCreated: true, clearExpiredByTimeout: false });
}

/** Counts nothing: a rule that cannot refuse is not worth a round trip to the database per request. */
const UNLIMITED: Limiter = { consume: async () => ({ ok: true }), refund: async () => undefined };

export function createPostgresLimiter(store: PostgresLimitStore, name: string, rule: LimitRule): Limiter {
  if (rule.burst >= NO_LIMIT.burst && rule.perMinute >= NO_LIMIT.perMinute) return UNLIMITED;
  return fromFlexible(postgresFlexible(store, flexibleOptions(name, rule)));
}

export const postgresLimiters =
  (store: PostgresLimitStore): LimiterFactory =>
  (name, rule) =>
    createPostgresLimiter(store, name, rule);

/** Throttles (one pass per interval per key) over the same store: a limiter with a burst of one. */
export const postgresThrottles =
  (store: PostgresLimitStore) =>
  (name: string, intervalMs: number): ((key: string) => Promise<boolean>) => {
    const limiter = createPostgresLimiter(store, name, { burst: 1, perMinute: 60_000 / intervalMs });
    return async (key) => (await limiter.consume(key)).ok;
  };

/**
 * Slots over the same store: a key's slot is taken (0) when free, else the ms until it frees come
 * back and nothing is taken (one point per interval; rate-limiter-flexible's atomic upsert decides
 * between instances). The spacing relies on the instances' clocks agreeing (NTP).
 */
export const postgresSlots =
  (store: PostgresLimitStore) =>
  (name: string, intervalMs: number): ((key: string) => Promise<number>) => {
    const slots = postgresFlexible(store, { keyPrefix: name, points: 1, duration: intervalMs / 1000 });
    return async (key) => {
      try {
        await slots.consume(key, 1);
        return 0;
      } catch (refused) {
        if (!(refused instanceof RateLimiterRes)) throw refused;
        return Math.max(1, refused.msBeforeNext);
      }
    };
  };
