/**
 * The one start-up and shutdown of the backend, used by the process entry (main.ts), the test harness and
 * the benchmarks' child processes, so that each runs the wiring production runs. Start: open the store,
 * build the services, run their start-up work, serve HTTP, start the job runner. Stop: the ordered steps
 * of `stopBackend`. Signals and the force-exit deadline belong to the process entry only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestListener } from '../app.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { createServices, type ServiceOptions, type Services } from '../services.js';
import { openStore } from '../store/index.js';
import { runShutdownSteps, type ShutdownStep } from './shutdown.js';

export interface BackendOptions {
  config: Config;
  logger: Logger;
  /** Test and benchmark tuning passed to `createServices`. */
  serviceOptions?: Partial<Omit<ServiceOptions, 'config' | 'store' | 'logger'>>;
  /**
   * A server already listening (the test harness takes its port before the configuration is built, so
   * PUBLIC_URL is the real one). Without it, one is created on the configured host and port.
   */
  server?: http.Server;
  /** Run the services' start-up work (housekeeping, sandbox install, held messages); default true. */
  runStartupWork?: boolean;
  /** Start the job runner; default true. */
  startJobs?: boolean;
  /** Keep-alive of idle client connections; load generators that reuse connections want it longer. */
  keepAliveTimeoutMs?: number;
}

export interface Backend {
  services: Services;
  server: http.Server;
  /** Where the server listens, as `http://host:port`. */
  listenUrl: string;
  /**
   * Stops in order; resolves with the names of the steps that failed (each logged). `dropConnections`
   * closes open connections at once instead of letting requests in progress finish (tests).
   */
  stop(opts?: { dropConnections?: boolean }): Promise<string[]>;
}

/** amoCRM waits 5 s for a hook answer; nothing we serve should hold a socket for long, except event streams. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export async function startBackend(opts: BackendOptions): Promise<Backend> {
  const { config, logger } = opts;
  const store = await openStore(config.databaseUrl);
  const services = createServices({ config, store, logger, ...opts.serviceOptions });
  try {
    if (opts.runStartupWork !== false) await services.start?.();
    const server = opts.server ?? http.createServer();
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS;
    server.on('request', createRequestListener(services));
    if (!server.listening) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
    if (opts.startJobs !== false) services.jobRunner.start();
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      services,
      server,
      listenUrl: `http://${host}:${address.port}`,
      stop: (stopOpts = {}) => stopBackend(services, server, stopOpts.dropConnections ?? false),
    };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}

async function stopBackend(services: Services, server: http.Server, dropConnections: boolean): Promise<string[]> {
  let closed: Promise<void> = Promise.resolve();
  const steps: ShutdownStep[] = [
    {
      name: 'stop accepting connections',
      run() {
        closed = new Promise<void>((resolve) => server.close(() => resolve()));
        if (dropConnections) server.closeAllConnections();
        else server.closeIdleConnections();
      },
    },
    // Event streams never end by themselves: they are closed before waiting for requests to finish.
    { name: 'close event streams and timers', run: () => services.stop?.() },
    { name: 'finish requests in progress', run: () => closed },
    { name: 'finish running jobs or hand them back', run: () => services.jobRunner.stop() },
    { name: 'commit acknowledged hooks', run: () => services.webhookIntake.drain() },
    { name: 'close the store', run: () => services.store.close() },
  ];
  return runShutdownSteps(steps, services.logger);
}
