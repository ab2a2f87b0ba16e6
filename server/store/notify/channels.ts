/**
 * What instances tell each other, by channel. Payloads carry ids and the few facts an ephemeral
 * event needs (typing's end time), never message content or secrets: the store stays the source of
 * truth, and a receiver reads from it. PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
 */
import { z } from 'zod';
import type { AccountChange } from '../../bridge/platform.js';

const id = z.string().min(1).max(200);
const ACCOUNT_CHANGES = ['connection', 'site_key', 'settings'] as const satisfies readonly AccountChange[];

export const NOTIFICATION_CHANNELS = {
  /** A timeline event was committed; receivers pull the conversation's events after what they have. */
  timeline: z.object({ conversationId: id, eventId: z.number().int() }),
  /** The manager is typing (never stored: the payload is the event). */
  typing: z.object({ conversationId: id, from: z.literal('manager'), until: z.number() }),
  /**
   * Something cached about an account changed: its connection (on any channel), its site key, or
   * only its settings. Receivers drop what they hold of it; which change it was says how much.
   */
  account: z.object({ accountId: z.number().int(), change: z.enum(ACCOUNT_CHANGES) }),
} as const;

export type NotificationChannel = keyof typeof NOTIFICATION_CHANNELS;
export type NotificationPayload<C extends NotificationChannel> = z.infer<(typeof NOTIFICATION_CHANNELS)[C]>;

export const MAX_PAYLOAD_BYTES = 8000;

/** One notification on the wire: which instance sent it, on which channel, with what. */
export const envelope = z.object({
  origin: z.string().min(1).max(100),
  channel: z.enum(Object.keys(NOTIFICATION_CHANNELS) as [NotificationChannel, ...NotificationChannel[]]),
  payload: z.unknown(),
});
export type Envelope = z.infer<typeof envelope>;
