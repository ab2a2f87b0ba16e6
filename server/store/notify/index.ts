/** The notification bus of the store's engine: LISTEN/NOTIFY on PostgreSQL, in-process on SQLite. */
import { EventEmitter } from 'node:events';
import type { StoreDb } from '../db.js';
import { createMemoryBus, type NotificationBus } from './bus.js';
import { createPostgresBus } from './pg-bus.js';

/** One emitter per open database: services over different databases never hear each other. */
const emitters = new WeakMap<StoreDb, EventEmitter>();

export function createNotificationBus(storeDb: StoreDb, onError: (err: unknown) => void): NotificationBus {
  if (storeDb.dialect === 'postgres' && storeDb.postgresUrl) return createPostgresBus({ url: storeDb.postgresUrl, db: storeDb.db, onError });
  let emitter = emitters.get(storeDb);
  if (!emitter) emitters.set(storeDb, (emitter = new EventEmitter().setMaxListeners(0)));
  return createMemoryBus({ onError, emitter });
}

export type { NotificationBus } from './bus.js';
export type { NotificationChannel, NotificationPayload } from './channels.js';
