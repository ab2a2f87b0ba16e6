/**
 * The only module that knows the backend's routes and JSON (product.md, `/webchat/v1/*`). Everything else
 * talks to `ChatApi` with the types of `model.ts`; tests hand the bubble a fake `ChatApi`.
 */
import { openEventStream, type EventStream } from './event-stream.js';
import {
  AUTHORS,
  DELIVERY_STATES,
  MESSAGE_KINDS,
  kindOfContentType,
  type Attachment,
  type Author,
  type ChatEvent,
  type ChatMessage,
  type DeliveryState,
  type MessageKind,
  type Profile,
  type QuickReply,
  type QuotedMessage,
  type Session,
} from './model.js';

/** A refused or failed call. `status` 0 means no answer reached us (offline, DNS, CORS, abort). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
  /** Worth trying again later with the same idempotency key. */
  get isRetryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export interface OutgoingMessage {
  clientMsgid: string;
  text?: string;
  fileId?: string;
  replyTo?: string;
}

export interface EventHandlers {
  onEvent(event: ChatEvent): void;
  /** The stream is (again) open; `isReconnect` after a drop. */
  onOpen(isReconnect: boolean): void;
  onDown(): void;
  /** The token was refused: the stream stops for good. */
  onUnauthorized(): void;
}

export interface ChatApi {
  createSession(siteKey: string, profile: Profile): Promise<Session>;
  /** Sends the optional contact details of an existing visitor. */
  updateProfile(token: string, profile: Profile): Promise<void>;
  listMessages(token: string): Promise<ChatMessage[]>;
  sendMessage(token: string, message: OutgoingMessage): Promise<{ msgid: string }>;
  editMessage(token: string, msgid: string, text: string): Promise<void>;
  uploadFile(token: string, file: Blob, name: string): Promise<{ fileId: string; url: string }>;
  sendTyping(token: string): Promise<void>;
  /** `emoji` null withdraws the visitor's reaction. */
  react(token: string, msgid: string, emoji: string | null): Promise<void>;
  markRead(token: string, msgid: string): Promise<void>;
  openEvents(token: string, lastEventId: string | undefined, handlers: EventHandlers & { onEventId(id: string): void }): EventStream;
}

type Json = Record<string, unknown>;

