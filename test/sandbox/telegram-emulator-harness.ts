/**
 * Test harness for the Telegram Bot API emulator: an emulator mounted under `/sandbox/telegram` in an
 * express app on 127.0.0.1:0, a hand-driven clock and scheduler (webhook retries and long polls run
 * when the test advances time), a Bot API client that sends parameters as JSON, form, query string or
 * multipart, and a webhook receiver.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createTelegramEmulator, type BotApiUser, type BotRecord, type TelegramEmulator, type TelegramEmulatorOptions } from '../../server/sandbox/telegram/index.js';

export const PREFIX = '/sandbox/telegram';

export interface ApiAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  // The emulator answers JSON; tests read the fields they check.
  body: { ok: boolean; result?: any; error_code?: number; description?: string; parameters?: { retry_after?: number } };
}

export type Encoding = 'json' | 'form' | 'query' | 'multipart';

export interface Upload {
  field: string;
  bytes: Buffer;
  fileName?: string;
  mimeType?: string;
}

class ManualScheduler {
  #tasks: Array<{ at: number; run: () => void; isCancelled: boolean }> = [];
  constructor(private readonly clock: { now: number }) {}
  readonly schedule = (run: () => void, delayMs: number) => {
    const task = { at: this.clock.now + delayMs, run, isCancelled: false };
    this.#tasks.push(task);
    return { cancel: () => void (task.isCancelled = true) };
  };
  /** Moves the clock forward, running each task that falls due, in time order. */
  advance(ms: number): void {
    const until = this.clock.now + ms;
    for (;;) {
      const due = this.#tasks.filter((t) => !t.isCancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#tasks.splice(this.#tasks.indexOf(due), 1);
      this.clock.now = Math.max(this.clock.now, due.at);
      due.run();
    }
    this.clock.now = until;
  }
  get pending(): number {
    return this.#tasks.filter((t) => !t.isCancelled).length;
  }
}

export interface Harness {
  emu: TelegramEmulator;
  /** Bot API root, e.g. `http://127.0.0.1:1234/sandbox/telegram`. */
  root: string;
  clock: { now: number };
  scheduler: ManualScheduler;
  bot: BotRecord;
  user: BotApiUser;
  call(method: string, params?: Record<string, unknown>, o?: { token?: string; encoding?: Encoding; uploads?: Upload[]; httpMethod?: string }): Promise<ApiAnswer>;
  get(path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: Buffer }>;
  /** The user writes "hello" (or `text`) so that the bot may write to them. */
  userSays(text?: string): ReturnType<TelegramEmulator['sendAsUser']>;
  close(): Promise<void>;
}

export async function startTelegram(options: TelegramEmulatorOptions = {}): Promise<Harness> {
  const clock = { now: Date.parse('2026-01-01T10:00:00Z') };
  const scheduler = new ManualScheduler(clock);
  const emu = createTelegramEmulator({ now: () => clock.now, schedule: scheduler.schedule, bots: [{ firstName: 'Shop bot', username: 'shop_test_bot' }], ...options });
  const app = express();
  app.use(PREFIX, emu.router);
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PREFIX}`;
  const bot = emu.bots()[0] as BotRecord;
  const user = emu.createUser({ firstName: 'Anna', lastName: 'Petrova', username: 'anna_p' });
  return {
    emu,
    root,
    clock,
    scheduler,
    bot,
    user,
    call: (method, params = {}, o = {}) => callApi(`${root}/bot${o.token ?? bot.token}/${method}`, params, o.encoding ?? 'json', o.uploads ?? [], o.httpMethod),
    get: (path) => getBytes(`${root}${path}`),
    userSays: (text = 'hello') => emu.sendAsUser({ botId: bot.id, userId: user.id, text }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function multipartBody(params: Record<string, unknown>, uploads: Upload[]): { body: Buffer; type: string } {
  const boundary = `----tg${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(params)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${asText(value)}\r\n`));
  }
  for (const u of uploads) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${u.field}"; filename="${u.fileName ?? 'file.bin'}"\r\nContent-Type: ${u.mimeType ?? 'application/octet-stream'}\r\n\r\n`));
    parts.push(u.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

export function callApi(url: string, params: Record<string, unknown>, encoding: Encoding, uploads: Upload[] = [], httpMethod?: string): Promise<ApiAnswer> {
  let target = url;
  let body: Buffer | undefined;
  const headers: Record<string, string> = {};
  const form = () => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, asText(v)])).toString();
  if (encoding === 'query') target = `${url}?${form()}`;
  else if (encoding === 'form') [body, headers['Content-Type']] = [Buffer.from(form()), 'application/x-www-form-urlencoded'];
  else if (encoding === 'json') [body, headers['Content-Type']] = [Buffer.from(JSON.stringify(params)), 'application/json'];
  else ({ body, type: headers['Content-Type'] } = multipartBody(params, uploads));
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: httpMethod ?? (body ? 'POST' : 'GET'), headers: body ? { ...headers, 'Content-Length': String(body.length) } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ApiAnswer['body'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function getBytes(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

export interface ReceivedPost {
  headers: http.IncomingHttpHeaders;
  body: any;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedPost[];
  /** Statuses to answer, in turn; 200 once they run out. */
  statuses: number[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver = { received: [] as ReceivedPost[], statuses: [] as number[] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.statusCode = receiver.statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram/webhook/1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
