/**
 * Test harness for the Chats API emulator: a running emulator with a controllable clock, a signing
 * HTTP client that sends exact bytes (node:http, so no header is added or rewritten), and a tiny
 * webhook receiver.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { formatRfc2822, signRequest, signWebhookBody, verifyWebhookSignature, type AmojoMethod } from '../../server/amojo/signing.js';
import { createAmojoEmulator, type AmojoEmulator, type AmojoEmulatorOptions, type EmulatedChannel } from '../../server/sandbox/amojo/index.js';

// Ids and secret of chats-api.md §8.2.
export const SECRET = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
export const CHANNEL_ID = 'f90ba33d-c9d9-44da-b76c-c349b0ecbe41';
export const ACCOUNT_ID = 'af9945ff-1490-4cad-807d-945c15d88bec';
export const SCOPE_ID = `${CHANNEL_ID}_${ACCOUNT_ID}`;
export const BOT_ID = '5a1b2c3d-0000-4000-8000-00000000b075';
export const API = '/v2/origin/custom';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** Sends bytes as they are, with exactly the headers given. */
export function rawRequest(url: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { ...headers, 'Content-Length': String(body.length) } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface SignedCallOptions {
  /** Object (serialized with JSON.stringify), string or exact bytes. */
  body?: unknown;
  query?: string;
  secret?: string;
  /** Date header; defaults to the harness clock. */
  date?: string;
  /** Path that is signed, when it should differ from the one sent. */
  signedPath?: string;
  /** Headers that replace the signed ones after signing (to send something wrong on purpose). */
  override?: Record<string, string>;
  /** Bytes sent instead of the signed body (to tamper with it). */
  sendBody?: Buffer;
}

export interface Harness {
  emu: AmojoEmulator;
  /** Base URL, without a trailing slash; the API is mounted at `prefix`. */
  url: string;
  prefix: string;
  clock: { now: number };
  call(method: AmojoMethod, path: string, options?: SignedCallOptions): Promise<HttpResult>;
  close(): Promise<void>;
}

export function toBytes(body: unknown): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}

/** Signs with the signing module and sends the very bytes that were signed. */
export function signedCall(baseUrl: string, prefix: string, nowMs: number, method: AmojoMethod, path: string, o: SignedCallOptions = {}): Promise<HttpResult> {
  const body = toBytes(o.body);
  const wirePath = `${prefix}${path}`;
  const headers = signRequest(o.secret ?? SECRET, { method, path: o.signedPath ?? wirePath, body, date: o.date ?? formatRfc2822(new Date(nowMs)) });
  const sent = o.sendBody ?? body;
  return rawRequest(`${baseUrl}${wirePath}${o.query ?? ''}`, method, { ...headers, ...o.override }, method === 'GET' && sent.length === 0 ? undefined : sent);
}

export const DEFAULT_CHANNEL: EmulatedChannel = { id: CHANNEL_ID, secret: SECRET, code: 'amo.ext.test', botId: BOT_ID, title: 'Test channel' };

/** Starts an emulator on 127.0.0.1:0; with `prefix` it is mounted below that path in an express app. */
export async function startEmulator(
  options: Partial<AmojoEmulatorOptions> & { prefix?: string } = {},
): Promise<Harness> {
  const clock = { now: Date.parse('2026-01-01T10:00:00Z') };
  const { prefix = '', ...rest } = options;
  const emu = createAmojoEmulator({ channels: [DEFAULT_CHANNEL], now: () => clock.now, ...rest });
  let url: string;
  let close: () => Promise<void>;
  if (prefix) {
    const { default: express } = await import('express');
    const app = express();
    app.use(prefix, emu.router);
    const server = await new Promise<http.Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  } else {
    ({ url, close } = await emu.listen());
  }
  return { emu, url, prefix, clock, close, call: (method, path, o) => signedCall(url, prefix, clock.now, method, path, o) };
}

export async function connect(h: Harness, accountId = ACCOUNT_ID): Promise<HttpResult> {
  return h.call('POST', `${API}/${CHANNEL_ID}/connect`, { body: { account_id: accountId, title: 'My Channel', hook_api_version: 'v2' } });
}

/** A valid incoming text message payload of §8.2 V1, with overrides. */
export function incomingText(msgid: string, overrides: Record<string, unknown> = {}): { event_type: 'new_message'; payload: Record<string, unknown> } {
  return {
    event_type: 'new_message',
    payload: {
      timestamp: 1767261600,
      msec_timestamp: 1767261600000,
      msgid,
      conversation_id: 'int-conv-0001',
      sender: { id: 'int-user-0001', name: 'Test Client' },
      message: { type: 'text', text: 'Hello' },
      silent: false,
      ...overrides,
    },
  };
}

export interface ReceivedHook {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
}

export interface HookReceiver {
  /** Webhook URL template with the `:scope_id` marker. */
  urlTemplate: string;
  received: ReceivedHook[];
  /** Status the receiver answers (default 200). */
  status: number;
  close(): Promise<void>;
}

export async function startHookReceiver(): Promise<HookReceiver> {
  const receiver: Omit<HookReceiver, 'urlTemplate' | 'close'> = { received: [], status: 200 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.received.push({ path: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks) });
      res.statusCode = receiver.status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(receiver, {
    urlTemplate: `http://127.0.0.1:${port}/amojo/webhook/:scope_id`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
}

/** An emulator whose channel posts its hooks to a local receiver, connected for `ACCOUNT_ID`. */
export interface HookedHarness {
  h: Harness;
  receiver: HookReceiver;
  close(): Promise<void>;
}

export async function startConnectedWithHooks(): Promise<HookedHarness> {
  const receiver = await startHookReceiver();
  const h = await startEmulator({ channels: [{ ...DEFAULT_CHANNEL, webhookUrl: receiver.urlTemplate }] });
  const connected = await connect(h);
  if (connected.status !== 200) throw new Error(`connect answered ${connected.status}`);
  return {
    h,
    receiver,
    async close() {
      await h.close();
      await receiver.close();
    },
  };
}

/** The receiver's last hook: path, content type and signature checked against the raw bytes, then parsed. */
export function lastSignedHook(receiver: HookReceiver): Record<string, any> {
  const hook = receiver.received.at(-1);
  if (!hook) throw new Error('no hook received');
  expect(hook.path).toBe(`/amojo/webhook/${SCOPE_ID}`);
  expect(hook.headers['content-type']).toBe('application/json');
  const signature = String(hook.headers['x-signature']);
  expect(signature).toBe(signWebhookBody(SECRET, hook.raw));
  expect(verifyWebhookSignature(SECRET, hook.raw, signature)).toBe(true);
  return JSON.parse(hook.raw.toString('utf8')) as Record<string, any>;
}
