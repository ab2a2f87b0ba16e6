/**
 * The request limits' generic part: the memory backend's key bound and its overflow policy,
 * all-or-nothing checks, client address keys, and the stream cap taken from the descriptor limit.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedError } from '../../server/errors.js';
import { addressKey } from '../../server/http/client-address.js';
import { createMemoryLimiter, openFileLimit, streamCapacity, takeAll } from '../../server/http/limits/index.js';
import { mergeLimits } from '../../server/platforms/webchat/limits.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const consumeMany = async (limiter: ReturnType<typeof createMemoryLimiter>, key: string, n: number) => {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await limiter.consume(key)).ok);
  return out;
};

describe('memory limiter', () => {
  it('allows a burst per window, says when to come back, and forgives when the window ends', async () => {
    const limiter = createMemoryLimiter('t', { burst: 3, perMinute: 6 });
    expect(await consumeMany(limiter, 'ip', 3)).toEqual([true, true, true]);
    expect(await limiter.consume('ip')).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect((await limiter.consume('other')).ok).toBe(true);
    vi.advanceTimersByTime(30_000);
    expect(await consumeMany(limiter, 'ip', 4)).toEqual([true, true, true, false]);
  });

  it('holds at most maxKeys keys, whatever keys come', async () => {
    const limiter = createMemoryLimiter('t', { burst: 5, perMinute: 5 }, { maxKeys: 50 });
    for (let i = 0; i < 5_000; i++) await limiter.consume(`client-${i}-${'x'.repeat(100)}`);
    expect(limiter.heldKeys!()).toBeLessThanOrEqual(50);
    // As windows end, room comes back for new keys.
    vi.advanceTimersByTime(60_000);
    expect((await limiter.consume('late')).ok).toBe(true);
    expect(limiter.heldKeys!()).toBeLessThanOrEqual(2);
  });

  it('cannot be made to forget a refusing bucket by a flood of fresh keys', async () => {
    const limiter = createMemoryLimiter('t', { burst: 2, perMinute: 2 }, { maxKeys: 10 });
    expect(await consumeMany(limiter, 'abuser', 3)).toEqual([true, true, false]);
    const fresh: boolean[] = [];
    for (let i = 0; i < 100; i++) fresh.push((await limiter.consume(`fresh-${i}`)).ok);
    expect((await limiter.consume('abuser')).ok).toBe(false);
    // Room for 8 more keys (the bound is 10: the abuser's and the overflow's places), then one shared burst of 2.
    expect(fresh.filter(Boolean)).toHaveLength(8 + 2);
    expect(limiter.heldKeys!()).toBe(10);
  });

  it('gives a refunded point back', async () => {
    const limiter = createMemoryLimiter('t', { burst: 1, perMinute: 1 });
    expect((await limiter.consume('k')).ok).toBe(true);
    await limiter.refund('k');
    expect((await limiter.consume('k')).ok).toBe(true);
    expect((await limiter.consume('k')).ok).toBe(false);
  });
});

describe('takeAll', () => {
  it('spends nothing of the other limits when one refuses', async () => {
    const own = createMemoryLimiter('own', { burst: 1, perMinute: 1 });
    const shared = createMemoryLimiter('shared', { burst: 3, perMinute: 1 });
    await takeAll([[own, 'a'], [shared, 's']]);
    for (let i = 0; i < 10; i++) await expect(takeAll([[shared, 's'], [own, 'a']])).rejects.toBeInstanceOf(RateLimitedError);
    // Refused ten times after taking from the shared bucket first: all given back.
    await takeAll([[shared, 's']]);
    await takeAll([[shared, 's']]);
    await expect(takeAll([[shared, 's']])).rejects.toMatchObject({ retryAfterSeconds: 180 });
  });

  it('gives back what an earlier check of the same request took', async () => {
    const first = createMemoryLimiter('first', { burst: 1, perMinute: 1 });
    const second = createMemoryLimiter('second', { burst: 1, perMinute: 1 });
    await takeAll([[second, 'x']]);
    const earlier = await takeAll([[first, 'x']]);
    await expect(takeAll([[second, 'x']], earlier)).rejects.toBeInstanceOf(RateLimitedError);
    expect((await first.consume('x')).ok).toBe(true);
  });
});

describe('client address keys', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::ffff:cb00:7107', '203.0.113.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['2001:db8::203.0.113.7', '2001:db8:0:0::/64'],
  ])('%s → %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  it.each([
    ['a name', 'spoof'],
    ['three octets', '203.0.113'],
    ['a list', '1.2.3.4, 5.6.7.8'],
    ['8 KB of text', 'x'.repeat(8192)],
    ['nothing', ''],
  ])('refuses %s', (_label, text) => {
    expect(addressKey(text)).toBeUndefined();
  });
});

describe('stream capacity', () => {
  const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                524288               files\n`;

  it('reads the soft open-files limit and falls back where it cannot', () => {
    expect(openFileLimit(() => limits('1024'))).toBe(1024);
    expect(openFileLimit(() => limits('unlimited'))).toBe(Infinity);
    expect(openFileLimit(() => 'nothing useful')).toBe(1024);
    expect(openFileLimit(() => {
      throw new Error('ENOENT');
    })).toBe(1024);
  });

  it('leaves headroom below the limit and stays within bounds', () => {
    expect(streamCapacity(1024)).toBe(768);
    expect(streamCapacity(256)).toBe(128);
    expect(streamCapacity(100)).toBe(16);
    expect(streamCapacity(65_536)).toBe(20_000);
    expect(streamCapacity(Infinity)).toBe(20_000);
  });

  it('gives one account at most half the streams unless told otherwise', () => {
    expect(mergeLimits({}, () => 768).streams).toEqual({ perConversation: 5, perIp: 50, perAccount: 384, total: 768 });
    expect(mergeLimits({ streams: { total: 10, perAccount: 10 } }).streams).toMatchObject({ perAccount: 10, total: 10 });
  });
});
