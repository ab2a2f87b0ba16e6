/**
 * What this browser writes, before the backend has it: the message shown at once (with a local preview of a
 * file) and the client msgid that makes every retry of it the same message.
 */
import { kindOfContentType, type ChatMessage } from './model.js';
import type { OutboxItem } from './storage.js';

/** The message as shown while it waits in the outbox. */
export function localMessage(item: OutboxItem, file?: File): ChatMessage {
  const a = item.attachment;
  return {
    clientMsgid: item.clientMsgid,
    author: 'visitor',
    kind: item.isVoice ? 'voice' : a ? kindOfContentType(a.contentType ?? file?.type) : 'text',
    text: item.text ?? '',
    ...(a ? { attachment: { ...a } } : {}),
    ...(item.replyTo ? { replyTo: item.replyTo } : {}),
    state: item.failure ? 'failed' : 'pending',
    ...(item.failure ? { error: item.failure } : {}),
    reactions: [],
    createdAt: item.createdAt,
  };
}

export function previewUrl(file: File): string {
  try {
    return URL.createObjectURL(file);
  } catch {
    return '';
  }
}

export function newClientId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
