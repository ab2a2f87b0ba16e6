/**
 * Client of the backend's widget API (product.md "HTTP routes"). Every call goes through the host's
 * `$authorizedAjax`, so the CRM attaches the one-time token; the widget itself holds no credential.
 */
import type { WidgetHost } from './host.js';

export const CONNECTION_STATES = ['not_connected', 'connected', 'disconnected', 'error'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export interface WebchatInfo {
  siteKey: string;
  snippet: string;
}

/** `/widget/status` (and the connect/disconnect answers) in the widget's own terms. */
export interface ConnectionStatus {
  state: ConnectionState;
  connected: boolean;
  scopeId: string | null;
  title: string;
  /** Human reason from the backend when `state` is 'error'. */
  reason: string | null;
  webchat: WebchatInfo | null;
  /** The account's Telegram bot; null when the server does not run the Telegram platform. */
  telegram: TelegramInfo | null;
}

/** The answer's `telegram` field. The bot token never comes back: only the bot's public username. */
export interface TelegramInfo {
  connected: boolean;
  scopeId: string | null;
  botUsername: string | null;
}

export type RoutedChannel = 'webchat' | 'telegram';

/** `/widget/settings` as the pipeline picker needs it, with the account's pipelines. */
export interface Routing {
  pipelines: { id: number; name: string }[];
  chosen: Record<RoutedChannel, number | null>;
}

/** A failed call: HTTP status (0 = no answer at all) and the backend's `{error, message}` when it sent one. */
export class BackendError extends Error {
  override name = 'BackendError';
  constructor(
    readonly httpStatus: number,
    readonly code: string | null,
    readonly serverMessage: string | null,
  ) {
    super(`backend call failed: ${httpStatus} ${code ?? ''}`.trim());
  }
}

export interface WidgetApi {
  status(): Promise<ConnectionStatus>;
  connect(amojoId: string): Promise<ConnectionStatus>;
  disconnect(): Promise<ConnectionStatus>;
  /** A new website-chat code; the old snippet stops working. */
  rotateSiteKey(): Promise<ConnectionStatus>;
  /** The pipelines and the one each channel's new chats go to. */
  routing(): Promise<Routing>;
  /** Admins: new chats of `channel` go to `pipelineId` (the backend moves the channel's amoCRM source). */
  setPipeline(channel: RoutedChannel, pipelineId: number): Promise<Routing['chosen']>;
  /** Admins: attaches the account's Telegram bot (the backend checks the token with Telegram). */
  connectTelegram(botToken: string): Promise<ConnectionStatus>;
  /** Admins: detaches the bot; the backend forgets its token. */
  disconnectTelegram(): Promise<ConnectionStatus>;
  /** The bubble's settings (and, for admins, the identity secret). */
  bubbleSettings(): Promise<BubbleSetup>;
  /** Admins: saves a change of the bubble's settings; the backend names every bad field. */
  saveBubbleSettings(webchat: Record<string, unknown>): Promise<BubbleSetup>;
  /** Admins: a new identity secret (hashes made with the old one stop working). */
  rotateIdentitySecret(): Promise<BubbleSetup>;
  /** Admins: deletes what the backend keeps of one visitor. */
  eraseVisitor(key: VisitorKey): Promise<ErasedVisitor>;
}

/** `GET /widget/settings` as the bubble's settings form needs it; `webchat` is edited as the backend's JSON. */
export interface BubbleSetup {
  webchat: Record<string, unknown>;
  identitySecret: string | null;
}

export type VisitorKey = { email: string } | { phone: string } | { user_id: string };

export interface ErasedVisitor {
  conversations: number;
  messages: number;
  files: number;
}

/** Long enough for a connect that calls amoCRM twice, short enough that a dead backend is reported. */
const TIMEOUT_MS = 30_000;

export function createWidgetApi(host: WidgetHost, backendUrl: string): WidgetApi {
  const base = backendUrl.replace(/\/+$/, '');

  function call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<ConnectionStatus> {
    return request(method, path, parseStatus, body);
  }

  function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, parse: (answer: unknown) => T | null, body?: object): Promise<T> {
    return new Promise((resolve, reject) => {
      let request;
      try {
        request = host.$authorizedAjax({
          url: base + path,
          method,
          dataType: 'json',
          timeout: TIMEOUT_MS,
          ...(body ? { contentType: 'application/json', data: JSON.stringify(body) } : {}),
        });
      } catch {
        reject(new BackendError(0, null, null));
        return;
      }
      request.then(
        (answer) => {
          const parsed = parse(answer);
          if (parsed) resolve(parsed);
          else reject(new BackendError(200, 'bad_response', null));
        },
        (failure) => reject(toBackendError(failure)),
      );
    });
  }

  return {
    status: () => call('GET', '/widget/status'),
    connect: (amojoId) => call('POST', '/widget/connect', { amojo_id: amojoId }),
    disconnect: () => call('POST', '/widget/disconnect', {}),
    rotateSiteKey: () => call('POST', '/widget/site-key/rotate', {}),
    async routing() {
      const [chosen, pipelines] = await Promise.all([request('GET', '/widget/settings', parseChosen), request('GET', '/widget/pipelines', parsePipelines)]);
      return { chosen, pipelines };
    },
    setPipeline: (channel, pipelineId) => request('PUT', '/widget/settings', parseChosen, { pipeline_id: { [channel]: pipelineId } }),
    bubbleSettings: () => request('GET', '/widget/settings', parseBubbleSetup),
    saveBubbleSettings: (webchat) => request('PUT', '/widget/settings', parseBubbleSetup, { webchat }),
    rotateIdentitySecret: () => request('POST', '/widget/identity-secret/rotate', parseBubbleSetup, {}),
    eraseVisitor: (key) => request('POST', '/widget/visitor-data/delete', parseErased, key),
    connectTelegram: (botToken) => call('POST', '/widget/telegram', { bot_token: botToken }),
    disconnectTelegram: () => call('DELETE', '/widget/telegram'),
  };
}

