/**
 * Process entry: reads the configuration, starts the backend (runtime/bootstrap.ts) and stops it in order
 * on SIGTERM/SIGINT, exiting by force if the orderly stop outlasts FORCE_EXIT_MS.
 */
import 'dotenv/config';
import { ConfigError, configSecrets, loadConfig, type Config } from './config/index.js';
import { createLogger } from './log.js';
import { startBackend } from './runtime/bootstrap.js';
import { FORCE_EXIT_MS } from './runtime/shutdown.js';

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
  const backend = await startBackend({ config, logger });
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
    logger.info({ signal, forceExitMs: FORCE_EXIT_MS }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ forceExitMs: FORCE_EXIT_MS }, 'shutdown took too long; exiting');
      process.exit(1);
    }, FORCE_EXIT_MS);
    force.unref();
    const failed = await backend.stop();
    clearTimeout(force);
    logger.info({ failedSteps: failed }, 'stopped');
    process.exit(failed.length > 0 ? 1 : 0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
