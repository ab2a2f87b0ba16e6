/**
 * The retry policy, in one place. The durable job is the unit of retry: a failed job runs again
 * after `backoffDelay` (exponential with jitter, or the `Retry-After` its failure carries), up to
 * its attempts. The HTTP clients (amojo, amoCRM) repeat a request at most once, and only when the
 * connection failed before any answer (`withConnectionRetry`); a 429 or 5xx goes back to the job
 * with its Retry-After. So one job attempt costs at most two requests.
 */

export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Job retries: 1 s doubling to at most 10 minutes (the schedule is in the README). */
export const JOB_BACKOFF: BackoffPolicy = { baseDelayMs: 1_000, maxDelayMs: 10 * 60_000 };

/** Pause before the one repeat of a request whose connection failed. */
export const CONNECTION_RETRY_DELAY_MS = 200;

/**
 * Delay after failed try number `attempt` (counting from 1): a random point in the upper half of
 * `base · 2^(attempt-1)`, capped at `maxDelayMs`; a server's Retry-After wins, capped the same way.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The Retry-After a failure carries (`retryAfterMs` on upstream errors), if any. */
export function retryAfterOf(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'retryAfterMs' in err && typeof err.retryAfterMs === 'number') return err.retryAfterMs;
  return undefined;
}

/** Retry-After as seconds or an HTTP date; milliseconds, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Connection failures (refused, reset, hung up) that came before any answer. A timeout is not one. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

export function errorCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

export function isConnectionError(err: unknown): boolean {
  const code = errorCode(err);
  if (code && CONNECTION_CODES.has(code)) return true;
  return err instanceof Error && /socket hang up/i.test(err.message);
}

/**
 * Sends; when the connection failed before any answer and `repeatable(err)` agrees, sends once
 * more after a short pause. Any other failure, and the second one, is the caller's.
 */
export async function withConnectionRetry<T>(
  send: () => Promise<T>,
  opts: { sleep: (ms: number) => Promise<void>; repeatable?: (err: unknown) => boolean },
): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (!isConnectionError(err) || (opts.repeatable && !opts.repeatable(err))) throw err;
    await opts.sleep(CONNECTION_RETRY_DELAY_MS);
    return send();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
