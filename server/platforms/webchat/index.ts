/**
 * The website chat: the first platform. It owns the visitor API (`/webchat/v1/*`), visitor
 * tokens, the event streams and the public file route, and talks only to the bridge (never to
 * amojo, never to the store: accounts come in as `WebchatAccounts`). The bubble script route
 * (`GET /webchat/embed.js`) lives with the bubble, not here.
 */
import { Router } from 'express';
import type { Bridge, LiveFeed } from '../../bridge/index.js';
import { createBacklogGate } from '../../http/backlog-gate.js';
import type { LimiterFactory } from '../../http/limits/index.js';
import { createWebchatAdapter, type WebchatAdapter } from './adapter.js';
import { createEventHub } from './event-hub.js';
import { createEventsRouter } from './events-route.js';
import { createFilesRouter } from './files-route.js';
import { createLimiters, limiterKeys, mergeLimits, type WebchatLimitOverrides } from './limits.js';
import { createWebchatApiRouter } from './routes.js';
import { createSettingsRouter } from './settings-route.js';
import { createSiteSettingsCache } from './site-settings.js';
import { createUploadRouter } from './upload-route.js';
import { createVisitorAuth, type WebchatAccounts } from './visitor-auth.js';
import { createVisitorTokens } from './visitor-token.js';
import { createVisitorEraser, type ErasedVisitor, type VisitorKey } from './visitor-data.js';

export interface WebchatOptions {
  bridge: Bridge;
  accounts: WebchatAccounts;
  /** The secret visitor tokens are signed with (APP_SECRET or the generated one). */
  tokenSecret: () => Promise<string>;
  now: () => number;
  onError: (err: unknown) => void;
  limits?: WebchatLimitOverrides;
  /** Where rate-limit counts live (default: this process's memory, bounded per limiter). */
  limiterStore?: LimiterFactory;
  /** Heartbeat comment interval of event streams (default 15 s). */
  heartbeatMs?: number;
  /** An upload that sends nothing for this long is dropped, its partial file removed (default 30 s). */
  uploadIdleMs?: number;
  /** What other instances on the same database announce (absent: this is the only instance). */
  live?: LiveFeed;
  /**
   * How far delivery falls behind (`backlog-gate.ts`): clients' messages waiting for amoCRM (their
   * jobs not yet taken), of every instance, counted up to `cap`; whether this process is short of
   * CPU; and `onTaken`, told each time this process is done with one (sent, or given up). While
   * the backlog is over `limit` and the process busy, a stored message's 202 waits, so flat-out
   * senders slow to the pace messages reach amoCRM instead of taking the CPU their delivery
   * needs. Absent: never held.
   */
  delivery?: { backlog(cap: number): Promise<number>; busy(): boolean; limit: number; onTaken(listener: () => void): void };
}

export interface Webchat {
  adapter: WebchatAdapter;
  /** Mount at `/webchat/v1`. */
  apiRouter: Router;
  /** Mount at the root: `GET /files/:id/:name`. */
  filesRouter: Router;
  /** Replaces the account's site key (old snippets and visitor tokens stop working). */
  rotateSiteKey(accountId: number): Promise<string>;
  /** The admin changed the account's bubble settings: the next request reads them afresh. */
  settingsChanged(accountId: number): void;
  /** Deletes what this backend keeps of one visitor (an admin's request). */
  eraseVisitor(accountId: number, key: VisitorKey): Promise<ErasedVisitor>;
  /** Open event streams right now. */
  openStreams(): number;
  /** Keys each rate limiter holds, by limiter name (memory backends). */
  limiterKeys(): Record<string, number | undefined>;
  /** Closes every event stream (shutdown). */
  stop(): void;
}

export function createWebchat(opts: WebchatOptions): Webchat {
  const limits = mergeLimits(opts.limits);
  const limiters = createLimiters(limits, opts.limiterStore);
  const tokens = createVisitorTokens(opts.tokenSecret, opts.now);
  const authenticate = createVisitorAuth({ tokens, bridge: opts.bridge, accounts: opts.accounts, now: opts.now });
  const hub = createEventHub({
    timelineAfter: opts.bridge.conversations.timelineAfter,
    timelineStampsUpTo: opts.bridge.conversations.timelineStampsUpTo,
    // The clock the bridge stamps events with.
    wallClock: opts.now,
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    limits: limits.streams,
    onError: opts.onError,
    onManagerMessagesStreamed: (conversationId, eventIds) => {
      opts.bridge.signals.streamed(conversationId, eventIds).catch(opts.onError);
    },
  });
  const adapter = createWebchatAdapter(hub);
  // A person waits for the answer: held at most 3 s, and let go as a delivery ends (or on the next
  // reading of the backlog, 50 ms on).
  const intakeGate = opts.delivery && createBacklogGate({ ...opts.delivery, maxHoldMs: 3_000, recheckMs: 50, now: opts.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
  if (intakeGate) opts.delivery?.onTaken(() => intakeGate.taken());
  const siteSettings = createSiteSettingsCache(opts.accounts, opts.now);
  opts.live?.onTimeline((conversationId) => hub.pullConversation(conversationId));
  opts.live?.onTyping((notice) => hub.typing(notice.conversationId, notice));
  opts.live?.onAccountChanged((accountId, change) => {
    siteSettings.forget(accountId);
    if (change === 'settings') return;
    authenticate.forgetSiteKeys();
    if (change === 'site_key') hub.closeAccount(accountId);
  });
  opts.live?.onResync(() => {
    authenticate.forgetSiteKeys();
    siteSettings.forget();
    hub.pullAll();
  });

  const apiRouter = Router();
  apiRouter.use(createEventsRouter({ bridge: opts.bridge, hub, authenticate, limiters }));
  apiRouter.use(createUploadRouter({ bridge: opts.bridge, authenticate, limiters, maxBytes: limits.maxUploadBytes, idleTimeoutMs: opts.uploadIdleMs ?? 30_000 }));
  apiRouter.use(createSettingsRouter({ accounts: opts.accounts, siteSettings, limiters, maxUploadBytes: limits.maxUploadBytes }));
  apiRouter.use(createWebchatApiRouter({ bridge: opts.bridge, accounts: opts.accounts, siteSettings, tokens, authenticate, limiters, now: opts.now, ...(intakeGate ? { intakeGate } : {}) }));

  return {
    adapter,
    apiRouter,
    filesRouter: createFilesRouter({ bridge: opts.bridge }),
    async rotateSiteKey(accountId) {
      const key = await opts.accounts.rotateSiteKey(accountId);
      authenticate.forgetSiteKeys();
      // Their tokens no longer work: the pages reconnect, are refused, and start a new session.
      hub.closeAccount(accountId);
      return key;
    },
    settingsChanged: (accountId) => siteSettings.forget(accountId),
    eraseVisitor: createVisitorEraser(opts.bridge, (conversationId) => hub.closeConversation(conversationId)),
    openStreams: () => hub.size,
    limiterKeys: () => limiterKeys(limiters),
    stop: () => hub.closeAll(),
  };
}

export { DEFAULT_WEBCHAT_LIMITS, NO_LIMIT, type StreamLimits, type WebchatLimits, type WebchatLimitOverrides } from './limits.js';
export type { WebchatAccounts } from './visitor-auth.js';
