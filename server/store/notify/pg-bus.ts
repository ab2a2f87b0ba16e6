/**
 * PostgreSQL carrier: one dedicated connection per process LISTENs (a pooled connection cannot:
 * it goes back to the pool between queries); NOTIFY goes through the pool. Callers publish after
 * their transaction committed, so a receiver that reads the store sees what it was told about.
 * When the listening connection drops it reconnects with backoff and tells subscribers to
 * resynchronise: whatever was sent meanwhile is lost to the bus but not to the store.
 */
import pg from 'pg';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { createBatcher } from '../batcher.js';
import { nameStatement } from '../pg-named-statements.js';
import { createDispatcher, type NotificationBus } from './bus.js';
import { MAX_PAYLOAD_BYTES } from './channels.js';

/** The one PostgreSQL channel every instance listens on (channels of ours are inside the payload). */
export const PG_CHANNEL = 'amochat_bus';
const RECONNECT_BASE_MS = 250;
const RECONNECT_MAX_MS = 10_000;
/** One statement sends a list of notifications ($1 the channel, $2 the payloads), in list order. */
const NOTIFY_ALL = 'select pg_notify($1, t.text) from unnest($2::text[]) as t(text)';
nameStatement(NOTIFY_ALL);

/** Doubling with jitter, so instances that lost the database together do not return together. */
function reconnectDelay(failures: number): number {
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** (failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function createPostgresBus(opts: { url: string; db: Kysely<Database>; onError: (err: unknown) => void }): NotificationBus {
  const dispatcher = createDispatcher(opts.onError);
  let client: pg.Client | undefined;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let markReady: () => void = () => undefined;
  const readyOnce = new Promise<void>((resolve) => (markReady = resolve));

  function onNotification(msg: pg.Notification): void {
    if (msg.channel !== PG_CHANNEL || !msg.payload) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(msg.payload);
    } catch {
      return opts.onError(new Error('notification that is not JSON ignored'));
    }
    dispatcher.deliver(parsed);
  }

  function scheduleReconnect(): void {
    if (closed || retry) return;
    failures++;
    retry = setTimeout(() => {
      retry = undefined;
      void listen();
    }, reconnectDelay(failures));
    retry.unref();
  }

  /** Called for every way a connection ends; only the current one triggers a reconnect. */
  function lost(c: pg.Client, err?: unknown): void {
    if (err) opts.onError(err);
    if (client !== c) return;
    client = undefined;
    c.end().catch(() => undefined);
    scheduleReconnect();
  }

  async function listen(): Promise<void> {
    const c = new pg.Client({ connectionString: opts.url, keepAlive: true });
    c.on('notification', onNotification);
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${PG_CHANNEL}`);
    } catch (err) {
      opts.onError(err);
      c.end().catch(() => undefined);
      scheduleReconnect();
      return;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    failures = 0;
    markReady();
    // Anything sent before this connection listened (start-up, an outage) was not received.
    dispatcher.resync();
  }

  void listen();

  // Notifications published in one turn of the event loop go out in one statement (one round
  // trip), in publishing order: under load every message announces two or more.
  const outgoing = createBatcher<string, void>(async (texts) => {
    await opts.db.executeQuery(CompiledQuery.raw(NOTIFY_ALL, [PG_CHANNEL, texts]));
    return texts.map(() => undefined);
  });

  return {
    async publish(channel, payload) {
      const text = JSON.stringify(dispatcher.envelope(channel, payload));
      if (Buffer.byteLength(text) >= MAX_PAYLOAD_BYTES) throw new Error(`${channel} notification too large to send`);
      await outgoing.submit(text);
    },
    subscribe: dispatcher.subscribe,
    onResync: dispatcher.onResync,
    ready: () => readyOnce,
    async close() {
      closed = true;
      await outgoing.drain();
      clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
