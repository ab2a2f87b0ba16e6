/** The one backoff formula and the failure classification the HTTP clients use for their one repeat. */
import { describe, expect, it } from 'vitest';
import { JOB_BACKOFF, backoffDelay, isConnectionError, parseRetryAfter, retryAfterOf } from '../../server/net/retry.js';

describe('retry policy', () => {
  it('backs off exponentially with jitter in the upper half, capped', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a, undefined, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a, undefined, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });

  it('lets a Retry-After win, capped at the longest delay', () => {
    expect(backoffDelay(JOB_BACKOFF, 1, 30_000)).toBe(30_000);
    expect(backoffDelay(JOB_BACKOFF, 1, 3_600_000)).toBe(JOB_BACKOFF.maxDelayMs);
    expect(retryAfterOf(Object.assign(new Error('x'), { retryAfterMs: 2000 }))).toBe(2000);
    expect(retryAfterOf(new Error('x'))).toBeUndefined();
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('counts refused, reset and hung-up connections as connection failures, a timeout not', () => {
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isConnectionError(new Error('socket hang up'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('timeout of 200ms exceeded'), { code: 'ECONNABORTED' }))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe(false);
  });
});
