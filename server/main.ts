/**
 * Process entry: reads the configuration, opens the store, builds the services and the app,
 * listens, runs the job loop, and shuts down in order on SIGTERM/SIGINT: stop accepting, let
 * in-flight requests and the current job finish, commit acknowledged hooks, close the store.
 */
import 'dotenv/config';
import http from 'node:http';
import { createApp } from './app.js';
import { ConfigError, configSecrets, loadConfig, type Config } from './config/index.js';
import { createLogger } from './log.js';
import { closeServices, createServices } from './services.js';
import { openStore } from './store/index.js';

const FORCE_EXIT_MS = 15_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, secrets: configSecrets(config) });
  const store = await openStore(config.databaseUrl);
  const services = createServices({ config, store, logger });
  await services.start?.();
  const app = createApp(services);

  const server = http.createServer(app);
  // amoCRM waits 5 s for a hook answer; nothing we serve should hold a socket open for long,
  // except the event streams, which manage their own lifetime.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  services.jobRunner.start();
  logger.info({ host: config.host, port: config.port, sandbox: config.sandbox }, 'listening');
  const banner = config.sandbox
    ? `Sandbox running (no amoCRM credentials set): open ${config.publicUrl}/ in a browser. Listening on ${config.host}:${config.port}` +
      (config.host === '127.0.0.1' ? ' (this machine only; set HOST to listen elsewhere).' : '.')
    : `Chat channel backend running at ${config.publicUrl}`;
  process.stdout.write(`${banner}\n`);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, FORCE_EXIT_MS);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await services.stop?.();
    await closed;
    await closeServices(services);
    clearTimeout(force);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
