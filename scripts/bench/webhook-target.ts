/**
 * Child process for the webhook-ingest benchmark. `ours`: the real backend (SQLite in a temp
 * folder, one connected account, job runner on). `bare`: an Express route that answers 200.
 * Prints `READY <url> <scope_id> <secret>` lines for the parent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config/index.js';
import { silentLogger } from '../../server/log.js';
import { createServices } from '../../server/services.js';
import { openStore } from '../../server/store/index.js';

export const BENCH_SCOPE = 'bench-channel_bench-account';

const mode = process.argv[2];

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function main(): Promise<void> {
  if (mode === 'bare') {
    const app = express();
    app.post('/amojo/webhook/:scope_id', (_req, res) => {
      res.status(200).json({ status: 'ok' });
    });
    const { url } = await listen(app);
    process.stdout.write(`READY ${url}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-webhook-'));
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const config = loadConfig({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`, LOG_LEVEL: 'silent' });
  const store = await openStore(config.databaseUrl);
  const services = createServices({ config, store, logger: silentLogger() });
  await store.accounts.setConnection(1, 'connected', { scope_id: BENCH_SCOPE, amojo_id: 'bench-account' });
  server.on('request', createApp(services));
  server.keepAliveTimeout = 30_000;
  if (process.env['BENCH_NO_JOBS'] !== '1') services.jobRunner.start();
  process.stdout.write(`READY http://127.0.0.1:${port}\n`);
  process.on('SIGTERM', () => {
    void (async () => {
      server.closeAllConnections();
      server.close();
      await services.jobRunner.stop();
      await services.webhookIntake.drain();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}

void main();
