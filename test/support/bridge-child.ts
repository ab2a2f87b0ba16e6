/**
 * Test-only entry: the real backend in its own process (crash tests, benchmarks), with one
 * connected account seeded through the real connect call against AMOJO_BASE_URL (an emulator
 * that outlives this process). Configured by the usual environment variables plus:
 *   SEED_ACCOUNT_AMOJO_ID   the account's amojo id to connect (once; a restart finds it connected)
 *   JOB_LEASE_MS            job lease (short, so a restart takes over a killed process's jobs fast)
 *   WEBCHAT_NO_LIMITS=1     lift the website-chat rate limits (load from one address)
 *   NO_JOB_RUNNER=1         run no jobs (another instance on the same database runs them)
 *   SEED_TELEGRAM_BOT_TOKEN connect this bot to the account (with the AMOJO_TELEGRAM_* channel set)
 * Prints `READY <url> <site key> <scope id>` once it serves; SIGTERM stops it in order. On stdin,
 * `disconnect` / `connect` change the account's connection and answer `DISCONNECTED` / `CONNECTED`;
 * `rotate` replaces the site key and answers `ROTATED`; `title <text>` saves the bubble's title as the
 * settings route does and answers `SAVED`; `telegram-disconnect` lets the bot go as
 * `DELETE /widget/telegram` does and answers `TELEGRAM_DISCONNECTED`.
 */
import { loadConfig } from '../../server/config/index.js';
import { createLogger } from '../../server/log.js';
import { NO_LIMIT } from '../../server/platforms/webchat/index.js';
import { startBackend } from '../../server/runtime/bootstrap.js';

const ACCOUNT_ID = 777;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, secrets: [config.channel.secret] });
  const noLimits = process.env['WEBCHAT_NO_LIMITS'] === '1';
  const serviceOptions = {
    jobs: { ...(process.env['JOB_LEASE_MS'] ? { leaseMs: Number(process.env['JOB_LEASE_MS']) } : {}), pollMs: 100, baseDelayMs: 100, maxDelayMs: 1000 },
    ...(noLimits
      ? {
          webchat: {
            limits: {
              sessions: { perIp: NO_LIMIT, perSite: NO_LIMIT },
              messages: { perIp: NO_LIMIT, perSite: NO_LIMIT, perConversation: NO_LIMIT },
              uploads: { perIp: NO_LIMIT, perSite: NO_LIMIT },
              typing: { perIp: NO_LIMIT, perSite: NO_LIMIT },
              actions: { perIp: NO_LIMIT },
            },
          },
        }
      : {}),
  };
  const backend = await startBackend({ config, logger, serviceOptions, keepAliveTimeoutMs: 30_000, startJobs: process.env['NO_JOB_RUNNER'] !== '1' });
  const { services } = backend;
  const { store } = services;

  let account = await store.accounts.get(ACCOUNT_ID);
  if (account?.connection_state !== 'connected') {
    const amojoId = process.env['SEED_ACCOUNT_AMOJO_ID'];
    if (!amojoId) throw new Error('SEED_ACCOUNT_AMOJO_ID is required on first start');
    await services.connections.connect(ACCOUNT_ID, { amojoId, amojoIdFromAmocrm: true });
    account = await store.accounts.get(ACCOUNT_ID);
  }
  const siteKey = await store.accounts.ensureSiteKey(ACCOUNT_ID);
  const botToken = process.env['SEED_TELEGRAM_BOT_TOKEN'];
  if (botToken && services.telegram) await services.telegram.connectBot(ACCOUNT_ID, botToken);
  process.stdout.write(`READY ${config.publicUrl} ${siteKey} ${account?.scope_id ?? ''}\n`);

  process.stdin.on('data', (chunk: Buffer) => {
    // `rss`: the parent asks for this process's resident memory; `memory`: all of process.memoryUsage();
    // `cpu`: the CPU time this process has used so far, µs (user + system).
    const cmd = chunk.toString().trim();
    if (cmd === 'rss') process.stdout.write(`${process.memoryUsage().rss}\n`);
    if (cmd === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.stdout.write(`${user + system}\n`);
    }
    if (cmd === 'memory') process.stdout.write(`${JSON.stringify(process.memoryUsage())}\n`);
    if (cmd.startsWith('title ')) {
      void store.settings.save(ACCOUNT_ID, { webchat: { title: cmd.slice(6) } }).then(() => {
        services.settingsChanged(ACCOUNT_ID);
        process.stdout.write('SAVED\n');
      });
    }
    if (cmd === 'telegram-disconnect') void services.telegram?.disconnectBot(ACCOUNT_ID).then(() => process.stdout.write('TELEGRAM_DISCONNECTED\n'));
    if (cmd === 'rotate') void services.webchat.rotateSiteKey(ACCOUNT_ID).then(() => process.stdout.write('ROTATED\n'));
    if (cmd === 'disconnect') void services.connections.disconnect(ACCOUNT_ID).then(() => process.stdout.write('DISCONNECTED\n'));
    if (cmd === 'connect') {
      const amojoId = account?.amojo_id ?? '';
      void services.connections.connect(ACCOUNT_ID, { amojoId, amojoIdFromAmocrm: true }).then(() => process.stdout.write('CONNECTED\n'));
    }
  });
  process.on('SIGTERM', () => {
    void backend.stop({ dropConnections: true }).then((failed) => process.exit(failed.length > 0 ? 1 : 0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bridge-child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
