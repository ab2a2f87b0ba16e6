/**
 * Starts the real backend for tests: sandbox mode (both emulators in-process), a fresh database
 * (a SQLite file in a temp folder; a PostgreSQL database in the `postgres` project, see
 * dialect.ts), listening on 127.0.0.1 with a free port. The port is taken before the configuration
 * is built, so PUBLIC_URL and the emulator URLs are the real ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../server/config/index.js';
import { silentLogger, type Logger } from '../../server/log.js';
import { startBackend } from '../../server/runtime/bootstrap.js';
import type { ServiceOptions, Services } from '../../server/services.js';
import { createTestPostgresDatabase, dropTestDatabase, testDialect } from './dialect.js';

export interface TestBackend {
  url: string;
  config: Config;
  services: Services;
  /** The database (SQLite file or PostgreSQL database), to start a second backend on the same data. */
  databaseUrl: string;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export interface TestBackendOptions {
  env?: Record<string, string>;
  /** Reuse an existing database (restart scenarios). */
  databaseUrl?: string;
  /** Start the job runner loop (default true). */
  startJobs?: boolean;
  serviceOptions?: Partial<Omit<ServiceOptions, 'config' | 'store' | 'logger'>>;
  /** Where the backend logs (default: nowhere). */
  logger?: Logger;
}

export async function startTestBackend(opts: TestBackendOptions = {}): Promise<TestBackend> {
  const dir = opts.databaseUrl || testDialect === 'postgres' ? undefined : mkdtempSync(join(tmpdir(), 'amojo-channel-test-'));
  const databaseUrl = opts.databaseUrl ?? (dir ? `sqlite:${join(dir, 'app.sqlite')}` : await createTestPostgresDatabase());

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const config = loadConfig({ PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', ...opts.env });
  const backend = await startBackend({
    config,
    logger: opts.logger ?? silentLogger(),
    server,
    // The tests drive start-up work (sandbox install, held messages) themselves.
    runStartupWork: false,
    startJobs: opts.startJobs !== false,
    serviceOptions: { ...opts.serviceOptions, jobs: { pollMs: 50, baseDelayMs: 50, maxDelayMs: 400, ...opts.serviceOptions?.jobs } },
  });

  return {
    url,
    config,
    services: backend.services,
    databaseUrl,
    async stop(stopOpts = {}) {
      const failed = await backend.stop({ dropConnections: true });
      if (!stopOpts.keepData) {
        if (dir) rmSync(dir, { recursive: true, force: true });
        // A restart on the same PostgreSQL database takes over dropping it.
        await dropTestDatabase(databaseUrl);
      }
      if (failed.length > 0) throw new Error(`shutdown steps failed: ${failed.join(', ')}`);
    },
  };
}
