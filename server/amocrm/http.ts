/**
 * One amoCRM request with pacing and retries: waits for the account's rate-limit slot, sends,
 * and retries 429 (honouring Retry-After) and, for reads only, 5xx and network failures. Errors
 * become `AmocrmError` built from the `application/problem+json` body (§5.5). Tokens travel in
 * headers only and are never part of an error.
 */
import { AmocrmError } from './errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { problemSchema } from './schemas.js';
import type { ByteResponse, ByteTransport, HttpMethod } from '../net/byte-transport.js';
import { parseRetryAfter } from '../net/retry.js';

export interface RetryPolicy {
  /** Total tries including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_AMOCRM_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 5_000 };

export interface RequestContext {
  transport: ByteTransport;
  limiter: RateLimiter;
  retry: RetryPolicy;
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface AmocrmRequest {
  method: HttpMethod;
  /** Base URL, e.g. `https://example.amocrm.ru` or AMO_API_BASE_URL. */
  baseUrl: string;
  /** Path + query on the account host, e.g. `/api/v4/account?with=amojo_id`. */
  path: string;
  /** Rate-limit lane: the account host. */
  limitKey: string;
  accessToken?: string;
  json?: unknown;
}

/** Sends with retries; answers of status < 400 and 401 come back, every other failure throws. */
export async function sendAmocrm(ctx: RequestContext, req: AmocrmRequest): Promise<ByteResponse> {
  const url = `${req.baseUrl.replace(/\/+$/, '')}${req.path}`;
  const body = req.json === undefined ? undefined : Buffer.from(JSON.stringify(req.json), 'utf8');
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'amojo-webchat-channel' };
  if (body) headers['Content-Type'] = 'application/json';
  if (req.accessToken) headers['Authorization'] = `Bearer ${req.accessToken}`;
  const isRead = req.method === 'GET';

  for (let attempt = 1; ; attempt++) {
    await ctx.limiter.acquire(req.limitKey);
    let res: ByteResponse;
    try {
      res = await ctx.transport({ method: req.method, url, headers, body, timeoutMs: ctx.timeoutMs });
    } catch (cause) {
      // A write may have been carried out before the answer was lost (a spent code or refresh
      // token cannot be spent again), so only reads are repeated.
      if (!isRead || attempt >= ctx.retry.attempts) {
        // The transport's error is not attached as `cause`: it holds the request (Authorization
        // header, client secret in the body) and would carry them into logs.
        throw new AmocrmError(req.method, req.path, 0, undefined, undefined, { message: `amoCRM ${req.method} ${req.path}: no answer (${describeCause(cause)})` });
      }
      await ctx.sleep(backoff(ctx, attempt));
      continue;
    }
    if (res.status < 400 || res.status === 401) return res;
    // 429 means the request was not carried out, so repeating it is safe for writes too.
    const canRetry = res.status === 429 || (isRead && res.status >= 500);
    if (!canRetry || attempt >= ctx.retry.attempts) throw errorFromResponse(req.method, req.path, res);
    await ctx.sleep(backoff(ctx, attempt, res.headers['retry-after']));
  }
}

export function errorFromResponse(method: string, path: string, res: ByteResponse): AmocrmError {
  const problem = problemSchema.safeParse(parseJson(res.body));
  const p = problem.success ? problem.data : {};
  return new AmocrmError(method, path, res.status, p.title, p.detail ?? p.hint);
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Exponential with jitter; Retry-After (seconds or HTTP date) wins when present, capped. */
export function backoff(ctx: Pick<RequestContext, 'retry' | 'random'>, attempt: number, retryAfter?: string): number {
  const cap = ctx.retry.maxDelayMs;
  const fromHeader = parseRetryAfter(retryAfter);
  if (fromHeader !== undefined) return Math.min(fromHeader, cap * 2);
  const ceiling = Math.min(cap, ctx.retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ctx.random ?? Math.random)() * (ceiling / 2));
}

function describeCause(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return 'network error';
}
