/**
 * The Chats API client: one function per endpoint (chats-api.md §4), each signing with the channel
 * secret (§2). A failed call throws `AmojoError` (with the Retry-After of a 429/5xx); the job that
 * made it retries. Only a connection that failed before any answer is repeated here, once.
 * The base URL is per account (`hosts.ts`) unless AMOJO_BASE_URL overrides it; a base URL with a
 * path prefix is signed as part of the path, as the real rule says.
 */
import { z } from 'zod';
import { AmojoError } from './errors.js';
import { parseRetryAfter, sleep as realSleep, withConnectionRetry } from '../net/retry.js';
import { formatRfc2822, signRequest, type AmojoMethod } from './signing.js';
import { httpByteTransport, type ByteResponse, type ByteTransport } from '../net/byte-transport.js';
import type {
  ConnectResult,
  CreateChatRequest,
  CreateChatResult,
  DeliveryStatusUpdate,
  EditMessagePayload,
  HistoryMessage,
  NewMessagePayload,
  ReactRequest,
  SendMessageResult,
  TypingRequest,
} from './types.js';

export interface AmojoClientOptions {
  channelId: string;
  channelSecret: string;
  transport?: ByteTransport;
  timeoutMs?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export type AmojoClient = ReturnType<typeof createAmojoClient>;
export type ScopedAmojo = ReturnType<AmojoClient['scoped']>;

/** History pages hold at most 50 messages (§4.8). */
export const HISTORY_PAGE_LIMIT = 50;

const connectResponse = z.object({
  account_id: z.string(),
  scope_id: z.string().min(1),
  title: z.string().optional(),
  hook_api_version: z.string().optional(),
  is_time_window_disabled: z.boolean().optional(),
});

const createChatResponse = z.object({
  id: z.string().min(1),
  user: z.object({ id: z.string().optional() }).passthrough().optional(),
});

// Everything but msgid and ref_id is optional in older answers (§4.4).
const newMessageResponse = z.object({
  new_message: z
    .object({
      msgid: z.string().optional(),
      ref_id: z.string().optional(),
      conversation_id: z.string().nullish(),
      sender_id: z.string().nullish(),
      receiver_id: z.string().nullish(),
    })
    .passthrough(),
});

const historyResponse = z.object({
  messages: z.array(
    z
      .object({
        timestamp: z.number(),
        msec_timestamp: z.number().optional(),
        sender: z.object({ id: z.string() }).passthrough().optional(),
        receiver: z.object({ id: z.string() }).passthrough().optional(),
        message: z.object({ id: z.string(), type: z.string() }).passthrough(),
      })
      .passthrough(),
  ),
});

/** How long one Chats API call may take; the shutdown deadline is derived from it. */
export const AMOJO_REQUEST_TIMEOUT_MS = 10_000;

export function createAmojoClient(opts: AmojoClientOptions) {
  const transport = opts.transport ?? httpByteTransport;
  const timeoutMs = opts.timeoutMs ?? AMOJO_REQUEST_TIMEOUT_MS;
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? realSleep;

  /**
   * One signed call; resolves with an answer of status < 300. Repeated once only when the
   * connection failed before any answer; a 429 or 5xx throws with its Retry-After, for the job
   * that made the call to retry (`net/retry.ts`).
   */
  /** Each base URL's origin and path prefix, parsed once (there are a handful: amojo's hosts). */
  const bases = new Map<string, { origin: string; prefix: string }>();
  function baseOf(baseUrl: string): { origin: string; prefix: string } {
    let base = bases.get(baseUrl);
    if (!base) {
      const u = new URL(baseUrl);
      base = { origin: u.origin, prefix: u.pathname.replace(/\/+$/, '') };
      if (bases.size >= 100) bases.clear();
      bases.set(baseUrl, base);
    }
    return base;
  }

  async function call(baseUrl: string, method: AmojoMethod, path: string, payload?: unknown, query = ''): Promise<ByteResponse> {
    const base = baseOf(baseUrl);
    const wirePath = `${base.prefix}${path}`;
    // Serialize once: these bytes are hashed and these bytes are sent.
    const body = payload === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(payload), 'utf8');
    const url = `${base.origin}${wirePath}${query}`;
    // A fresh Date per try keeps the signature's Date current.
    const send = () => {
      const headers = signRequest(opts.channelSecret, { method, path: wirePath, body, date: formatRfc2822(now()) });
      return transport({ method, url, headers: { ...headers }, body: method === 'GET' ? undefined : body, timeoutMs });
    };
    let res: ByteResponse;
    try {
      res = await withConnectionRetry(send, { sleep });
    } catch (cause) {
      throw new AmojoError(method, wirePath, 0, '', `amojo ${method} ${wirePath}: no answer (${describe(cause)})`, { cause });
    }
    if (res.status < 300) return res;
    throw new AmojoError(method, wirePath, res.status, res.body.toString('utf8'), undefined, { retryAfterMs: parseRetryAfter(res.headers['retry-after']) });
  }

