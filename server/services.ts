/**
 * Composition root: builds every service from the configuration and an open store. The one start-up
 * (runtime/bootstrap.ts) calls it for the process, the tests and the benchmarks alike, so tests run the
 * same wiring as production.
 */
import type { Config } from './config/index.js';
import type { Logger } from './log.js';
import type { Store } from './store/index.js';
import { createAmojoClient, type AmojoClient } from './amojo/client.js';
import { httpByteTransport, type ByteTransport } from './net/byte-transport.js';
import { observedTransport } from './net/observed-transport.js';
import { WEBHOOK_REFUSAL_REASONS, createWebhookIntake, type WebhookIntake } from './routes/amojo-webhook.js';
import { createMetrics, type Metrics } from './metrics/index.js';
import { timedJobHandlers } from './metrics/timed-job-handlers.js';
import { createJobRunner, type JobHandler, type JobRunner } from './bridge/job-runner.js';
import { createLoopLoad } from './http/loop-load.js';
import { createAmojoEmulator, type AmojoEmulator } from './sandbox/amojo/index.js';
import { isRetryable } from './errors.js';
import { JOB_BACKOFF, backoffDelay, retryAfterOf } from './net/retry.js';
import { amojoBaseUrlForHost } from './amojo/hosts.js';
import { createAmocrmClient, type AmocrmClient } from './amocrm/client.js';
import { accountDirectory, createInstaller, type Installer } from './amocrm/install.js';
import { accountTokenStore } from './amocrm/token-store.js';
import { createChannelGateway } from './amojo/channel-gateway.js';
import { createConnections, type Connections } from './bridge/connections.js';
import { createAmocrmEmulator, type AmocrmEmulator } from './sandbox/amocrm/index.js';
import { installSandboxAccount, startSandboxInstall } from './sandbox/install-sandbox-account.js';
import { createSandboxTelegram, type SandboxTelegram } from './sandbox/sandbox-telegram.js';
import { createBridge, type Bridge } from './bridge/index.js';
import { createChatsGateway } from './amojo/chats-gateway.js';
import { createWebchat, type Webchat, type WebchatLimitOverrides } from './platforms/webchat/index.js';
import { createBlobStore, createNotificationBus, filesDirFor } from './store/index.js';
import { createLiveChannels } from './store/notify/live.js';
import { createMediaFetch } from './net/media-fetch.js';
import { LIMIT_SWEEP_INTERVAL_MS, sharedLimitStore } from './store/shared-limit-store.js';
import { postgresFlexible, postgresLimiters, postgresSlots, postgresThrottles } from './http/limits/index.js';
import { createSharedPacing, sharedPacingOptions } from './amocrm/shared-pacing.js';
import { AMOCRM_RATE_LIMIT } from './amocrm/rate-limiter.js';
import { generateSecret } from './store/kv-repo.js';
import { HOOK_JOB_KIND } from './routes/amojo-webhook.js';
import { createChannelLinks } from './bridge/channel-links.js';
import { JOB_KINDS } from './bridge/job-kinds.js';
import { createTelegram, TELEGRAM_PLATFORM, type Telegram } from './platforms/telegram/index.js';

const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Webhooks per second from which a busy process answers them before processing them. */
const HOOK_BURST_PER_SECOND = 100;
/** Jobs of different conversations one instance runs side by side. */
const JOB_SLOTS = 64;
/** The event loop busy more than this share of the time: the process has no CPU to spare. */
const BUSY_LOOP = 0.5;

