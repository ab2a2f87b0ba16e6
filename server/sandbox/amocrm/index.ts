/**
 * Emulator of amoCRM's REST/OAuth side for the sandbox and the tests: the token endpoint (codes,
 * rotating single-use refresh tokens), `/api/v4/account` and `/api/v4/users` with `amojo_id`, the
 * pipelines and sources (`sources-endpoints.ts`), contacts and their chats (`contacts-endpoints.ts`), the 7 requests/s limit answered 429, problem+json
 * errors, one-time tokens signed like amoCRM's, and "install" (an authorization code plus the callback
 * URL amoCRM would call) and "uninstall" (every token revoked, plus the signed disconnect-hook URL).
 * Imports nothing from the rest of the server.
 */
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router, type Request, type Response } from 'express';
import { accountBody, oneUser, usersPage } from './api-endpoints.js';
import { handleTokenRequest } from './oauth-endpoint.js';
import { createMinter } from './one-time-token-minter.js';
import { ProblemError, problem, sendHal, sendProblem } from './problem.js';
import { RequestPacing } from './request-pacing.js';
import { SANDBOX_ACCOUNT } from './sandbox-account.js';
import { AmocrmState } from './state.js';
import { createControlRouter } from './control-routes.js';
import { SourceBook, createSourcesRouter } from './sources-endpoints.js';
import { ContactBook } from './contact-book.js';
import { createContactsRouter } from './contacts-endpoints.js';
import type { AmocrmEmulatorOptions, AmocrmRequestRecord, EmulatedAccount, EmulatedContactView, EmulatedPipeline, EmulatedSource, FailNextOptions, InstallOptions, MintOptions } from './types.js';

export type * from './types.js';
export { SANDBOX_ACCOUNT } from './sandbox-account.js';

export interface AmocrmEmulator {
  /** Express 5 router; mount it under any prefix (the sandbox uses `/sandbox/amocrm`). */
  readonly router: Router;
  /** Runs the emulator alone on its own port, mounted at `/`. */
  listen(port?: number, host?: string): Promise<{ url: string; close(): Promise<void> }>;
  addAccount(account: EmulatedAccount): void;
  account(id: number): EmulatedAccount;
  /** Id of the account used when a call names none (the first one served). */
  defaultAccountId(): number;
  /** An authorization code and the callback URL amoCRM calls after an install. */
  install(options?: InstallOptions): { code: string; callbackUrl: string };
  /**
   * Removes the integration from the account as amoCRM does: every token stops working, and the
   * signed disconnect-hook URL amoCRM then calls comes back (needs `revokeHookUri`).
   */
  uninstall(accountId?: number): { hookUrl: string };
  mintOneTimeToken(options?: MintOptions): Promise<string>;
  /** How many refresh-token grants succeeded for the account. */
  refreshCount(accountId: number): number;
  /** How many authorization codes were exchanged for the account. */
  codeExchangeCount(accountId: number): number;
  /** Every request that reached the emulator, oldest first. */
  requests(): AmocrmRequestRecord[];
  expireAccessTokens(accountId: number): void;
  /** The integration was turned off in the account: all its tokens answer 401. */
  revokeGrant(accountId: number): void;
  /** Answers the next `count` `/api/v4` calls with `status` (and Retry-After). */
  failNext(options: FailNextOptions): void;
  /** The integration's sources in the account (copies). */
  sources(accountId: number): EmulatedSource[];
  /** The pipeline a new chat's lead goes to in the account with this amojo id, for its source (§7 routing). */
  leadPipeline(accountAmojoId: string, sourceExternalId: string | undefined): EmulatedPipeline | null;
  /** The account's contacts (copies), each with the chats linked to it. */
  contacts(accountId: number): EmulatedContactView[];
  /**
   * A chat's first unsorted lead was opened in the account with this amojo id (the Chats side calls
   * this): amoCRM makes the lead's contact from the client's profile, or takes the one with that
   * phone or e-mail, and links the chat to it. Null when no account has that amojo id.
   */
  chatLeadOpened(accountAmojoId: string, chatId: string, client: { name: string; phone?: string | undefined; email?: string | undefined }): EmulatedContactView | null;
  /** Which chats belong to the integration's channels (the Chats side answers), for linking chats to contacts. */
  useChatDirectory(directory: (accountAmojoId: string, chatId: string) => boolean): void;
  /** Forgets tokens, codes, counters, logs, sources, contacts and injected failures; accounts stay. */
  reset(): void;
}

