/**
 * Server-Sent Events over `fetch` rather than `EventSource`: the token travels in a header (not in URLs that
 * end up in logs), and a reconnect we start ourselves can still send `Last-Event-ID`. Reconnects with backoff,
 * at once when the browser comes back online, and when the stream goes silent longer than the heartbeat allows.
 */

export interface StreamMessage {
  event: string;
  data: string;
  id?: string;
}

export interface EventStreamOptions {
  url: string;
  headers: Record<string, string>;
  lastEventId: string | undefined;
  fetchImpl: typeof fetch;
  onMessage(message: StreamMessage): void;
  onOpen(isReconnect: boolean): void;
  onDown(): void;
  /** A refusal that retrying will not fix (4xx); the stream stops. */
  onFatal(status: number): void;
  /** No bytes (not even a heartbeat comment) for this long means a dead connection. */
  silenceMs?: number;
}

export interface EventStream {
  close(): void;
  /** Drop the current connection and reconnect now (the page came back online, …). */
  reconnectNow(): void;
}

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

export function openEventStream(o: EventStreamOptions): EventStream {
  let lastEventId = o.lastEventId;
  let closed = false;
  let opened = false;
  let failures = 0;
  let serverRetryMs: number | undefined;
  let controller: AbortController | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let silenceTimer: ReturnType<typeof setTimeout> | undefined;
  const silenceMs = o.silenceMs ?? 45_000;

  const onOnline = (): void => stream.reconnectNow();
  const onOffline = (): void => controller?.abort();
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);

  function armSilence(): void {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => controller?.abort(), silenceMs);
  }

  async function connect(): Promise<void> {
    clearTimeout(retryTimer);
    if (closed) return;
    const ac = new AbortController();
    controller = ac;
    const headers: Record<string, string> = { ...o.headers, Accept: 'text/event-stream' };
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    try {
      armSilence();
      const res = await o.fetchImpl(o.url, { headers, signal: ac.signal, credentials: 'omit', cache: 'no-store' });
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        closed = true;
        cleanup();
        o.onFatal(res.status);
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      failures = 0;
      o.onOpen(opened);
      opened = true;
      await read(res.body, ac);
    } catch {
      // Falls through to the reconnect below: network loss, abort by the watchdog, a 5xx.
    }
    clearTimeout(silenceTimer);
    if (closed || controller !== ac) return;
    o.onDown();
    failures++;
    const backoff = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** Math.min(failures, 6));
    retryTimer = setTimeout(() => void connect(), Math.max(serverRetryMs ?? 0, backoff));
  }

  async function read(body: ReadableStream<Uint8Array>, ac: AbortController): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let event: Partial<StreamMessage> & { data?: string } = {};
    for (;;) {
      const { done, value } = await reader.read();
      if (done || ac.signal.aborted) return;
      armSilence();
      buffer += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer[nl] === '\r' && buffer[nl + 1] === '\n' ? 2 : 1));
        if (line === '') {
          if (event.data !== undefined) {
            if (event.id !== undefined) lastEventId = event.id;
            o.onMessage({ event: event.event || 'message', data: event.data, ...(event.id !== undefined ? { id: event.id } : {}) });
          }
          event = {};
          continue;
        }
        if (line.startsWith(':')) continue; // heartbeat comment
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') event.data = event.data === undefined ? value : `${event.data}\n${value}`;
        else if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
        else if (field === 'retry' && /^\d+$/.test(value)) serverRetryMs = Math.max(MIN_DELAY_MS, Number(value));
      }
    }
  }

  function cleanup(): void {
    clearTimeout(retryTimer);
    clearTimeout(silenceTimer);
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
  }

  const stream: EventStream = {
    close() {
      closed = true;
      cleanup();
      controller?.abort();
    },
    reconnectNow() {
      if (closed) return;
      const old = controller;
      controller = undefined;
      old?.abort();
      failures = 0;
      void connect();
    },
  };
  void connect();
  return stream;
}
