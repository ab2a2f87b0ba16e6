/**
 * Child process for the webhook-ingest benchmark. `ours`: the real backend in sandbox mode
 * (SQLite in a temp folder, job runner on), with the sandbox account installed and a set of real
 * website-chat conversations, so every hook is processed the way production processes it.
 * `bare`: an Express route that answers 200. Prints `READY <url> [<scope_id> <json conversations>]`.
 * On stdin, `cpu` is answered with the CPU time the process has used so far, µs (user + system).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { loadConfig } from '../../server/config/index.js';
import { silentLogger } from '../../server/log.js';
import { NO_LIMIT } from '../../server/platforms/webchat/limits.js';
import { startBackend } from '../../server/runtime/bootstrap.js';

/** A conversation hooks can address: amojo's chat id, ours, and the visitor's amojo id. */
export interface BenchConversation {
  amojoChatId: string;
  conversationId: string;
  visitorAmojoId: string | null;
}

const CONVERSATIONS = 50;
const mode = process.argv[2];

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function post(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

function answerCpuQueries(): void {
  process.stdin.on('data', (chunk: Buffer) => {
    if (chunk.toString().trim() !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${user + system}\n`);
  });
}

async function main(): Promise<void> {
  answerCpuQueries();
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
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({ PUBLIC_URL: url, DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`, LOG_LEVEL: 'silent' });
  const backend = await startBackend({
    config,
    logger: silentLogger(),
    server,
    keepAliveTimeoutMs: 30_000,
    // The account is installed below, once, rather than by the sandbox's start-up retries.
    runStartupWork: false,
    serviceOptions: { webchat: { limits: { sessions: { perIp: NO_LIMIT, perSite: NO_LIMIT }, messages: { perIp: NO_LIMIT, perSite: NO_LIMIT, perConversation: NO_LIMIT } } } },
  });
  const { services } = backend;
  const { store } = services;
  await services.sandbox!.installDefaultAccount();

  // Real conversations: a visitor session and a first message each, delivered to the emulator.
  const account = (await store.accounts.listConnected())[0]!;
  const conversations: BenchConversation[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const session = await post(`${url}/webchat/v1/sessions`, { site_key: account.site_key, name: `Visitor ${i}` });
    await post(`${url}/webchat/v1/messages`, { client_msgid: `hello-${i}`, text: 'Hello' }, String(session['visitor_token']));
  }
  for (let tries = 0; conversations.length < CONVERSATIONS && tries < 200; tries++) {
    await new Promise((r) => setTimeout(r, 50));
    const rows = await store.storeDb.db.selectFrom('conversations').selectAll().where('amojo_chat_id', 'is not', null).execute();
    conversations.splice(0, conversations.length, ...rows.map((r) => ({ amojoChatId: r.amojo_chat_id!, conversationId: r.id, visitorAmojoId: r.amojo_participant_id })));
  }
  if (conversations.length < CONVERSATIONS) throw new Error('conversations were not created in time');
  process.stdout.write(`READY ${url} ${account.scope_id} ${JSON.stringify(conversations)}\n`);

  process.on('SIGTERM', () => {
    void backend.stop({ dropConnections: true }).then((failed) => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(failed.length > 0 ? 1 : 0);
    });
  });
}

void main();