export function createAmocrmEmulator(options: AmocrmEmulatorOptions): AmocrmEmulator {
  const now = options.now ?? Date.now;
  const state = new AmocrmState(now, options.accessTokenTtlSec ?? 86_400, options.codeTtlSec ?? 20 * 60);
  for (const a of options.accounts ?? [SANDBOX_ACCOUNT]) state.addAccount(a);
  const firstId = (): number => {
    const first = state.accounts.keys().next();
    if (first.done) throw new RangeError('the emulator serves no account');
    return first.value;
  };
  const rate = options.rateLimit === false ? undefined : (options.rateLimit ?? { limit: 7, windowMs: 1000 });
  const pacing = rate ? new RequestPacing(rate.limit, rate.windowMs, now) : undefined;
  let log: AmocrmRequestRecord[] = [];
  let failures: FailNextOptions[] = [];
  const mint = createMinter(state, { ...options, now, defaultAccountId: firstId });

  function install(opts: InstallOptions = {}): { code: string; callbackUrl: string } {
    const account = state.account(opts.accountId ?? firstId());
    const code = state.issueCode(account.id, opts.userId ?? state.firstAdmin(account));
    const url = new URL(options.redirectUri);
    url.searchParams.set('code', code);
    url.searchParams.set('referer', account.host);
    if (opts.state !== undefined) url.searchParams.set('state', opts.state);
    url.searchParams.set('from_widget', '1');
    url.searchParams.set('platform', account.host.endsWith('.amocrm.ru') ? '1' : '2');
    return { code, callbackUrl: url.toString() };
  }

  function uninstall(accountId = firstId()): { hookUrl: string } {
    if (!options.revokeHookUri) throw new RangeError('the emulator has no disconnect-hook URL (revokeHookUri)');
    state.revokeGrant(state.account(accountId).id);
    const url = new URL(options.revokeHookUri);
    url.searchParams.set('account_id', String(accountId));
    url.searchParams.set('client_uuid', options.clientId);
    url.searchParams.set('signature', createHmac('sha256', options.clientSecret).update(`${options.clientId}|${accountId}`).digest('hex'));
    return { hookUrl: url.toString() };
  }

  const router = Router();
  router.use((req, res, next) => {
    const record: AmocrmRequestRecord = { method: req.method, path: req.url, accountId: null, status: 0, at: now() };
    log.push(record);
    res.locals['record'] = record;
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    next();
  });
  router.use(express.json({ limit: '64kb' }), express.urlencoded({ extended: false, limit: '64kb' }));

  router.post('/oauth2/access_token', (req, res) => {
    const out = handleTokenRequest(state, { ...options, now }, req.body);
    (res.locals['record'] as AmocrmRequestRecord).accountId = out.accountId;
    res.status(200).type('application/json').send(JSON.stringify(out.body));
  });

  /** Bearer auth, injected failures, then the rate limit, in amoCRM's order of refusals. */
  function authorise(req: Request, res: Response): { account: EmulatedAccount; userId: number } {
    const header = req.get('authorization');
    const { accountId, userId } = state.authenticate(/^Bearer (.+)$/i.exec(header ?? '')?.[1]);
    (res.locals['record'] as AmocrmRequestRecord).accountId = accountId;
    const failure = failures.shift();
    if (failure) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'Retry-After': String(failure.retryAfterSeconds) } : {};
      throw new ProblemError({ status: failure.status, title: 'Injected failure', detail: `injected ${failure.status}` }, headers);
    }
    pacing?.admit(accountId);
    return { account: state.account(accountId), userId };
  }

  const baseOf = (req: Request): string => `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
  const query = (req: Request): Record<string, unknown> => req.query as Record<string, unknown>;

  router.get('/api/v4/account', (req, res) => {
    const { account, userId } = authorise(req, res);
    sendHal(res, accountBody(account, userId, query(req), baseOf(req)));
  });
  router.get('/api/v4/users', (req, res) => {
    const { account } = authorise(req, res);
    const page = usersPage(account, query(req), baseOf(req));
    if (page) sendHal(res, page);
    else res.status(204).end();
  });
  router.get('/api/v4/users/:id', (req, res) => {
    const { account } = authorise(req, res);
    sendHal(res, oneUser(account, String(req.params['id']), query(req), baseOf(req)));
  });

  const sources = new SourceBook();
  router.use(createSourcesRouter({ authorise, baseOf, book: sources }));
  const contacts = new ContactBook(now);
  router.use(createContactsRouter({ authorise, baseOf, book: contacts }));
  const contactView = (accountId: number, c: EmulatedContactView | Omit<EmulatedContactView, 'chatIds'>): EmulatedContactView => ({
    ...structuredClone(c),
    chatIds: contacts.links(accountId).filter((l) => l.contactId === c.id).map((l) => l.chatId),
  });

  router.use('/_emulator', createControlRouter({ install, mint, defaultAccountId: firstId }));

  router.use((_req, _res, next) => next(problem(404, 'Not Found', 'no such endpoint')));
  router.use((err: unknown, _req: Request, res: Response, _next: (e?: unknown) => void) => {
    if (err instanceof ProblemError) return sendProblem(res, err);
    const parserError = err as { type?: string };
    if (parserError?.type === 'entity.parse.failed') return sendProblem(res, problem(400, 'Bad Request', 'the body is not valid JSON'));
    if (err instanceof RangeError) return sendProblem(res, problem(404, 'Not Found', err.message));
    sendProblem(res, problem(500, 'Internal Server Error', 'emulator failure'));
  });

  return {
    router,
    async listen(port = 0, host = '127.0.0.1') {
      const app = express();
      app.use(router);
      const server: Server = await new Promise((resolve) => {
        const s = app.listen(port, host, () => resolve(s));
      });
      const addr = server.address() as AddressInfo;
      return {
        url: `http://${host}:${addr.port}`,
        close: () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      };
    },
    addAccount: (a) => state.addAccount(a),
    account: (id) => structuredClone(state.account(id)),
    defaultAccountId: firstId,
    install,
    uninstall,
    mintOneTimeToken: mint,
    refreshCount: (id) => state.refreshCounts.get(id) ?? 0,
    codeExchangeCount: (id) => state.exchangeCounts.get(id) ?? 0,
    requests: () => structuredClone(log),
    expireAccessTokens: (id) => state.expireAccessTokens(id),
    revokeGrant: (id) => state.revokeGrant(id),
    failNext(f) {
      if (!Number.isInteger(f.count) || f.count < 1) throw new RangeError('count must be a positive integer');
      for (let i = 0; i < f.count; i++) failures.push({ ...f, count: 1 });
    },
    sources: (id) => structuredClone(sources.list(state.account(id).id)),
    leadPipeline(amojoId, externalId) {
      const account = [...state.accounts.values()].find((a) => a.amojoId === amojoId);
      return account ? sources.leadPipeline(account, externalId) : null;
    },
    contacts: (id) => contacts.list(state.account(id).id).map((c) => contactView(id, c)),
    chatLeadOpened(amojoId, chatId, client) {
      const account = [...state.accounts.values()].find((a) => a.amojoId === amojoId);
      return account ? contactView(account.id, contacts.chatLeadOpened(account, chatId, client)) : null;
    },
    useChatDirectory: (directory) => contacts.useChatDirectory(directory),
    reset() {
      state.reset();
      sources.reset();
      contacts.reset();
      pacing?.reset();
      log = [];
      failures = [];
    },
  };
}