export interface ServiceOptions {
  config: Config;
  store: Store;
  logger: Logger;
  now?: () => number;
  /** Replaces the HTTP transport of the Chats API client (tests). */
  amojoTransport?: ByteTransport;
  /** Replaces the HTTP transport of the amoCRM REST/OAuth client (tests). */
  amocrmTransport?: ByteTransport;
  /** Job handlers that replace the built-in ones of the same kind (tests). */
  jobHandlers?: JobHandler[];
  /** Job runner tuning (tests use short delays). */
  jobs?: { pollMs?: number; leaseMs?: number; maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; workerId?: string; concurrency?: number };
  /**
   * Origins whose manager file links may be on a non-public address (tests' own loopback servers).
   * The sandbox adds its PUBLIC_URL origin itself; production allows none.
   */
  mediaOrigins?: string[];
  /** Where stored files go (default: `files/` beside the SQLite file). */
  filesDir?: string;
  /**
   * Website-chat tuning: rate limits (benchmarks lift them), stream heartbeat; the messages waiting
   * for amoCRM above which a busy process holds a visitor message's answer, and what counts as
   * busy (tests).
   */
  webchat?: { limits?: WebchatLimitOverrides; heartbeatMs?: number; uploadIdleMs?: number; backlogLimit?: number; busy?: () => boolean };
  /** Telegram tuning: the stored backlog above which webhook answers wait (tests make it small). */
  telegram?: { backlogLimit?: number };
}

export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
  now: () => number;
  amojo: AmojoClient;
  webhookIntake: WebhookIntake;
  jobRunner: JobRunner;
  /** Present in sandbox mode only. */
  sandbox:
    | {
        amojo: AmojoEmulator;
        amocrm: AmocrmEmulator;
        /** The Telegram Bot API emulator (`TELEGRAM_API_BASE_URL`), its ready bot and its user. */
        telegram: SandboxTelegram;
        installDefaultAccount(): Promise<void>;
        /** Settles once the install `start()` began has succeeded or given up, and the Telegram bot was attached again. */
        startupInstall(): Promise<void>;
      }
    | undefined;
  /** amoCRM REST + OAuth client (tokens, refresh, pacing). */
  amocrm: AmocrmClient;
  /** The connection lifecycle of each account's channel. */
  connections: Connections;
  /** Install of the integration (OAuth callback, sandbox start-up). */
  installer: Installer;
  /** Base URL of the Chats API for an account host (AMOJO_BASE_URL wins). */
  amojoBaseUrl(accountHost: string | null): string;
  /** The message bridge (conversations, messages, delivery statuses, files). */
  bridge: Bridge;
  /** The website chat platform (visitor API, event streams, files route). */
  webchat: Webchat;
  /** The Telegram platform; absent when its channel is not configured. */
  telegram: Telegram | undefined;
  /** The operator's metrics (`GET /metrics`). */
  metrics: Metrics;
  /** The admin saved an account's settings: this instance and every other read them afresh. */
  settingsChanged(accountId: number): void;
  /** The hourly clean-up, run once now: expired token ids, hook keys and rate-limit windows, files past retention. */
  housekeeping(): Promise<void>;
  /** Start-up work after the store is open (sandbox seeding, …); optional. */
  start?: () => Promise<void>;
  /** Closes long-lived resources (event streams, …) before the server closes; optional. */
  stop?: () => Promise<void>;
}

