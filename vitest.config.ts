import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'test/**/*.test.ts', 'widget/**/*.test.ts'],
    environment: 'node',
    // The server serves the widget and the chat bubble only as built into dist/.
    globalSetup: ['./test/support/global-build.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
