import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../server/amocrm/rate-limiter.js';

function fakeClock() {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe('amoCRM request pacing', () => {
  it('lets at most `limit` requests into any window, in call order', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 7, windowMs: 1100, ...clock });
    const granted: number[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => limiter.acquire('a.amocrm.ru').then(() => granted.push(clock.now() * 100 + i))));
    const times = granted.map((g) => Math.floor(g / 100));
    const order = granted.map((g) => g % 100);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t > times[i]! - 1100 && t <= times[i]!);
      expect(inWindow.length).toBeLessThanOrEqual(7);
    }
    expect(times[7]! - times[0]!).toBeGreaterThanOrEqual(1100);
  });

  it('keeps accounts apart', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 2, windowMs: 1000, ...clock });
    await limiter.acquire('a');
    await limiter.acquire('a');
    const before = clock.now();
    await limiter.acquire('b');
    expect(clock.now()).toBe(before);
    await limiter.acquire('a');
    expect(clock.now()).toBe(before + 1000);
  });
});
