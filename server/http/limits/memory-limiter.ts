/**
 * The in-process limiter backend (one instance; a restart forgives everyone, which is acceptable
 * for abuse control), holding a bounded number of keys so that no request pattern grows memory.
 *
 * When a limiter holds `maxKeys` live windows, a key it does not hold yet is counted in one
 * shared overflow bucket (same rule) until windows end and free room. Dropping an older window
 * to make room instead would let anyone with enough fresh keys (addresses, a large IPv6 range)
 * reset a bucket that is refusing someone, its own or another client's; with the overflow bucket
 * no count is ever forgotten before its window ends. The price falls on new keys during a flood
 * that fills the table: they share one client's allowance, for at most one window, because every
 * held window ends on time. Windows all have the limiter's length, so they end in the order they
 * began, and the oldest ones are at the front of the map.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { flexibleOptions, fromFlexible, type LimitRule, type Limiter, type LimiterFactory } from './limiter.js';

/** Keys per limiter unless told otherwise: ~10,000 live windows cost a few MB per limiter. */
export const DEFAULT_MAX_KEYS = 10_000;

/** Cannot be a client key: those are addresses and ids, never starting with NUL. */
const OVERFLOW_KEY = '\u0000overflow';

export function createMemoryLimiter(name: string, rule: LimitRule, opts: { maxKeys?: number } = {}): Limiter & { maxKeys: number } {
  const maxKeys = opts.maxKeys ?? DEFAULT_MAX_KEYS;
  if (maxKeys < 2) throw new Error(`limit ${name}: maxKeys must be at least 2`);
  const library = new RateLimiterMemory(flexibleOptions(name, rule));
  const counts = fromFlexible(library);
  const windowMs = library.msDuration;
  /** Key → end of its window (ms), in the order windows began; the overflow key is not here. */
  const windows = new Map<string, number>();

  function forgetEnded(t: number): void {
    for (const [key, end] of windows) {
      if (end > t) return;
      windows.delete(key);
    }
  }

  /** The key to count under: the client's own while it has a window or there is room. */
  function bucketFor(key: string, t: number): string {
    const end = windows.get(key);
    if (end !== undefined && end > t) return key;
    windows.delete(key);
    forgetEnded(t);
    // One place of the bound is the overflow bucket's.
    if (windows.size >= maxKeys - 1) return OVERFLOW_KEY;
    windows.set(key, t + windowMs);
    return key;
  }

  return {
    maxKeys,
    consume: (key) => counts.consume(bucketFor(key, Date.now())),
    async refund(key) {
      const t = Date.now();
      const end = windows.get(key);
      if (end !== undefined && end > t) return counts.refund(key);
      // Counted in the overflow bucket while the table was full; a window that ended needs nothing back.
      if (end === undefined && windows.size >= maxKeys - 1) return counts.refund(OVERFLOW_KEY);
    },
    heldKeys: () => library.dump().storage.length,
  };
}

/** A factory of memory limiters, each holding at most `maxKeys` keys. */
export const memoryLimiters =
  (opts: { maxKeys?: number } = {}): LimiterFactory =>
  (name, rule) =>
    createMemoryLimiter(name, rule, opts);
