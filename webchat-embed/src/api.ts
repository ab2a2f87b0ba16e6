/**
 * The only module that knows the backend's routes and JSON (product.md `/webchat/v1/*`; the shapes are
 * the bridge's `MessageView`, `StatusView`, `ReactionView`, `EditView` in server/bridge/records.ts). Everything
 * else talks to `ChatApi` with the types of `model.ts`; tests hand the bubble a fake `ChatApi`.
 */
import { openEventStream, type EventStream } from './event-stream.js';
import type { PageRef } from './page-context.js';
import { DEFAULT_MAX_FILE_BYTES, MESSAGE_KINDS, type Author, type BubbleSettings, type PrechatMode, type WorkingHours, type ChatEvent, type ChatMessage, type DeliveryState, type MessageKind, type Profile, type QuickReply, type Session } from './model.js';

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
  page?: PageRef;
}

export interface History {
  messages: ChatMessage[];
  /** Resuming the event stream from here repeats, never misses, what the list lacks. */
  lastEventId?: string;
}

export interface EventHandlers {
  onEvent(event: ChatEvent): void;
  onEventId(id: string): void;
  /** The stream is (again) open; `isReconnect` after a drop. */
  onOpen(isReconnect: boolean): void;
  onDown(): void;
  /** The token was refused: the stream stops for good. */
  onUnauthorized(): void;
}

export interface ChatApi {
  /** The site's chat settings; an unknown site key (an old snippet) is refused with 404. Cached by the browser briefly. */
  loadSettings(siteKey: string): Promise<BubbleSettings>;
  createSession(siteKey: string, profile: Profile): Promise<Session>;
  /** The same visitor gives a name, phone or email later: same conversation, new token. */
  updateProfile(token: string, siteKey: string, profile: Profile): Promise<Session>;
  listMessages(token: string): Promise<History>;
  sendMessage(token: string, message: OutgoingMessage): Promise<{ msgid: string }>;
  editMessage(token: string, msgid: string, text: string): Promise<void>;
  /** `isVoice` marks a recorded note, so amoCRM shows a voice message rather than an audio file. */
  uploadFile(token: string, file: Blob, name: string, isVoice?: boolean): Promise<{ fileId: string; url: string }>;
  sendTyping(token: string): Promise<void>;
  /** `emoji` null withdraws the visitor's reaction. */
  react(token: string, msgid: string, emoji: string | null): Promise<void>;
  markRead(token: string, msgid: string): Promise<void>;
  openEvents(token: string, lastEventId: string | undefined, handlers: EventHandlers): EventStream;
}

type Json = Record<string, unknown>;