export function createServices(opts: ServiceOptions): Services {
  const { config, store, logger } = opts;
  const now = opts.now ?? Date.now;

  // Intake and bridge wake the job runner after they commit work; the runner is built after them.
  let wakeJobs = (): void => undefined;

  // Sources read at scrape time; the jobs' handlers and the website chat are built below.
  const metrics = createMetrics({
    jobCounts: () => store.jobCounts(),
    jobKinds: () => jobHandlers.map((h) => h.kind),
    openStreams: () => webchat.openStreams(),
    webhookRefusalReasons: WEBHOOK_REFUSAL_REASONS,
    onCollectError: (err) => logger.warn({ err }, 'metrics: reading job counts failed'),
  });

  const amojoTransport = observedTransport(opts.amojoTransport ?? httpByteTransport, (status, s) => metrics.upstreamCall('amojo', status, s));
  const amojo = createAmojoClient({ channelId: config.channel.id, channelSecret: config.channel.secret, transport: amojoTransport });
  // amoCRM registers one channel per chat type: the Telegram chats go through a channel of their own.
  const amojoTelegram = config.telegram
    ? createAmojoClient({ channelId: config.telegram.channel.id, channelSecret: config.telegram.channel.secret, transport: amojoTransport })
    : undefined;
  const channelClients = [
    { channelId: config.channel.id, amojo },
    ...(config.telegram && amojoTelegram ? [{ channelId: config.telegram.channel.id, amojo: amojoTelegram }] : []),
  ];

  // Other instances on the same database hear what happens here (events, typing, account changes).
  const bus = createNotificationBus(store.storeDb, (err) => logger.warn({ err }, 'notification bus problem'));
  const live = createLiveChannels(bus, (err) => logger.warn({ err }, 'sending a notification failed'));

  const webhookIntake = createWebhookIntake({
    channels: [
      { id: config.channel.id, secret: config.channel.secret, platform: 'webchat', isFirst: true },
      ...(config.telegram ? [{ id: config.telegram.channel.id, secret: config.telegram.channel.secret, platform: TELEGRAM_PLATFORM, isFirst: false }] : []),
    ],
    store,
    now,
    onStored: () => wakeJobs(),
    onAccepted: metrics.webhookAccepted,
    onRefused: metrics.webhookRefused,
  });

  // On PostgreSQL every instance counts against the same limits; on SQLite (one instance) in memory.
  const sharedLimits = sharedLimitStore(store.storeDb);
  const bridge = createBridge({
    store: store.bridge,
    ...(sharedLimits ? { throttles: postgresThrottles(sharedLimits) } : {}),
    gateway: createChatsGateway(channelClients, amojoBaseUrl),
    // Called from jobs only, once `amocrm` below exists; paced and refreshed like every amoCRM call.
    contacts: { updateChatContact: async (accountId, chatId, details) => void (await amocrm.contacts.syncChatContact(accountId, chatId, details)) },
    blobs: createBlobStore(store.storeDb, () => opts.filesDir ?? filesDirFor(config.databaseUrl), now),
    logger: logger.child({ module: 'bridge' }),
    now,
    publicUrl: config.publicUrl,
    hookJobKind: HOOK_JOB_KIND,
    wakeJobs: () => wakeJobs(),
    limits: { fileRetentionMs: config.filesRetentionDays * DAY_MS, fileQuotaBytes: config.filesQuotaBytes },
    // The sandbox's emulated amojo serves manager files from this backend's own (loopback) origin.
    fetchMedia: createMediaFetch({ allowedOrigins: [...(config.sandbox ? [new URL(config.publicUrl).origin] : []), ...(opts.mediaOrigins ?? [])] }),
    announce: live.announcer,
  });
  const loopLoad = createLoopLoad();
  const sendsTaken = new Set<() => void>();
  const { backlogLimit = JOB_SLOTS, busy = () => loopLoad.utilization() > BUSY_LOOP, ...webchatTuning } = opts.webchat ?? {};
  const webchat = createWebchat({
    bridge,
    // More clients' messages (of every platform) waiting for amoCRM than one instance runs at once,
    // while this process is saturated: delivery falls behind.
    delivery: { backlog: (cap) => store.jobQueue.unclaimed(JOB_KINDS.send, cap), busy, limit: backlogLimit, onTaken: (l) => sendsTaken.add(l) },
    ...(sharedLimits ? { limiterStore: postgresLimiters(sharedLimits) } : {}),
    accounts: {
      findBySiteKey: async (siteKey) => {
        const row = await store.accounts.getBySiteKey(siteKey);
        return row ? { accountId: row.id } : undefined;
      },
      siteKeyOf: async (accountId) => (await store.accounts.get(accountId))?.site_key ?? null,
      rotateSiteKey: async (accountId) => {
        const key = await store.accounts.rotateSiteKey(accountId);
        live.accountChanged(accountId, 'site_key');
        return key;
      },
      siteSettings: async (accountId) => {
        const [settings, account] = await Promise.all([store.settings.get(accountId), store.accounts.get(accountId)]);
        return { webchat: settings.webchat, identitySecret: settings.identitySecret, language: account?.language ?? null };
      },
    },
    tokenSecret: () => (config.appSecret ? Promise.resolve(config.appSecret) : store.kv.getOrCreate('app_secret', generateSecret)),
    now,
    onError: (err) => logger.error({ err }, 'website chat event stream failed'),
    live: live.feed,
    ...webchatTuning,
  });
  bridge.registerPlatform(webchat.adapter);

  // Connections on the channels beyond the first; the account's amojo_id is the one its install gave.
  const channelLinks = createChannelLinks({
    rows: store.channelLinks,
    accountOf: async (accountId) => {
      const row = await store.accounts.get(accountId);
      if (!row?.refresh_token && !row?.amojo_id) return undefined;
      const amojoId = row.amojo_id ?? (await accountDirectory(amocrm).getAccount(accountId)).amojoId;
      return amojoId ? { host: row.host, amojoId } : undefined;
    },
    onChange: (accountId) => connectionChanged(accountId),
  });
  const telegram = config.telegram && amojoTelegram
    ? createTelegram({
        bridge,
        link: channelLinks.forPlatform(
          TELEGRAM_PLATFORM,
          createChannelGateway({ amojo: amojoTelegram, baseUrlFor: amojoBaseUrl, title: config.telegram.channel.title }),
          config.telegram.channel.title,
        ),
        inbox: { record: (entry) => webhookIntake.record(entry), backlog: (jobKind, cap) => store.jobQueue.backlog(jobKind, cap) },
        apiRoot: config.telegram.apiBaseUrl,
        publicUrl: config.publicUrl,
        sealingSecret: () => (config.appSecret ? Promise.resolve(config.appSecret) : store.kv.getOrCreate('app_secret', generateSecret)),
        now,
        ...(sharedLimits ? { slots: postgresSlots(sharedLimits) } : {}),
        logger: logger.child({ module: 'telegram' }),
        live: live.feed,
        ...opts.telegram,
      })
    : undefined;
  if (telegram) bridge.registerPlatform(telegram.adapter);

  const jobHandlers = timedJobHandlers(withOverrides([...builtInJobHandlers(bridge), ...(telegram?.jobHandlers ?? [])], opts.jobHandlers ?? []), metrics);
  const { baseDelayMs = JOB_BACKOFF.baseDelayMs, maxDelayMs = JOB_BACKOFF.maxDelayMs, ...runnerTuning } = opts.jobs ?? {};
  const jobRunner = createJobRunner({
    jobs: store.jobQueue,
    handlers: jobHandlers,
    logger: logger.child({ module: 'jobs' }),
    now,
    isRetryable,
    retryDelay: (attempt, err) => backoffDelay({ baseDelayMs, maxDelayMs }, attempt, retryAfterOf(err)),
    // Jobs of different conversations run side by side; 64 keeps many visitors' messages moving at once.
    concurrency: JOB_SLOTS,
    // A burst of webhooks (a broadcast to many chats) that saturates the process is answered
    // first and processed right after; a steady flow the process can carry is processed as it comes.
    shouldYield: () => webhookIntake.hookRate() >= HOOK_BURST_PER_SECOND && loopLoad.utilization() > BUSY_LOOP,
    // Under a steady flow, one claim per 3 ms fills all the slots freed meanwhile: about a third
    // fewer claims (each a scan of the ready jobs) for at most 3 ms more before a job starts.
    claimGapMs: 3,
    ...runnerTuning,
  });
  wakeJobs = () => jobRunner.wake();
  // A send this process is done with (sent, parked, or lost to another instance) leaves the backlog.
  jobRunner.onJobFinished((e) => {
    if (e.kind === JOB_KINDS.send && e.outcome !== 'retry') for (const l of sendsTaken) l();
  });

  const amocrm = createAmocrmClient({
    ...config.oauth,
    apiBaseUrl: config.amoApiBaseUrl,
    tokens: accountTokenStore(store.accounts),
    ...(sharedLimits ? { limiter: createSharedPacing(postgresFlexible(sharedLimits, sharedPacingOptions(AMOCRM_RATE_LIMIT))) } : {}),
    now,
    transport: observedTransport(opts.amocrmTransport ?? httpByteTransport, (status, s) => metrics.upstreamCall('amocrm', status, s)),
  });
  const connections = createConnections({
    accounts: store.accounts,
    channel: createChannelGateway({ amojo, baseUrlFor: amojoBaseUrl, title: config.channel.title }),
    directory: accountDirectory(amocrm),
    defaultTitle: config.channel.title,
    onChange: (accountId) => connectionChanged(accountId),
    // The website chat's key exists once the account is connected: its snippet is shown right away.
    onConnected: async (accountId) => void (await store.accounts.ensureSiteKey(accountId)),
  });
  function connectionChanged(accountId: number): void {
    forgetAccountCaches();
    live.accountChanged(accountId, 'connection');
    // A (re)connected account imports what its clients wrote meanwhile.
    bridge.resumeHeldMessages().catch((err: unknown) => logger.error({ err }, 'importing waiting messages failed'));
  }
  // Caches of accounts: dropped at once for a change here, on another instance, or one that may have been missed.
  function forgetAccountCaches(): void {
    webhookIntake.invalidateScope();
    bridge.forgetAccounts();
  }
  // A settings change elsewhere leaves the connection alone: only the bridge's accounts (which carry the
  // chosen pipelines' sources) are read again; the platforms' caches of settings subscribe themselves.
  live.feed.onAccountChanged((_accountId, change) => (change === 'settings' ? bridge.forgetAccounts() : forgetAccountCaches()));
  live.feed.onResync(forgetAccountCaches);
  const installer = createInstaller({ amocrm, tokens: accountTokenStore(store.accounts), accounts: store.accounts, connections });

  const amocrmEmulator = config.sandbox ? createAmocrmEmulator({ ...config.oauth, revokeHookUri: `${config.publicUrl}/oauth/revoked`, now }) : undefined;
  const sandboxInstall = amocrmEmulator ? { emulator: amocrmEmulator, installer, logger: logger.child({ module: 'sandbox' }) } : undefined;
  let sandboxStartup: ReturnType<typeof startSandboxInstall> | undefined;
  let sandboxReady: Promise<void> | undefined;
  let housekeeping: NodeJS.Timeout | undefined;
  let limitSweep: NodeJS.Timeout | undefined;

  const sandbox = config.sandbox
    ? {
        amojo: createAmojoEmulator({
          channels: [
            {
              id: config.channel.id,
              secret: config.channel.secret,
              code: config.channel.code,
              ...(config.channel.botId ? { botId: config.channel.botId } : {}),
              title: config.channel.title,
              webhookUrl: `${config.publicUrl}/amojo/webhook/:scope_id`,
            },
            ...(config.telegram
              ? [
                  {
                    id: config.telegram.channel.id,
                    secret: config.telegram.channel.secret,
                    code: config.telegram.channel.code,
                    ...(config.telegram.channel.botId ? { botId: config.telegram.channel.botId } : {}),
                    title: config.telegram.channel.title,
                    webhookUrl: `${config.publicUrl}/amojo/webhook/:scope_id`,
                  },
                ]
              : []),
          ],
          publicUrl: `${config.publicUrl}/sandbox/amojo`,
          leadPipeline: (amojoId, externalId) => amocrmEmulator!.leadPipeline(amojoId, externalId),
          onLeadOpened: (amojoId, chatId, client) => void amocrmEmulator!.chatLeadOpened(amojoId, chatId, client),
        }),
        amocrm: amocrmEmulator!,
        telegram: createSandboxTelegram(),
        installDefaultAccount: () => installSandboxAccount(sandboxInstall!),
        startupInstall: () => sandboxReady ?? Promise.resolve(),
      }
    : undefined;

  // Chats may be linked to contacts only when they are the channel's chats in that account.
  sandbox?.amocrm.useChatDirectory((amojoId, chatId) =>
    sandbox.amojo.connections().some((c) => c.accountId === amojoId && sandbox.amojo.chats(c.scopeId).some((chat) => chat.id === chatId)),
  );

  // The limiter stamps windows with the real clock, whatever `now` the services were given.
  const purgeLimitWindows = async (): Promise<void> => void (await sharedLimits?.purgeExpired(Date.now()));
  /**
   * The emulated Telegram forgot the bot's webhook at the restart (and the emulated amojo the
   * account's Telegram channel): the bot the account had is attached again. Sandbox only: in
   * production both live at Telegram and amoCRM and survive our restarts.
   */
  async function reattachSandboxBot(): Promise<void> {
    if (!telegram || !amocrmEmulator) return;
    const accountId = amocrmEmulator.defaultAccountId();
    try {
      if (await telegram.reattachBot(accountId)) logger.info({ accountId }, 'sandbox: Telegram bot attached again');
    } catch (err) {
      logger.warn({ accountId, err: err instanceof Error ? err.message : 'error' }, 'sandbox: the Telegram bot could not be attached again; connect it in the widget settings');
    }
  }

  async function runHousekeeping(): Promise<void> {
    const purged = await store.purgeExpired();
    if (purged.promotedJobs > 0) logger.warn({ jobs: purged.promotedJobs }, 'queued jobs had nothing ahead of them and were made claimable');
    await purgeLimitWindows();
    const expired = await bridge.files.purgeExpired();
    if (expired.files > 0) logger.info(expired, 'files past retention deleted');
    const abandoned = await bridge.files.removeAbandoned();
    if (abandoned > 0) logger.info({ blobs: abandoned }, 'bytes of unfinished uploads deleted');
  }

  function amojoBaseUrl(accountHost: string | null): string {
    if (config.amojoBaseUrl) return config.amojoBaseUrl;
    if (!accountHost) throw new Error('account host unknown: cannot derive the amojo host');
    return amojoBaseUrlForHost(accountHost);
  }

  return {
    config,
    store,
    logger,
    now,
    amojo,
    webhookIntake,
    jobRunner,
    sandbox,
    amocrm,
    connections,
    installer,
    amojoBaseUrl,
    bridge,
    webchat,
    telegram,
    metrics,
    settingsChanged(accountId) {
      webchat.settingsChanged(accountId);
      bridge.forgetAccounts();
      live.accountChanged(accountId, 'settings');
    },
    housekeeping: runHousekeeping,
    async start() {
      bridge.start();
      housekeeping = setInterval(() => {
        runHousekeeping().catch((err: unknown) => logger.error({ err }, 'housekeeping failed'));
      }, HOUSEKEEPING_INTERVAL_MS);
      housekeeping.unref();
      if (sharedLimits) {
        limitSweep = setInterval(() => {
          purgeLimitWindows().catch((err: unknown) => logger.warn({ err }, 'deleting expired rate-limit windows failed'));
        }, LIMIT_SWEEP_INTERVAL_MS);
        limitSweep.unref();
      }
      // Sandbox: the emulated account is installed and connected once the server answers.
      if (sandboxInstall) {
        sandboxStartup = startSandboxInstall(sandboxInstall);
        sandboxReady = sandboxStartup.done.then(reattachSandboxBot);
      }
    },
    async stop() {
      clearInterval(housekeeping);
      clearInterval(limitSweep);
      sandboxStartup?.stop();
      webchat.stop();
      metrics.stop();
      await bridge.stop();
      await bus.close();
    },
  };
}

/** The built-in job handlers; each subsystem adds its own here. */
function builtInJobHandlers(bridge: Bridge): JobHandler[] {
  return [...bridge.jobHandlers];
}

function withOverrides(builtIn: JobHandler[], overrides: JobHandler[]): JobHandler[] {
  const kinds = new Set(overrides.map((h) => h.kind));
  return [...builtIn.filter((h) => !kinds.has(h.kind)), ...overrides];
}
