/**
 * The in-process throttle (one instance): when each key last passed, forgotten once its interval
 * is over, and at most `maxKeys` remembered (forgetting one costs one extra pass, never a refusal
 * that should not be).
 */
import type { ThrottleFactory } from './ports.js';

const MAX_KEYS = 10_000;

export function memoryThrottles(now: () => number, maxKeys = MAX_KEYS): ThrottleFactory {
  return (_name, intervalMs) => {
    const lastPassed = new Map<string, number>();
    return async (key) => {
      const t = now();
      const last = lastPassed.get(key);
      if (last !== undefined && t - last < intervalMs) return false;
      if (lastPassed.size >= maxKeys) {
        for (const [k, at] of lastPassed) if (t - at >= intervalMs) lastPassed.delete(k);
      }
      lastPassed.set(key, t);
      return true;
    };
  };
}