export function createHttpApi(baseUrl: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): ChatApi {
  const v1 = `${baseUrl}/webchat/v1`;

  async function call(method: string, path: string, opts: { token?: string; json?: unknown; body?: BodyInit; cache?: RequestCache } = {}): Promise<Json> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
    const body = opts.json !== undefined ? JSON.stringify(opts.json) : (opts.body ?? null);
    let res: Response;
    try {
      res = await fetchImpl(`${v1}${path}`, { method, headers, body, credentials: 'omit', cache: opts.cache ?? 'no-store' });
    } catch (err) {
      throw new ApiError(0, 'network', err instanceof Error ? err.message : 'network error');
    }
    let data: Json = {};
    try {
      const parsed: unknown = res.status === 204 ? {} : await res.json();
      if (parsed && typeof parsed === 'object') data = parsed as Json;
    } catch {
      // A proxy's HTML error page or an empty body: the status says enough.
    }
    if (!res.ok) throw new ApiError(res.status, str(data.error) ?? 'http_error', str(data.message) ?? `HTTP ${res.status}`);
    return data;
  }

  const session = (d: Json): Session => ({ token: str(d.visitor_token) ?? '', conversationId: str(d.conversation_id) ?? '' });

  return {
    async loadSettings(siteKey) {
      // `default`: the browser's HTTP cache answers for as long as the backend's Cache-Control allows.
      return parseSettings(await call('GET', `/settings?site_key=${encodeURIComponent(siteKey)}`, { cache: 'default' }));
    },
    async createSession(siteKey, profile) {
      return session(await call('POST', '/sessions', { json: { site_key: siteKey, ...profile } }));
    },
    async updateProfile(token, siteKey, profile) {
      return session(await call('POST', '/sessions', { token, json: { site_key: siteKey, ...profile } }));
    },
    async listMessages(token) {
      const messages: ChatMessage[] = [];
      let cursor: string | undefined;
      let lastEventId: string | undefined;
      // One page holds 500 messages; longer conversations come in pages.
      for (let page = 0; page < 100; page++) {
        const data = await call('GET', `/messages${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
        lastEventId ??= str(data.last_event_id);
        for (const item of Array.isArray(data.messages) ? data.messages : []) {
          const m = parseMessage(item, baseUrl);
          if (m) messages.push(m);
        }
        cursor = str(data.next_cursor);
        if (!cursor) break;
      }
      return lastEventId ? { messages, lastEventId } : { messages };
    },
    async sendMessage(token, m) {
      const data = await call('POST', '/messages', { token, json: { client_msgid: m.clientMsgid, text: m.text, file_id: m.fileId, reply_to: m.replyTo, page: m.page } });
      return { msgid: str(data.msgid) ?? '' };
    },
    async editMessage(token, msgid, text) {
      await call('PATCH', `/messages/${encodeURIComponent(msgid)}`, { token, json: { text } });
    },
    async uploadFile(token, file, name, isVoice) {
      const form = new FormData();
      // Before the file part: the backend reads fields up to the file.
      if (isVoice) form.append('voice', '1');
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
        onFatal: (status) => (status === 401 || status === 403 ? handlers.onUnauthorized() : handlers.onDown()),
        onMessage(e) {
          let data: unknown;
          try {
            data = JSON.parse(e.data);
          } catch {
            return;
          }
          const event = parseEvent(e.event, data, baseUrl);
          if (event) handlers.onEvent(event);
          if (e.id) handlers.onEventId(e.id);
        },
      });
    },
  };
}

/** The site's settings; anything missing or malformed keeps the bubble's own default. */
export function parseSettings(d: Json): BubbleSettings {
  const s: BubbleSettings = { maxFileBytes: num(d.max_file_bytes) ?? DEFAULT_MAX_FILE_BYTES };
  const color = str(d.color);
  if (color && /^#[0-9a-f]{6}$/i.test(color)) s.color = color;
  if (d.position === 'left' || d.position === 'right') s.position = d.position;
  for (const [from, to] of [['title', 'title'], ['greeting', 'greeting'], ['away_message', 'awayMessage'], ['language', 'language']] as const) {
    const v = str(d[from]);
    if (v && v !== 'auto') s[to] = v;
  }
  const hours = d.hours as Json | null | undefined;
  if (hours && str(hours.timezone) && hours.days && typeof hours.days === 'object') s.hours = { timezone: String(hours.timezone), days: hours.days as WorkingHours['days'] };
  const p = (d.prechat ?? {}) as Json;
  const mode = (v: unknown): PrechatMode => (v === 'off' || v === 'required' ? v : 'optional');
  s.prechat = { name: mode(p.name), phone: mode(p.phone), email: mode(p.email) };
  const consent = (d.consent ?? {}) as Json;
  const url = str(consent.url);
  if (consent.required === true && url && /^https?:\/\//i.test(url)) s.consentUrl = url;
  if (d.store_before_open === true) s.storeBeforeOpen = true;
  return s;
}

/** Maps one SSE event onto the model; unknown kinds are ignored so a newer backend never breaks an old bubble. */
export function parseEvent(name: string, data: unknown, baseUrl: string, now = Date.now()): ChatEvent | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Json;
  const msgid = str(d.msgid);
  switch (name) {
    case 'message': {
      const message = parseMessage(d, baseUrl);
      return message ? { type: 'message', message } : undefined;
    }
    case 'status': {
      const state = stateOf(d.status);
      return msgid && state ? { type: 'status', msgid, state } : undefined;
    }
    case 'typing': {
      // `until` is the backend's clock; a skewed visitor clock falls back to the usual 5 s.
      const left = typeof d.until === 'number' ? d.until - now : NaN;
      return d.from === 'manager' ? { type: 'typing', author: 'manager', durationMs: left > 0 && left < 60_000 ? left : 5000 } : undefined;
    }
    case 'reaction':
      return msgid ? { type: 'reaction', msgid, author: authorOf(d.from), emoji: d.type === 'unreact' ? null : (str(d.emoji) ?? null) } : undefined;
    case 'edit':
      return msgid ? { type: 'edit', msgid, text: str(d.text) ?? '', editedAt: num(d.edited_at) ?? now } : undefined;
    default:
      return undefined;
  }
}

/** A `MessageView` onto the model. */
export function parseMessage(raw: unknown, baseUrl: string): ChatMessage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Json;
  const msgid = str(r.msgid);
  if (!msgid) return undefined;
  const author = authorOf(r.from);
  const m: ChatMessage = {
    msgid,
    author,
    kind: (MESSAGE_KINDS as readonly string[]).includes(String(r.type)) ? (r.type as MessageKind) : 'text',
    text: str(r.text) ?? '',
    reactions: Array.isArray(r.reactions) ? r.reactions.flatMap((x: Json) => (str(x?.emoji) ? [{ emoji: String(x.emoji), author: authorOf(x.from) }] : [])) : [],
    createdAt: num(r.created_at) ?? Date.now(),
  };
  const clientMsgid = str(r.client_msgid);
  if (clientMsgid) m.clientMsgid = clientMsgid;
  const name = str(r.sender_name);
  if (name) m.authorName = name;
  const f = r.file as Json | null | undefined;
  if (f && str(f.url)) {
    m.attachment = { url: absolute(String(f.url), baseUrl), name: str(f.name) ?? 'file' };
    if (num(f.size) !== undefined) m.attachment.size = num(f.size)!;
    if (str(f.content_type)) m.attachment.contentType = String(f.content_type);
  }
  const q = r.reply_to as Json | null | undefined;
  if (q && str(q.msgid)) {
    m.replyTo = { msgid: String(q.msgid), text: str(q.text) ?? '' };
    if ((MESSAGE_KINDS as readonly string[]).includes(String(q.type))) m.replyTo.kind = q.type as MessageKind;
  }
  if (Array.isArray(r.quick_replies)) {
    const rows = (r.quick_replies as unknown[][]).map((row) => (Array.isArray(row) ? row.flatMap(button) : [])).filter((row) => row.length > 0);
    if (rows.length > 0) m.buttons = rows;
  }
  if (author === 'visitor') {
    m.state = stateOf(r.status) ?? 'sent';
    if (m.state === 'failed') m.error = 'sendFailed';
  }
  const editedAt = num(r.edited_at);
  if (editedAt) m.editedAt = editedAt;
  return m;
}

/**
 * The visitor's ticks from the backend's statuses: `queued` = our backend has it (one tick), `sent` =
 * amoCRM has it (two ticks); the manager's messages go received → delivered → read.
 */
function stateOf(status: unknown): DeliveryState | undefined {
  switch (status) {
    case 'queued':
    case 'received':
      return 'sent';
    case 'sent':
    case 'delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'failed':
      return 'failed';
    default:
      return undefined;
  }
}

function authorOf(from: unknown): Author {
  return from === 'client' ? 'visitor' : from === 'bot' ? 'bot' : 'manager';
}

function button(raw: unknown): QuickReply[] {
  const b = raw as Json | null;
  const text = str(b?.text);
  if (!text) return [];
  const url = str(b?.url);
  return [url && /^https?:\/\//i.test(url) ? { text, url } : { text }];
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