  async function callJson<T>(schema: z.ZodType<T>, baseUrl: string, method: AmojoMethod, path: string, payload?: unknown, query = ''): Promise<T> {
    const res = await call(baseUrl, method, path, payload, query);
    const text = res.body.toString('utf8');
    const parsed = schema.safeParse(text ? safeJson(text) : undefined);
    if (!parsed.success) {
      throw new AmojoError(method, path, res.status, text, `amojo ${method} ${path}: unexpected answer (${parsed.error.issues[0]?.message ?? 'shape'})`);
    }
    return parsed.data;
  }

  function scoped(baseUrl: string, scopeId: string) {
    const scopePath = `/v2/origin/custom/${encodeURIComponent(scopeId)}`;
    return {
      scopeId,

      /** §4.3: idempotent per conversation_id. */
      async createChat(req: CreateChatRequest): Promise<CreateChatResult> {
        const r = await callJson(createChatResponse, baseUrl, 'POST', `${scopePath}/chats`, req);
        return { amojoChatId: r.id, amojoUserId: r.user?.id };
      },

      /** §4.4. A msgid amojo already has counts as delivered (`alreadyDelivered`), not as a failure. */
      async sendMessage(payload: NewMessagePayload): Promise<SendMessageResult> {
        try {
          const r = await callJson(newMessageResponse, baseUrl, 'POST', scopePath, { event_type: 'new_message', payload });
          return {
            amojoMsgId: r.new_message.msgid,
            amojoChatId: r.new_message.conversation_id ?? undefined,
            amojoSenderId: r.new_message.sender_id ?? undefined,
            amojoReceiverId: r.new_message.receiver_id ?? undefined,
            alreadyDelivered: false,
          };
        } catch (err) {
          if (isDuplicateMsgid(err)) {
            return { amojoMsgId: undefined, amojoChatId: undefined, amojoSenderId: undefined, amojoReceiverId: undefined, alreadyDelivered: true };
          }
          throw err;
        }
      },

      /** §4.5. The response shape is unconfirmed; an empty or differently shaped 200 is accepted. */
      async editMessage(payload: EditMessagePayload): Promise<void> {
        await call(baseUrl, 'POST', scopePath, { event_type: 'edit_message', payload });
      },

      /** §4.7; `amojoMsgId` is amojo's uuid from the hook. */
      async setDeliveryStatus(amojoMsgId: string, update: DeliveryStatusUpdate): Promise<void> {
        await call(baseUrl, 'POST', `${scopePath}/${encodeURIComponent(amojoMsgId)}/delivery_status`, deliveryStatusBody(amojoMsgId, update));
      },

      /** §4.8: one page, newest first; 204 (unknown or empty chat) is an empty page. */
      async historyPage(amojoChatId: string, offset: number, limit = HISTORY_PAGE_LIMIT): Promise<HistoryMessage[]> {
        const res = await call(baseUrl, 'GET', `${scopePath}/chats/${encodeURIComponent(amojoChatId)}/history`, undefined, `?offset=${offset}&limit=${Math.min(limit, HISTORY_PAGE_LIMIT)}`);
        if (res.status === 204 || res.body.length === 0) return [];
        const parsed = historyResponse.safeParse(safeJson(res.body.toString('utf8')));
        if (!parsed.success) throw new AmojoError('GET', scopePath, res.status, res.body.toString('utf8'), 'amojo history: unexpected answer');
        return parsed.data.messages as HistoryMessage[];
      },

      /** The whole history, paging until a short page. */
      async history(amojoChatId: string): Promise<HistoryMessage[]> {
        const all: HistoryMessage[] = [];
        for (let offset = 0; ; offset += HISTORY_PAGE_LIMIT) {
          const page = await this.historyPage(amojoChatId, offset);
          all.push(...page);
          if (page.length < HISTORY_PAGE_LIMIT) return all;
        }
      },

      /** §4.9 (answers 204). */
      async typing(req: TypingRequest): Promise<void> {
        await call(baseUrl, 'POST', `${scopePath}/typing`, req);
      },

      /** §4.10. */
      async react(req: ReactRequest): Promise<void> {
        await call(baseUrl, 'POST', `${scopePath}/react`, req);
      },
    };
  }

