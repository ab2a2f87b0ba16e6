/** The notification bus of the store's engine: LISTEN/NOTIFY on PostgreSQL, in-process on SQLite. */
import type { StoreDb } from '../db.js';
import { createMemoryBus, type NotificationBus } from './bus.js';
import { createPostgresBus } from './pg-bus.js';

export function createNotificationBus(storeDb: StoreDb, onError: (err: unknown) => void): NotificationBus {
  if (storeDb.dialect === 'postgres' && storeDb.postgresUrl) return createPostgresBus({ url: storeDb.postgresUrl, db: storeDb.db, onError });
  return createMemoryBus({ onError });
}

export type { NotificationBus } from './bus.js';
export type { NotificationChannel, NotificationPayload } from './channels.js';
