/**
 * Telegram: each account's bot as a chat channel of its own (the second amoCRM channel). It owns
 * the bot connection (`/widget/telegram`), the webhook Telegram posts updates to, the update job,
 * and the adapter that sends managers' messages with the Bot API. It talks only to the bridge
 * (never to amojo or the store: the channel link, the inbox and the widget checks come in as
 * interfaces) and imports no other platform.
 */
import type { Router } from 'express';
import type { LaneRoute } from '../../http/fast-lane.js';
import type { Bridge, ChannelLink, LiveFeed } from '../../bridge/index.js';
import type { JobHandler } from '../../bridge/job-runner.js';
import type { Logger } from '../../log.js';
import { createTelegramAdapter, type TelegramAdapter } from './adapter.js';
import { createBacklogGate } from '../../http/backlog-gate.js';
import { createBotDirectory } from './bots.js';
import { createPacer, memorySlots, type SlotFactory } from './pacing.js';
import { createSecretBox } from './secret-box.js';
import { createUpdateJob, UPDATE_JOB_KIND } from './update-job.js';
import { createWebhookRouter, telegramWebhookLane, type UpdateInbox } from './webhook-route.js';
import { connectBot, createWidgetTelegramRouter, disconnectBot, reattachBot, type WidgetGuard } from './widget-route.js';

export interface TelegramOptions {
  bridge: Bridge;
  /** The account's connection on the Telegram channel. */
  link: ChannelLink;
  inbox: UpdateInbox;
  /** Bot API root (TELEGRAM_API_BASE_URL). */
  apiRoot: string;
  publicUrl: string;
  /** The secret bot tokens are sealed with (APP_SECRET or the generated one). */
  sealingSecret: () => Promise<string>;
  now: () => number;
  /** Where the flood-limit slots live: shared by the instances on PostgreSQL; in memory without. */
  slots?: SlotFactory;
  logger: Logger;
  /** What other instances on the same database announce (absent: this is the only instance). */
  live?: LiveFeed;
  /** Stored updates not yet processed above which webhook answers wait (default `BACKLOG_LIMIT`). */
  backlogLimit?: number;
}

/**
 * About a fifth of a second of updates at the rate one instance processes them: enough that the jobs
 * always have work in hand, little enough that a flood does not pile up in the store.
 */
export const BACKLOG_LIMIT = 200;

export interface Telegram {
  adapter: TelegramAdapter;
  /** Mount at the root: `POST /telegram/webhook/:bot_id`. */
  webhookRouter: Router;
  /** The same webhook route in the fast lane in front of Express (server/http/fast-lane.ts). */
  webhookLane: LaneRoute;
  /** Mount at the root: `POST` / `DELETE /widget/telegram`. */
  widgetRouter(guard: WidgetGuard, statusAnswer: (accountId: number) => Promise<unknown>): Router;
  jobHandlers: JobHandler[];
  /** What `POST /widget/telegram` does after its checks (the sandbox and the benchmarks seed a bot with it). */
  connectBot(accountId: number, botToken: string): Promise<void>;
  /** What `DELETE /widget/telegram` does after its checks. */
  disconnectBot(accountId: number): Promise<void>;
  /** The account's stored bot attached again (the sandbox's emulators after a restart); false without one. */
  reattachBot(accountId: number): Promise<boolean>;
  /** The `telegram` field of the widget's status answer. */
  widgetStatus(accountId: number): Promise<{ connected: boolean; scope_id: string | null; bot_username: string | null }>;
}

export function createTelegram(opts: TelegramOptions): Telegram {
  const apiRoot = opts.apiRoot.replace(/\/+$/, '');
  const box = createSecretBox(opts.sealingSecret);
  const bots = createBotDirectory(opts.link, box, opts.now);
  // A bot connected or let go on another instance: its webhook is accepted or refused here at once.
  opts.live?.onAccountChanged((_accountId, change) => change === 'connection' && bots.forget());
  opts.live?.onResync(() => bots.forget());
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const pacer = createPacer(opts.slots ?? memorySlots(opts.now), sleep);
  const adapter = createTelegramAdapter({ bridge: opts.bridge, bots, apiRoot, pacer, logger: opts.logger, sleep });
  const publicUrl = opts.publicUrl.replace(/\/+$/, '');
  const botDeps = { link: opts.link, bots, box, apiRoot, publicUrl, logger: opts.logger };
  const gate = createBacklogGate({
    backlog: (cap) => opts.inbox.backlog(UPDATE_JOB_KIND, cap),
    limit: opts.backlogLimit ?? BACKLOG_LIMIT,
    maxHoldMs: 5_000,
    recheckMs: 50,
    now: opts.now,
    sleep,
  });
  const intake = { bots, inbox: opts.inbox, gate };
  return {
    adapter,
    webhookRouter: createWebhookRouter(intake),
    webhookLane: telegramWebhookLane(intake),
    widgetRouter: (guard, statusAnswer) => createWidgetTelegramRouter({ ...botDeps, guard, statusAnswer }),
    connectBot: (accountId, botToken) => connectBot(botDeps, accountId, botToken),
    disconnectBot: (accountId) => disconnectBot(botDeps, accountId),
    reattachBot: (accountId) => reattachBot(botDeps, accountId),
    jobHandlers: [createUpdateJob({ bridge: opts.bridge, bots, apiRoot, logger: opts.logger })],
    async widgetStatus(accountId) {
      const view = await opts.link.status(accountId);
      const username = typeof view.data['username'] === 'string' ? view.data['username'] : null;
      return { connected: view.connected, scope_id: view.scopeId, bot_username: view.connected ? username : null };
    },
  };
}

export { TELEGRAM_PLATFORM } from './adapter.js';
export type { WidgetGuard } from './widget-route.js';
export type { UpdateInbox } from './webhook-route.js';
export { createPacer, memorySlots, type Pacer, type SlotFactory } from './pacing.js';