  return {
    /** §4.1: run after every install; idempotent on amojo's side. */
    async connect(baseUrl: string, req: { accountAmojoId: string; title?: string; isTimeWindowDisabled?: boolean }): Promise<ConnectResult> {
      const body: Record<string, unknown> = { account_id: req.accountAmojoId, title: req.title, hook_api_version: 'v2' };
      if (req.title === undefined) delete body['title'];
      if (req.isTimeWindowDisabled !== undefined) body['is_time_window_disabled'] = req.isTimeWindowDisabled;
      const r = await callJson(connectResponse, baseUrl, 'POST', `/v2/origin/custom/${encodeURIComponent(opts.channelId)}/connect`, body);
      return {
        accountId: r.account_id,
        scopeId: r.scope_id,
        title: r.title,
        hookApiVersion: r.hook_api_version,
        isTimeWindowDisabled: r.is_time_window_disabled,
      };
    },

    /** §4.2 (DELETE with a JSON body). */
    async disconnect(baseUrl: string, accountAmojoId: string): Promise<void> {
      await call(baseUrl, 'DELETE', `/v2/origin/custom/${encodeURIComponent(opts.channelId)}/disconnect`, { account_id: accountAmojoId });
    },

    scoped,
  };
}

/**
 * §4.7: the docs disagree on the field name (`delivery_status` in the worked example and every
 * client, `status_code` in the current table; unconfirmed which the server requires). Both are sent
 * with the same value; `msgid` repeats the path segment. Error fields only go with status -1.
 */
export function deliveryStatusBody(amojoMsgId: string, update: DeliveryStatusUpdate): Record<string, unknown> {
  const body: Record<string, unknown> = { msgid: amojoMsgId, delivery_status: update.status, status_code: update.status };
  if (update.status === -1) {
    body['error_code'] = update.errorCode;
    if (update.errorText !== undefined) body['error'] = update.errorText;
  }
  return body;
}

/**
 * What amojo answers to a repeated msgid is unconfirmed (§9.2 #3): a 4xx whose body names the
 * msgid as already existing / duplicate is taken as "already delivered".
 */
function isDuplicateMsgid(err: unknown): boolean {
  if (!(err instanceof AmojoError)) return false;
  if (err.upstreamStatus !== 400 && err.upstreamStatus !== 409) return false;
  return /duplicate|already exist/i.test(err.body) && /msgid|message/i.test(err.body);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : 'network error';
}
