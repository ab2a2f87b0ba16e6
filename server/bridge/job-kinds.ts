/**
 * The bridge's outgoing jobs: one kind per Chats API call, each payload validated when read back
 * (the jobs table is an edge). All of a conversation's jobs share one queue key, so a send, the
 * edit of it, a reaction to it and typing run in the order they were asked for.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { PermanentFailure } from './errors.js';
import type { ConversationId, MsgId } from './ids.js';
import type { BridgeJob } from './ports.js';

export const JOB_KINDS = {
  send: 'bridge.send',
  edit: 'bridge.edit',
  react: 'bridge.react',
  typing: 'bridge.typing',
  status: 'bridge.status',
  contact: 'bridge.contact',
  deliver: 'bridge.deliver',
} as const;

export const sendPayload = z.object({ msgid: z.string() });
export const editPayload = z.object({ msgid: z.string(), editedAt: z.number() });
export const reactPayload = z.object({
  msgid: z.string(),
  type: z.enum(['react', 'unreact']),
  emoji: z.string().nullable(),
  at: z.number(),
});
export const typingPayload = z.object({ conversationId: z.string(), at: z.number() });
export const statusPayload = z.object({ msgid: z.string(), status: z.union([z.literal(1), z.literal(2)]) });

export const contactPayload = z.object({ conversationId: z.string(), previousName: z.string(), at: z.number() });

export const deliverPayload = z.object({ msgid: z.string() });

export const conversationQueue = (id: ConversationId): string => `conv:${id}`;

export function sendJob(conversationId: ConversationId, msgid: MsgId): BridgeJob {
  // The idempotency key is our msgid: however often a send is asked for, one job exists at a time.
  return { kind: JOB_KINDS.send, payload: { msgid }, queueKey: conversationQueue(conversationId), idempotencyKey: `send:${msgid}` };
}

export function editJob(conversationId: ConversationId, msgid: MsgId, editedAt: number): BridgeJob {
  return { kind: JOB_KINDS.edit, payload: { msgid, editedAt }, queueKey: conversationQueue(conversationId), idempotencyKey: `edit:${msgid}:${editedAt}` };
}

export function reactJob(conversationId: ConversationId, msgid: MsgId, type: 'react' | 'unreact', emoji: string | null, at: number): BridgeJob {
  return {
    kind: JOB_KINDS.react,
    payload: { msgid, type, emoji, at },
    queueKey: conversationQueue(conversationId),
    idempotencyKey: `react:${msgid}:${type}:${emoji ?? ''}:${at}`,
  };
}

export function typingJob(conversationId: ConversationId, at: number): BridgeJob {
  return { kind: JOB_KINDS.typing, payload: { conversationId, at }, queueKey: conversationQueue(conversationId), idempotencyKey: `typing:${conversationId}:${at}` };
}

export function statusJob(conversationId: ConversationId, msgid: MsgId, status: 1 | 2): BridgeJob {
  return { kind: JOB_KINDS.status, payload: { msgid, status }, queueKey: conversationQueue(conversationId), idempotencyKey: `status:${msgid}:${status}` };
}

/**
 * The client's details changed: bring them into the chat's CRM contact. Queued behind the
 * conversation's sends, so it runs once the chat (and its contact) exists at amoCRM.
 */
export function contactJob(conversationId: ConversationId, previousName: string, at: number): BridgeJob {
  // Every change is its own job (enqueued with the change, never repeated): a random key, no client data in it.
  return { kind: JOB_KINDS.contact, payload: { conversationId, previousName, at }, queueKey: conversationQueue(conversationId), idempotencyKey: `contact:${conversationId}:${randomUUID()}` };
}

/** A manager message to a platform with a service of its own (`DeliveryCapable`); one job per message. */
export function deliverJob(conversationId: ConversationId, msgid: MsgId): BridgeJob {
  return { kind: JOB_KINDS.deliver, payload: { msgid }, queueKey: conversationQueue(conversationId), idempotencyKey: `deliver:${msgid}` };
}

/** Parses a job payload or throws a permanent failure (a malformed payload never gets better). */
export function readPayload<T>(schema: z.ZodType<T>, payload: unknown, kind: string): T {
  const r = schema.safeParse(payload);
  if (r.success) return r.data;
  throw new PermanentFailure(`${kind}: malformed job payload (${r.error.issues[0]?.message ?? 'shape'})`);
}
