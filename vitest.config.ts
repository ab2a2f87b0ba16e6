import { defineConfig } from 'vitest/config';

/**
 * The integration files that reach the store through the app (bridge, job runner, routes,
 * webhook inbox, files, limits, accounts and settings). With TEST_DATABASE_URL set they run a
 * second time, as the `postgres` project, each backend on a fresh PostgreSQL database
 * (test/support/dialect.ts). The store's own contract files already cover both dialects; the
 * process-level SQLite files (crash, durability, CLI, main process) stay on SQLite, and so do the
 * files whose store paths these already cover (media downloads: files saved as in bridge-manager
 * and file-storage; metrics, health, errors: reads only).
 */
const POSTGRES_APP_TESTS = [
  'test/integration/amojo-webhook.test.ts',
  'test/integration/bridge-manager.test.ts',
  'test/integration/bridge-resilience.test.ts',
  'test/integration/bridge-visitor.test.ts',
  'test/integration/file-storage.test.ts',
  'test/integration/job-runner.test.ts',
  'test/integration/telegram-backlog.test.ts',
  'test/integration/webchat-api.test.ts',
  'test/integration/webchat-edge-limits.test.ts',
  'test/integration/widget-api.test.ts',
  'test/integration/widget-settings.test.ts',
];

const withPostgres = Boolean(process.env['TEST_DATABASE_URL']?.trim());

export default defineConfig({
  test: {
    environment: 'node',
    // The server serves the widget and the chat bubble only as built into dist/.
    globalSetup: ['./test/support/global-build.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['server/**/*.test.ts', 'test/**/*.test.ts', 'widget/**/*.test.ts'] } },
      ...(withPostgres ? [{ extends: true as const, test: { name: 'postgres', include: POSTGRES_APP_TESTS, env: { TEST_STORE: 'postgres' } } }] : []),
    ],
  },
});
