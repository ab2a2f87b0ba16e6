/**
 * One small interface for every request limit, whatever holds the counts. Routes only call
 * `consume` and `refund`; which store backs a limiter is decided where limiters are built. The
 * counting is rate-limiter-flexible's: the memory backend (`memory-limiter.ts`) serves a single
 * instance, and a store shared by several instances (its `RateLimiterPostgres`) goes through
 * `fromFlexible` as it is, so moving to scale-out changes no route.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * At most `burst` requests per window of `burst / perMinute` minutes, which averages `perMinute`.
 * (rate-limiter-flexible counts in fixed windows: a client may use one window's burst at its end
 * and the next one's at its start.)
 */
export interface LimitRule {
  burst: number;
  perMinute: number;
}

/** A rule that never refuses (load tests from one address). */
export const NO_LIMIT: LimitRule = { burst: 1e9, perMinute: 1e9 };

export type LimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface Limiter {
  /** Takes one point for `key`, or says how long until one is free. */
  consume(key: string): Promise<LimitDecision>;
  /** Gives back the point a `consume` took (another limit refused the same request). */
  refund(key: string): Promise<void>;
  /** Keys this process holds (memory backends); absent where a shared store holds them. */
  heldKeys?(): number;
}

/** Builds the limiter called `name` (a stable prefix, unique per limit) for a rule. */
export type LimiterFactory = (name: string, rule: LimitRule) => Limiter;

/** rate-limiter-flexible's options for a rule. */
export function flexibleOptions(name: string, rule: LimitRule): { keyPrefix: string; points: number; duration: number } {
  if (!(rule.burst >= 1) || !(rule.perMinute > 0)) throw new Error(`limit ${name}: burst must be ≥ 1 and perMinute > 0`);
  return { keyPrefix: name, points: Math.floor(rule.burst), duration: Math.max(1, Math.ceil((rule.burst / rule.perMinute) * 60)) };
}

/** Our interface over any rate-limiter-flexible limiter; a failing store is an error, not a refusal. */
export function fromFlexible(limiter: RateLimiterAbstract): Limiter {
  return {
    async consume(key) {
      try {
        await limiter.consume(key, 1);
        return { ok: true };
      } catch (refused) {
        // rate-limiter-flexible refuses with its result object and fails with an Error.
        if (!(refused instanceof RateLimiterRes)) throw refused;
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(refused.msBeforeNext / 1000)) };
      }
    },
    async refund(key) {
      await limiter.reward(key, 1);
    },
  };
}
