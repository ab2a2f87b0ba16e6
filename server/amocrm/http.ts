/**
 * One amoCRM request: waits for the account's rate-limit slot and sends. A connection that failed
 * before any answer is repeated once (for a write only when it was refused, so never reached
 * amoCRM: a spent code or refresh token cannot be spent again); nothing else is repeated here.
 * A 429 or 5xx becomes an `AmocrmError` carrying its Retry-After, for the caller to decide: a job
 * retries later, a request being answered reports it. Errors are built from the
 * `application/problem+json` body (§5.5). Tokens travel in headers only and are never part of an error.
 */
import { AmocrmError } from './errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { problemSchema } from './schemas.js';
import type { ByteResponse, ByteTransport, HttpMethod } from '../net/byte-transport.js';
import { errorCode, parseRetryAfter, withConnectionRetry } from '../net/retry.js';

export interface RequestContext {
  transport: ByteTransport;
  limiter: RateLimiter;
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
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

/** Sends; answers of status < 400 and 401 come back, every other outcome throws. */
export async function sendAmocrm(ctx: RequestContext, req: AmocrmRequest): Promise<ByteResponse> {
  const url = `${req.baseUrl.replace(/\/+$/, '')}${req.path}`;
  const body = req.json === undefined ? undefined : Buffer.from(JSON.stringify(req.json), 'utf8');
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'amojo-webchat-channel' };
  if (body) headers['Content-Type'] = 'application/json';
  if (req.accessToken) headers['Authorization'] = `Bearer ${req.accessToken}`;
  const isRead = req.method === 'GET';

  let res: ByteResponse;
  try {
    res = await withConnectionRetry(
      async () => {
        await ctx.limiter.acquire(req.limitKey);
        return ctx.transport({ method: req.method, url, headers, body, timeoutMs: ctx.timeoutMs });
      },
      { sleep: ctx.sleep, repeatable: (err) => isRead || errorCode(err) === 'ECONNREFUSED' },
    );
  } catch (cause) {
    // The transport's error is not attached as `cause`: it holds the request (Authorization
    // header, client secret in the body) and would carry them into logs.
    throw new AmocrmError(req.method, req.path, 0, undefined, undefined, { message: `amoCRM ${req.method} ${req.path}: no answer (${errorCode(cause) ?? 'network error'})` });
  }
  if (res.status < 400 || res.status === 401) return res;
  throw errorFromResponse(req.method, req.path, res);
}

export function errorFromResponse(method: string, path: string, res: ByteResponse): AmocrmError {
  const problem = problemSchema.safeParse(parseJson(res.body));
  const p = problem.success ? problem.data : {};
  return new AmocrmError(method, path, res.status, p.title, p.detail ?? p.hint, { retryAfterMs: parseRetryAfter(res.headers['retry-after']) });
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