export function createHttpApi(baseUrl: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): ChatApi {
  const v1 = `${baseUrl}/webchat/v1`;

  async function call(method: string, path: string, opts: { token?: string; json?: unknown; body?: BodyInit } = {}): Promise<Json> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let body = opts.body;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    let res: Response;
    try {
      res = await fetchImpl(`${v1}${path}`, { method, headers, body: body ?? null, credentials: 'omit', cache: 'no-store' });
    } catch (err) {
      throw new ApiError(0, 'network', err instanceof Error ? err.message : 'network error');
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    const data = (parsed && typeof parsed === 'object' ? parsed : {}) as Json;
    if (!res.ok) throw new ApiError(res.status, str(data.error) ?? 'http_error', str(data.message) ?? `HTTP ${res.status}`);
    return data;
  }

  return {
    async createSession(siteKey, profile) {
      const data = await call('POST', '/sessions', { json: { site_key: siteKey, ...cleanProfile(profile) } });
      return { token: str(data.visitor_token) ?? '', conversationId: str(data.conversation_id) ?? '' };
    },
    async updateProfile(token, profile) {
      await call('POST', '/sessions', { token, json: cleanProfile(profile) });
    },
    async listMessages(token) {
      const all: ChatMessage[] = [];
      let cursor: string | undefined;
      // Paged only beyond 500 messages; follow the cursor, whatever the backend calls it.
      for (let page = 0; page < 50; page++) {
        const data = await call('GET', `/messages${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
        const items = Array.isArray(data.messages) ? data.messages : Array.isArray(data.items) ? data.items : [];
        for (const item of items) {
          const m = parseMessage(item);
          if (m) all.push(m);
        }
        cursor = str(data.next_cursor) ?? str(data.cursor) ?? undefined;
        if (!cursor || items.length === 0) break;
      }
      return all;
    },
    async sendMessage(token, m) {
      const body: Json = { client_msgid: m.clientMsgid };
      if (m.text) body.text = m.text;
      if (m.fileId) body.file_id = m.fileId;
      if (m.replyTo) body.reply_to = m.replyTo;
      const data = await call('POST', '/messages', { token, json: body });
      return { msgid: str(data.msgid) ?? '' };
    },
    async editMessage(token, msgid, text) {
      await call('PATCH', `/messages/${encodeURIComponent(msgid)}`, { token, json: { text } });
    },
    async uploadFile(token, file, name) {
      const form = new FormData();
      form.append('file', file, name);
      const data = await call('POST', '/files', { token, body: form });
      return { fileId: str(data.file_id) ?? '', url: absolute(str(data.url) ?? '', baseUrl) };
    },
    async sendTyping(token) {
      await call('POST', '/typing', { token, json: {} });
    },
    async react(token, msgid, emoji) {
      await call('POST', '/reactions', { token, json: emoji === null ? { msgid, type: 'unreact' } : { msgid, emoji, type: 'react' } });
    },
    async markRead(token, msgid) {
      await call('POST', '/read', { token, json: { msgid } });
    },
    openEvents(token, lastEventId, handlers) {
      return openEventStream({
        url: `${v1}/events`,
        headers: { Authorization: `Bearer ${token}` },
        lastEventId,
        fetchImpl,
        onOpen: handlers.onOpen,
        onDown: handlers.onDown,
        onFatal: (status) => (status === 401 || status === 403 || status === 404 ? handlers.onUnauthorized() : handlers.onDown()),
        onMessage(e) {
          if (e.id) handlers.onEventId(e.id);
          let data: unknown;
          try {
            data = JSON.parse(e.data);
          } catch {
            return;
          }
          const event = parseEvent(e.event, data, baseUrl);
          if (event) handlers.onEvent(event);
        },
      });
    },
  };

  function parseMessage(raw: unknown): ChatMessage | undefined {
    return parseMessageJson(raw, baseUrl);
  }
}

/** Maps one SSE event onto the model; unknown kinds are ignored so a newer backend never breaks an old bubble. */
export function parseEvent(name: string, data: unknown, baseUrl: string): ChatEvent | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Json;
  const inner = (d.message && typeof d.message === 'object' ? d.message : d) as Json;
  switch (name) {
    case 'message': {
      const message = parseMessageJson(inner, baseUrl);
      return message ? { type: 'message', message } : undefined;
    }
    case 'status': {
      const msgid = str(d.msgid) ?? str(d.id);
      const state = oneOf(DELIVERY_STATES, str(d.status) ?? str(d.state));
      return msgid && state ? { type: 'status', msgid, state } : undefined;
    }
    case 'typing':
      return { type: 'typing', author: authorOf(d) === 'visitor' ? 'manager' : authorOf(d), durationMs: num(d.duration_ms) ?? 5000 };
    case 'reaction': {
      const msgid = str(d.msgid) ?? str(d.id);
      const removed = d.type === 'unreact' || d.removed === true || d.emoji === null;
      return msgid ? { type: 'reaction', msgid, author: authorOf(d, 'manager'), emoji: removed ? null : (str(d.emoji) ?? null) } : undefined;
    }
    case 'edit': {
      const msgid = str(inner.msgid) ?? str(inner.id);
      return msgid ? { type: 'edit', msgid, text: str(inner.text) ?? '', editedAt: time(inner.edited_at) ?? Date.now() } : undefined;
    }
    default:
      return undefined;
  }
}

export function parseMessageJson(raw: unknown, baseUrl: string): ChatMessage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Json;
  const msgid = str(r.msgid) ?? str(r.id);
  if (!msgid) return undefined;
  const author = authorOf(r);
  const attachment = attachmentOf(r, baseUrl);
  const kind = oneOf(MESSAGE_KINDS, str(r.kind) ?? str(r.type)) ?? (attachment ? kindOfContentType(attachment.contentType) : 'text');
  const m: ChatMessage = { msgid, author, kind, text: str(r.text) ?? '', reactions: reactionsOf(r.reactions), createdAt: time(r.created_at) ?? time(r.timestamp) ?? Date.now() };
  const clientMsgid = str(r.client_msgid);
  if (clientMsgid) m.clientMsgid = clientMsgid;
  const authorName = str(r.author_name) ?? str((r.sender as Json | undefined)?.name);
  if (authorName) m.authorName = authorName;
  if (attachment) m.attachment = attachment;
  const replyTo = quoteOf(r.reply_to);
  if (replyTo) m.replyTo = replyTo;
  const buttons = buttonsOf(r.markup ?? r.buttons);
  if (buttons) m.buttons = buttons;
  const state = oneOf(DELIVERY_STATES, str(r.status) ?? str(r.state));
  if (author === 'visitor') m.state = state ?? 'sent';
  const editedAt = time(r.edited_at);
  if (editedAt) m.editedAt = editedAt;
  return m;
}

function authorOf(r: Json, fallback: Author = 'visitor'): Author {
  const a = oneOf(AUTHORS, str(r.author) ?? str(r.from) ?? str((r.sender as Json | undefined)?.role));
  if (a) return a;
  if (r.direction === 'inbound') return 'visitor';
  if (r.direction === 'outbound') return 'manager';
  return fallback;
}

function attachmentOf(r: Json, baseUrl: string): Attachment | undefined {
  const f = (r.file && typeof r.file === 'object' ? r.file : r.attachment && typeof r.attachment === 'object' ? r.attachment : r) as Json;
  const url = str(f.url) ?? str(f.media);
  if (!url) return undefined;
  const a: Attachment = { url: absolute(url, baseUrl), name: str(f.name) ?? str(f.file_name) ?? url.split('/').pop() ?? 'file' };
  const size = num(f.size) ?? num(f.file_size);
  if (size !== undefined) a.size = size;
  const contentType = str(f.content_type) ?? str(f.mime_type);
  if (contentType) a.contentType = contentType;
  const thumbnail = str(f.thumbnail);
  if (thumbnail) a.thumbnail = absolute(thumbnail, baseUrl);
  return a;
}

function quoteOf(raw: unknown): QuotedMessage | undefined {
  if (typeof raw === 'string') return { msgid: raw, text: '' };
  if (!raw || typeof raw !== 'object') return undefined;
  const q = raw as Json;
  const msgid = str(q.msgid) ?? str(q.id);
  if (!msgid) return undefined;
  const quote: QuotedMessage = { msgid, text: str(q.text) ?? '' };
  const author = oneOf(AUTHORS, str(q.author));
  if (author) quote.author = author;
  const kind = oneOf(MESSAGE_KINDS, str(q.kind) ?? str(q.type));
  if (kind) quote.kind = kind;
  return quote;
}

function buttonsOf(raw: unknown): QuickReply[][] | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const markup = raw as Json;
  const rows: unknown[] = Array.isArray(raw) ? raw : Array.isArray(markup.buttons) ? markup.buttons : [];
  // A WhatsApp list message: each row of each section becomes a button that answers with its title.
  const list = markup.list_message as Json | undefined;
  if (list && Array.isArray(list.sections)) {
    for (const s of list.sections as Json[]) for (const row of (Array.isArray(s.rows) ? s.rows : []) as Json[]) rows.push([{ text: row.title }]);
  }
  const out = rows
    .map((row) => (Array.isArray(row) ? row : [row]).map(buttonOf).filter((b): b is QuickReply => b !== undefined))
    .filter((row) => row.length > 0);
  return out.length > 0 ? out : undefined;
}

function buttonOf(raw: unknown): QuickReply | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const text = str((raw as Json).text);
  if (!text) return undefined;
  const url = str((raw as Json).url);
  return url && /^https?:\/\//i.test(url) ? { text, url } : { text };
}

function reactionsOf(raw: unknown): ChatMessage['reactions'] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((r: unknown) => {
    const emoji = r && typeof r === 'object' ? str((r as Json).emoji) : undefined;
    return emoji ? [{ emoji, author: authorOf(r as Json, 'manager') }] : [];
  });
}

function cleanProfile(p: Profile): Profile {
  const out: Profile = {};
  for (const k of ['name', 'phone', 'email'] as const) {
    const v = p[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}

function absolute(url: string, baseUrl: string): string {
  try {
    return new URL(url, `${baseUrl}/`).toString();
  } catch {
    return url;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Unix ms from ms, seconds or an ISO string. */
function time(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e12 ? v * 1000 : v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function oneOf<T extends string>(set: readonly T[], v: string | undefined): T | undefined {
  return v !== undefined && (set as readonly string[]).includes(v) ? (v as T) : undefined;
}

export type { DeliveryState, MessageKind };
