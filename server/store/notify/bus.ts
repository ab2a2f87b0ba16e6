/**
 * The notification bus between instances on one database. A notification reaches every other
 * instance, never the one that sent it (that one acts on what it did directly). Delivery is best
 * effort: a receiver that was cut off is told to resynchronise (`onResync`) and catches up from the
 * store, so nothing depends on a notification arriving.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { NOTIFICATION_CHANNELS, envelope, type Envelope, type NotificationChannel, type NotificationPayload } from './channels.js';

export interface NotificationBus {
  /** Sends to the other instances; resolves once handed to the carrier. */
  publish<C extends NotificationChannel>(channel: C, payload: NotificationPayload<C>): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe<C extends NotificationChannel>(channel: C, handler: (payload: NotificationPayload<C>) => void): () => void;
  /** Called when notifications may have been missed (the carrier reconnected). */
  onResync(handler: () => void): () => void;
  /** Settles once notifications from other instances are being received. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Handler bookkeeping shared by the carriers: validates what arrives and drops our own notifications. */
export function createDispatcher(onError: (err: unknown) => void) {
  const origin = randomUUID();
  const handlers = new Map<NotificationChannel, Set<(payload: never) => void>>();
  const resyncHandlers = new Set<() => void>();

  function call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      onError(err);
    }
  }

  return {
    origin,
    subscribe<C extends NotificationChannel>(channel: C, handler: (payload: NotificationPayload<C>) => void): () => void {
      let set = handlers.get(channel);
      if (!set) handlers.set(channel, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
    onResync(handler: () => void): () => void {
      resyncHandlers.add(handler);
      return () => resyncHandlers.delete(handler);
    },
    /** Delivers one notification that arrived from the carrier (untrusted input). */
    deliver(raw: unknown): void {
      const outer = envelope.safeParse(raw);
      if (!outer.success) return onError(new Error('malformed notification ignored'));
      if (outer.data.origin === origin) return;
      const inner = NOTIFICATION_CHANNELS[outer.data.channel].safeParse(outer.data.payload);
      if (!inner.success) return onError(new Error(`malformed ${outer.data.channel} notification ignored`));
      for (const h of handlers.get(outer.data.channel) ?? []) call(() => (h as (p: unknown) => void)(inner.data));
    },
    resync(): void {
      for (const h of resyncHandlers) call(h);
    },
    envelope<C extends NotificationChannel>(channel: C, payload: NotificationPayload<C>): Envelope {
      return { origin, channel, payload };
    },
  };
}

/**
 * SQLite: one instance per database, so nothing has to cross processes. Buses on the same emitter
 * (several services over one open database, as tests build them) reach each other.
 */
export function createMemoryBus(opts: { onError: (err: unknown) => void; emitter: EventEmitter }): NotificationBus {
  const { emitter } = opts;
  const dispatcher = createDispatcher(opts.onError);
  const listener = (e: Envelope) => queueMicrotask(() => dispatcher.deliver(e));
  emitter.on('notification', listener);
  return {
    async publish(channel, payload) {
      emitter.emit('notification', dispatcher.envelope(channel, payload));
    },
    subscribe: dispatcher.subscribe,
    onResync: dispatcher.onResync,
    ready: () => Promise.resolve(),
    async close() {
      emitter.off('notification', listener);
    },
  };
}