/** Accepts the documented shape; `state`/`reason` are optional extras that older backends omit. */
export function parseStatus(answer: unknown): ConnectionStatus | null {
  if (!answer || typeof answer !== 'object') return null;
  const a = answer as Record<string, unknown>;
  if (typeof a.connected !== 'boolean') return null;

  const state = (CONNECTION_STATES as readonly unknown[]).includes(a.state)
    ? (a.state as ConnectionState)
    : a.connected
      ? 'connected'
      : 'not_connected';
  const w = a.webchat as Record<string, unknown> | null | undefined;
  const webchat =
    w && typeof w === 'object' && typeof w.snippet === 'string' && w.snippet !== ''
      ? { siteKey: typeof w.site_key === 'string' ? w.site_key : '', snippet: w.snippet }
      : null;
  return {
    state,
    connected: a.connected,
    scopeId: typeof a.scope_id === 'string' ? a.scope_id : null,
    title: typeof a.title === 'string' ? a.title : '',
    reason: typeof a.reason === 'string' && a.reason.trim() !== '' ? a.reason.trim() : null,
    webchat,
    telegram: parseTelegram(a.telegram),
  };
}

/** Absent or null means the platform is off; a malformed object counts as "not connected". */
function parseTelegram(value: unknown): TelegramInfo | null {
  if (!value || typeof value !== 'object') return null;
  const t = value as Record<string, unknown>;
  const botUsername = typeof t.bot_username === 'string' && t.bot_username.trim() !== '' ? t.bot_username.trim().replace(/^@/, '') : null;
  return { connected: t.connected === true, scopeId: typeof t.scope_id === 'string' ? t.scope_id : null, botUsername };
}

const pipelineIdOf = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

export function parseChosen(answer: unknown): Routing['chosen'] | null {
  const p = (answer as { pipeline_id?: unknown } | null)?.pipeline_id;
  if (!p || typeof p !== 'object') return null;
  const ids = p as Record<string, unknown>;
  return { webchat: pipelineIdOf(ids.webchat), telegram: pipelineIdOf(ids.telegram) };
}

export function parseBubbleSetup(answer: unknown): BubbleSetup | null {
  const a = (answer ?? {}) as Record<string, unknown>;
  if (!a.webchat || typeof a.webchat !== 'object') return null;
  return { webchat: a.webchat as Record<string, unknown>, identitySecret: typeof a.identity_secret === 'string' ? a.identity_secret : null };
}

export function parseErased(answer: unknown): ErasedVisitor | null {
  const d = ((answer ?? {}) as { deleted?: Record<string, unknown> }).deleted;
  const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
  return d && typeof d === 'object' ? { conversations: n(d.conversations), messages: n(d.messages), files: n(d.files) } : null;
}

export function parsePipelines(answer: unknown): Routing['pipelines'] | null {
  const list = (answer as { pipelines?: unknown } | null)?.pipelines;
  if (!Array.isArray(list)) return null;
  return list.flatMap((p: unknown) => {
    const o = (p ?? {}) as Record<string, unknown>;
    return typeof o.id === 'number' && typeof o.name === 'string' ? [{ id: o.id, name: o.name }] : [];
  });
}

/** jqXHR failures carry `status` and `responseJSON`/`responseText`; anything else counts as "no answer". */
export function toBackendError(failure: unknown): BackendError {
  if (failure instanceof BackendError) return failure;
  const f = (failure && typeof failure === 'object' ? failure : {}) as Record<string, unknown>;
  const httpStatus = typeof f.status === 'number' ? f.status : 0;
  let body: unknown = f.responseJSON;
  if (body === undefined && typeof f.responseText === 'string') {
    try {
      body = JSON.parse(f.responseText);
    } catch {
      body = undefined;
    }
  }
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return new BackendError(
    httpStatus,
    typeof b.error === 'string' && b.error !== '' ? b.error : null,
    typeof b.message === 'string' && b.message.trim() !== '' ? b.message.trim() : null,
  );
}
