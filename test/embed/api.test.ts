// @vitest-environment jsdom
/**
 * The wire layer: the backend's JSON (bridge views) onto the bubble's model, the HTTP calls it makes, and
 * the fetch-based event stream (parsing, Last-Event-ID on reconnect, stopping on a refused token).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createHttpApi, parseEvent, parseMessage } from '../../webchat-embed/src/api.js';
import { openEventStream, type StreamMessage } from '../../webchat-embed/src/event-stream.js';

const BASE = 'https://chat.example.test';

describe('backend shapes', () => {
  const view = {
    msgid: 'm_aaaaaaaaaaaa',
    client_msgid: 'c-1',
    from: 'client',
    type: 'picture',
    text: null,
    file: { id: 'f_1', url: '/files/f_1/cat.png', name: 'cat.png', size: 1234, content_type: 'image/png' },
    reply_to: { msgid: 'm_bbbbbbbbbbbb', text: 'Which one?', type: 'text' },
    quick_replies: null,
    sender_name: null,
    status: 'sent',
    error: null,
    reactions: [{ from: 'manager', emoji: '👍' }],
    edited_at: null,
    created_at: 1767261600500,
  };

  it('maps a visitor message with a picture, a quote and a reaction', () => {
    expect(parseMessage(view, BASE)).toEqual({
      msgid: 'm_aaaaaaaaaaaa',
      clientMsgid: 'c-1',
      author: 'visitor',
      kind: 'picture',
      text: '',
      attachment: { url: `${BASE}/files/f_1/cat.png`, name: 'cat.png', size: 1234, contentType: 'image/png' },
      replyTo: { msgid: 'm_bbbbbbbbbbbb', text: 'Which one?', kind: 'text' },
      reactions: [{ emoji: '👍', author: 'manager' }],
      state: 'delivered',
      createdAt: 1767261600500,
    });
  });

  it('maps a manager message with buttons and the manager name', () => {
    const m = parseMessage({ ...view, from: 'manager', type: 'text', text: 'Pick', file: null, reply_to: null, sender_name: 'Anna', status: 'read', quick_replies: [[{ text: 'Yes' }, { text: 'Site', url: 'https://x.test' }, { text: 'Bad', url: 'javascript:alert(1)' }]] }, BASE)!;
    expect(m.author).toBe('manager');
    expect(m.authorName).toBe('Anna');
    expect(m.state).toBeUndefined();
    expect(m.buttons).toEqual([[{ text: 'Yes' }, { text: 'Site', url: 'https://x.test' }, { text: 'Bad' }]]);
  });

  it('maps the statuses onto ticks and reads the other events', () => {
    const status = (s: string) => parseEvent('status', { msgid: 'm_1', status: s, error: null }, BASE);
    expect(status('queued')).toEqual({ type: 'status', msgid: 'm_1', state: 'sent' });
    expect(status('sent')).toEqual({ type: 'status', msgid: 'm_1', state: 'delivered' });
    expect(status('read')).toEqual({ type: 'status', msgid: 'm_1', state: 'read' });
    expect(status('failed')).toEqual({ type: 'status', msgid: 'm_1', state: 'failed' });
    expect(parseEvent('reaction', { msgid: 'm_1', from: 'manager', type: 'unreact', emoji: null }, BASE)).toEqual({ type: 'reaction', msgid: 'm_1', author: 'manager', emoji: null });
    expect(parseEvent('edit', { msgid: 'm_1', text: 'new', edited_at: 5 }, BASE)).toEqual({ type: 'edit', msgid: 'm_1', text: 'new', editedAt: 5 });
    expect(parseEvent('typing', { from: 'manager', until: 11_000 }, BASE, 10_000)).toEqual({ type: 'typing', author: 'manager', durationMs: 1000 });
    expect(parseEvent('typing', { from: 'manager', until: 1 }, BASE, 10_000)).toMatchObject({ durationMs: 5000 });
    expect(parseEvent('something-new', {}, BASE)).toBeUndefined();
  });
});

describe('HTTP calls', () => {
  it('sends the documented bodies with the bearer token, and turns refusals into ApiError', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const fetchImpl = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(url), init: init! });
      if (String(url).endsWith('/read')) return new Response(JSON.stringify({ error: 'not_found', message: 'no such message' }), { status: 404 });
      if (String(url).endsWith('/typing')) return new Response(null, { status: 204 });
      return new Response(JSON.stringify({ msgid: 'm_x', visitor_token: 'tok', conversation_id: 'cv' }), { status: 202 });
    }) as unknown as typeof fetch;
    const api = createHttpApi(BASE, fetchImpl);
    expect(await api.createSession('site-1', { name: 'Ivan' })).toEqual({ token: 'tok', conversationId: 'cv' });
    expect(await api.sendMessage('tok', { clientMsgid: 'c-1', text: 'hi', replyTo: 'm_q' })).toEqual({ msgid: 'm_x' });
    await api.sendTyping('tok');
    await api.editMessage('tok', 'm_x', 'hello');
    await api.react('tok', 'm_x', null);
    const err = await api.markRead('tok', 'm_x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    expect((err as ApiError).isRetryable).toBe(false);
    expect(seen.map((s) => `${s.init.method} ${s.url.replace(BASE, '')} ${String(s.init.body)}`)).toEqual([
      'POST /webchat/v1/sessions {"site_key":"site-1","name":"Ivan"}',
      'POST /webchat/v1/messages {"client_msgid":"c-1","text":"hi","reply_to":"m_q"}',
      'POST /webchat/v1/typing {}',
      'PATCH /webchat/v1/messages/m_x {"text":"hello"}',
      'POST /webchat/v1/reactions {"msgid":"m_x","type":"unreact"}',
      'POST /webchat/v1/read {"msgid":"m_x"}',
    ]);
    expect((seen[1]!.init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });

  it('reports a call that got no answer as retryable status 0', async () => {
    const api = createHttpApi(BASE, (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch);
    const err = (await api.sendTyping('t').catch((e: unknown) => e)) as ApiError;
    expect([err.status, err.isRetryable]).toEqual([0, true]);
  });
});

describe('event stream', () => {
  afterEach(() => vi.useRealTimers());

  /** A fetch whose each call answers the next scripted body (strings are streamed chunk by chunk). */
  function scriptedFetch(answers: Array<{ status?: number; chunks?: string[] }>) {
    const calls: Array<Record<string, string>> = [];
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      calls.push({ ...(init.headers as Record<string, string>) });
      const a = answers.shift() ?? { chunks: [] };
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          for (const chunk of a.chunks ?? []) c.enqueue(new TextEncoder().encode(chunk));
          if (answers.length > 0 || a.status) c.close();
        },
      });
      return new Response(a.status && a.status >= 400 ? null : body, { status: a.status ?? 200 });
    }) as unknown as typeof fetch;
    return { fetchImpl, calls };
  }

  it('parses split frames and comments, and resumes from the last id after a drop', async () => {
    vi.useFakeTimers();
    const { fetchImpl, calls } = scriptedFetch([
      { chunks: [': ping\n\nid: 7\nevent: mess', 'age\ndata: {"a":\ndata: 1}\n\n', 'id: 8\r\nevent: status\r\ndata: {}\r\n\r\n'] },
      { chunks: ['id: 9\nevent: edit\ndata: {}\n\n'] },
    ]);
    const got: StreamMessage[] = [];
    const opened: boolean[] = [];
    const stream = openEventStream({ url: 'u', headers: { Authorization: 'Bearer t' }, lastEventId: '3', fetchImpl, onMessage: (m) => got.push(m), onOpen: (r) => opened.push(r), onDown: () => undefined, onFatal: () => undefined });
    await vi.advanceTimersByTimeAsync(5000);
    stream.close();
    expect(got).toEqual([
      { event: 'message', data: '{"a":\n1}', id: '7' },
      { event: 'status', data: '{}', id: '8' },
      { event: 'edit', data: '{}', id: '9' },
    ]);
    expect(opened).toEqual([false, true]);
    expect(calls.map((h) => h['Last-Event-ID'])).toEqual(['3', '8']);
    expect(calls[0]!.Authorization).toBe('Bearer t');
  });

  it('stops for good when the token is refused', async () => {
    vi.useFakeTimers();
    const { fetchImpl, calls } = scriptedFetch([{ status: 401 }]);
    const fatal = vi.fn();
    openEventStream({ url: 'u', headers: {}, lastEventId: undefined, fetchImpl, onMessage: () => undefined, onOpen: () => undefined, onDown: () => undefined, onFatal: fatal });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fatal).toHaveBeenCalledWith(401);
    expect(calls).toHaveLength(1);
  });

  it('reconnects at once when the browser comes back online', async () => {
    vi.useFakeTimers();
    const { fetchImpl, calls } = scriptedFetch([{ chunks: [] }, { chunks: [] }]);
    const down = vi.fn();
    const stream = openEventStream({ url: 'u', headers: {}, lastEventId: undefined, fetchImpl, onMessage: () => undefined, onOpen: () => undefined, onDown: down, onFatal: () => undefined });
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
    window.dispatchEvent(new Event('offline'));
    await vi.advanceTimersByTimeAsync(10);
    expect(down).toHaveBeenCalled();
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(2);
    stream.close();
  });
});
