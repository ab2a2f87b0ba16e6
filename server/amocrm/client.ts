/**
 * The amoCRM REST + OAuth client (widget-and-oauth.md §5, §6). Calls go to
 * `https://<account host>` unless AMO_API_BASE_URL overrides it, carry the account's Bearer token
 * (refreshed ahead of expiry and once more on a 401), and are paced to 7 requests/s per account.
 */
import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { isAmoAccountHost } from '../amojo/hosts.js';
import { AmocrmError } from './errors.js';
import { errorFromResponse, parseJson, sendAmocrm, type RequestContext } from './http.js';
import { createOAuthTokens } from './oauth-tokens.js';
import { AMOCRM_RATE_LIMIT, createRateLimiter, type RateLimiter } from './rate-limiter.js';
import {
  accountSchema,
  toAccount,
  toUser,
  userSchema,
  usersPageSchema,
  type AmocrmAccount,
  type AmocrmUser,
  type OAuthTokenPair,
} from './schemas.js';
import type { TokenStore } from './token-store.js';
import { httpByteTransport, type ByteTransport, type HttpMethod } from '../net/byte-transport.js';
import { createSourcesApi } from './sources.js';
import { createContactsApi } from './contacts.js';

export interface AmocrmClientOptions {
  clientId: string;
  clientSecret: string;
  /** Exactly the redirect URI registered in the integration (sent with every token request). */
  redirectUri: string;
  /** AMO_API_BASE_URL: replaces `https://<account host>` for every account (tests, sandbox). */
  apiBaseUrl?: string | undefined;
  tokens: TokenStore;
  transport?: ByteTransport;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  rateLimit?: { limit: number; windowMs: number };
  /** Replaces the limiter entirely (tests share one between clients). */
  limiter?: RateLimiter;
  timeoutMs?: number;
  /** Refresh this long before the access token expires (default 5 minutes). */
  refreshAheadMs?: number;
}

export type AmocrmClient = ReturnType<typeof createAmocrmClient>;

/** Largest page `/api/v4/users` serves (§6.2). */
export const USERS_PAGE_LIMIT = 250;
const MAX_USER_PAGES = 400;
const ACCOUNT_PATH = '/api/v4/account?with=amojo_id';

export function createAmocrmClient(opts: AmocrmClientOptions) {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const request: RequestContext = {
    transport: opts.transport ?? httpByteTransport,
    limiter: opts.limiter ?? createRateLimiter({ ...(opts.rateLimit ?? AMOCRM_RATE_LIMIT), now, sleep }),
    timeoutMs: opts.timeoutMs ?? 15_000,
    sleep,
  };

  /** Only amoCRM account hosts are ever contacted (no SSRF through a forged host). */
  function baseUrlFor(host: string): string {
    if (opts.apiBaseUrl) return opts.apiBaseUrl;
    if (!isAmoAccountHost(host)) throw new ValidationError('The account host is not an amoCRM or Kommo account address.', 'host');
    return `https://${host.toLowerCase()}`;
  }

  const oauth = createOAuthTokens({
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    redirectUri: opts.redirectUri,
    tokens: opts.tokens,
    baseUrlFor,
    request,
    now,
    refreshAheadMs: opts.refreshAheadMs ?? 5 * 60_000,
  });

  function parse<T>(schema: z.ZodType<T>, path: string, status: number, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new AmocrmError('GET', path, status, 'unexpected answer', parsed.error.issues[0]?.message);
    return parsed.data;
  }

  /** A call with the account's token; `json` undefined for 204 (amoCRM's "nothing found"). */
  async function call(accountId: number, method: HttpMethod, path: string, json?: unknown): Promise<{ status: number; json: unknown }> {
    let tokens = await oauth.current(accountId);
    for (let attempt = 1; ; attempt++) {
      const res = await sendAmocrm(request, { method, baseUrl: baseUrlFor(tokens.host), path, limitKey: tokens.host, accessToken: tokens.accessToken, json });
      // A 401 means the request was not carried out, so repeating it with a fresh token is safe for writes too.
      if (res.status === 401 && attempt === 1) {
        tokens = await oauth.current(accountId, tokens.accessToken);
        continue;
      }
      if (res.status >= 300) throw errorFromResponse(method, path, res);
      return { status: res.status, json: res.status === 204 ? undefined : parseJson(res.body) };
    }
  }
  const get = (accountId: number, path: string) => call(accountId, 'GET', path);

  return {
    /** §5.2: the first token pair of an install; the caller stores it once it knows the account id. */
    exchangeCode(host: string, code: string): Promise<OAuthTokenPair> {
      return oauth.exchangeCode(host, code);
    },

    /** §6.1 with a token not stored yet (install: the account id is learnt from this answer). */
    async getAccountWithToken(host: string, accessToken: string): Promise<AmocrmAccount> {
      const res = await sendAmocrm(request, { method: 'GET', baseUrl: baseUrlFor(host), path: ACCOUNT_PATH, limitKey: host, accessToken });
      if (res.status >= 300) throw errorFromResponse('GET', ACCOUNT_PATH, res);
      return toAccount(parse(accountSchema, ACCOUNT_PATH, res.status, parseJson(res.body)));
    },

    /** §6.1 `GET /api/v4/account?with=amojo_id`. */
    async getAccount(accountId: number): Promise<AmocrmAccount> {
      const res = await get(accountId, ACCOUNT_PATH);
      return toAccount(parse(accountSchema, ACCOUNT_PATH, res.status, res.json));
    },

    /** §6.2 `GET /api/v4/users?with=amojo_id`, every page. */
    async listUsers(accountId: number): Promise<AmocrmUser[]> {
      const users: AmocrmUser[] = [];
      for (let page = 1; page <= MAX_USER_PAGES; page++) {
        const path = `/api/v4/users?with=amojo_id&page=${page}&limit=${USERS_PAGE_LIMIT}`;
        const res = await get(accountId, path);
        if (res.status === 204 || res.json === undefined) break;
        const body = parse(usersPageSchema, path, res.status, res.json);
        users.push(...body._embedded.users.map(toUser));
        const pageCount = body._page_count;
        const isLast = pageCount !== undefined ? (body._page ?? page) >= pageCount : !body._links?.next;
        if (isLast || body._embedded.users.length === 0) break;
      }
      return users;
    },

    /** §6.2 `GET /api/v4/users/{id}`; 404 becomes an AmocrmError with upstreamStatus 404. */
    async getUser(accountId: number, userId: number): Promise<AmocrmUser> {
      const path = `/api/v4/users/${encodeURIComponent(String(userId))}?with=amojo_id`;
      const res = await get(accountId, path);
      return toUser(parse(userSchema, path, res.status, res.json));
    },

    /** §6.3 sources and the account's pipelines. */
    ...createSourcesApi(call),

    /** The contact behind a chat: what a client tells after the chat started (contacts.ts). */
    contacts: createContactsApi(call),

    /** Tokens good for a while more (refreshing when due); exposed for callers that need the pair. */
    currentTokens: (accountId: number) => oauth.current(accountId),
  };
}
