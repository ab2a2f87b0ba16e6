/**
 * Helpers for the bridge and website-chat tests: a test backend with one connected account, a
 * visitor that talks to `/webchat/v1/*` over HTTP, an event-stream reader, and polling.
 */
import { randomUUID } from 'node:crypto';
import type { AmojoEmulator, MessageRecord } from '../../server/sandbox/amojo/index.js';
import { startTestBackend, type TestBackend, type TestBackendOptions } from '../support/server.js';

export const ACCOUNT_ID = 4242;

export interface BridgeBackend extends TestBackend {
  emulator: AmojoEmulator;
  scopeId: string;
  siteKey: string;
  accountAmojoId: string;
}

export async function startBridgeBackend(opts: TestBackendOptions & { connect?: boolean } = {}): Promise<BridgeBackend> {
  const backend = await startTestBackend(opts);
  const emulator = backend.services.sandbox!.amojo;
  const accountAmojoId = randomUUID();
  let scopeId = '';
  if (opts.connect !== false) {
    const view = await backend.services.connections.connect(ACCOUNT_ID, { amojoId: accountAmojoId, amojoIdFromAmocrm: true });
    scopeId = view.scopeId!;
  }
  const siteKey = await backend.services.store.accounts.ensureSiteKey(ACCOUNT_ID);
  return Object.assign(backend, { emulator, scopeId, siteKey, accountAmojoId });
}

/** Connects (or reconnects) the backend's account; returns the scope. */
export async function connectAccount(b: BridgeBackend): Promise<string> {
  const view = await b.services.connections.connect(ACCOUNT_ID, { amojoId: b.accountAmojoId, amojoIdFromAmocrm: true });
  b.scopeId = view.scopeId!;
  return b.scopeId;
}

export interface JsonAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = Record<string, unknown>>(url: string, method: string, token: string | undefined, body?: unknown): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
}

export class Visitor {
  constructor(
    readonly base: string,
    readonly token: string,
    readonly conversationId: string,
  ) {}

  static async open(base: string, siteKey: string, profile: { name?: string; phone?: string; email?: string } = {}): Promise<Visitor> {
    const r = await call<{ visitor_token: string; conversation_id: string }>(`${base}/webchat/v1/sessions`, 'POST', undefined, { site_key: siteKey, ...profile });
    if (r.status !== 201) throw new Error(`session: ${r.status} ${JSON.stringify(r.body)}`);
    return new Visitor(base, r.body.visitor_token, r.body.conversation_id);
  }

  post(path: string, body: unknown) {
    return call(`${this.base}/webchat/v1${path}`, 'POST', this.token, body);
  }

  async send(text: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await this.post('/messages', { client_msgid: randomUUID(), text, ...extra });
    if (r.status !== 202) throw new Error(`send: ${r.status} ${JSON.stringify(r.body)}`);
    return String(r.body['msgid']);
  }

  async upload(bytes: Uint8Array, name: string, type: string, fields: Record<string, string> = {}): Promise<JsonAnswer> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
    const res = await fetch(`${this.base}/webchat/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${this.token}` }, body: form });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
  }

  async messages(cursor?: string): Promise<{ messages: Array<Record<string, unknown>>; next_cursor: string | null; last_event_id: string }> {
    const r = await call<{ messages: Array<Record<string, unknown>>; next_cursor: string | null; last_event_id: string }>(
      `${this.base}/webchat/v1/messages${cursor ? `?cursor=${cursor}` : ''}`,
      'GET',
      this.token,
    );
    if (r.status !== 200) throw new Error(`messages: ${r.status}`);
    return r.body;
  }

  events(opts: { lastEventId?: string; viaQuery?: boolean } = {}): EventReader {
    return new EventReader(this.base, this.token, opts);
  }
}

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/** Reads `/webchat/v1/events` with fetch (as a browser EventSource would, plus headers). */
export class EventReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  readonly ready: Promise<void>;
  #abort = new AbortController();
  #waiters: Array<() => void> = [];
  #markEnded: () => void = () => undefined;
  /** Settles when the server ends the stream (or it is closed here). */
  readonly ended = new Promise<void>((resolve) => (this.#markEnded = resolve));

  constructor(base: string, token: string, opts: { lastEventId?: string; viaQuery?: boolean }) {
    const headers: Record<string, string> = {};
    let url = `${base}/webchat/v1/events`;
    if (opts.viaQuery) url += `?token=${encodeURIComponent(token)}`;
    else headers['authorization'] = `Bearer ${token}`;
    if (opts.lastEventId !== undefined) headers['last-event-id'] = opts.lastEventId;
    this.ready = fetch(url, { headers, signal: this.#abort.signal }).then((res) => {
      this.status = res.status;
      if (res.body) void this.#read(res.body);
    });
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          this.#frame(buffer.slice(0, i));
          buffer = buffer.slice(i + 2);
        }
      }
    } catch {
      // aborted
    }
    this.#markEnded();
  }

  #frame(frame: string): void {
    let id: string | undefined;
    let event = 'message';
    let data = '';
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (data) this.events.push({ id, event, data: JSON.parse(data) as Record<string, unknown> });
    for (const w of this.#waiters.splice(0)) w();
  }

  async waitFor(pred: (e: SseEvent) => boolean, timeoutMs = 5000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`event not received; got ${JSON.stringify(this.events.map((e) => [e.event, e.data]))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.#abort.abort();
  }
}

export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The emulator's chat for one of our conversations (amoCRM's view of it). */
export function chatOf(b: BridgeBackend, conversationId: string) {
  return b.emulator.chats(b.scopeId).find((c) => c.conversationId === conversationId);
}

export function emulatorMessages(b: BridgeBackend, conversationId: string): MessageRecord[] {
  const chat = chatOf(b, conversationId);
  return chat ? b.emulator.messages(chat.id) : [];
}

/** Waits until amoCRM (the emulator) holds `count` messages of the conversation. */
export function waitForEmulatorMessages(b: BridgeBackend, conversationId: string, count: number, timeoutMs = 5000): Promise<MessageRecord[]> {
  return waitFor(() => {
    const list = emulatorMessages(b, conversationId);
    return list.length >= count ? list : undefined;
  }, timeoutMs, `${count} messages at amojo`);
}

/** A tiny valid PNG (1×1). */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
