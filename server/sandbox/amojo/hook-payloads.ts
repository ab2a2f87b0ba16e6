/**
 * Webhook bodies in the v2 shapes of chats-api.md §5: outgoing message (§5.1, write first §5.2),
 * manager typing (§5.3) and reaction (§5.4). Where the docs disagree, both forms are sent.
 */
import type { EmulatorState, StoredChat } from './emulator-state.js';
import { embeddedView, hookContent, participantRef } from './output-shapes.js';
import type { ConnectionRecord, MessageRecord } from './types.js';

/** A typing indicator lasts 5 s after the keypress (§5.3). */
const TYPING_EXPIRES_AFTER_S = 5;

const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

/** `conversation.client_id` is absent until the integration has bound the chat (write first). */
function conversationRef(chat: StoredChat): { id: string; client_id?: string } {
  return chat.conversationId === undefined ? { id: chat.id } : { id: chat.id, client_id: chat.conversationId };
}

export function messageHook(state: EmulatorState, conn: ConnectionRecord, chat: StoredChat, m: MessageRecord, nowMs: number): Record<string, unknown> {
  const receiver = m.receiverAmojoId === undefined ? undefined : state.participant(m.scopeId, m.receiverAmojoId);
  const receiverView: Record<string, unknown> = { id: m.receiverAmojoId ?? chat.clientAmojoId, phone: receiver?.phone ?? '', email: receiver?.email ?? '' };
  if (receiver?.clientId !== undefined) receiverView['client_id'] = receiver.clientId;
  const message: Record<string, unknown> = { id: m.amojoMsgId, ...hookContent(m.content) };
  const quoted = m.replyTo?.amojoMsgId === undefined ? undefined : state.message(m.replyTo.amojoMsgId);
  if (quoted) message['reply_to'] = { message: embeddedView(state, quoted) };
  const body: Record<string, unknown> = {
    receiver: receiverView,
    sender: participantRef(state, m.scopeId, m.senderAmojoId) ?? { id: m.senderAmojoId },
    conversation: conversationRef(chat),
  };
  if (chat.sourceExternalId !== undefined) body['source'] = { external_id: chat.sourceExternalId };
  Object.assign(body, { timestamp: m.timestamp, msec_timestamp: m.msecTimestamp, message });
  return { account_id: conn.accountId, time: unixSeconds(nowMs), message: body };
}

export function typingHook(conn: ConnectionRecord, chat: StoredChat, userAmojoId: string, nowMs: number): Record<string, unknown> {
  return {
    account_id: conn.accountId,
    time: unixSeconds(nowMs),
    action: {
      typing: {
        user: { id: userAmojoId },
        conversation: conversationRef(chat),
        expired_at: unixSeconds(nowMs) + TYPING_EXPIRES_AFTER_S,
      },
    },
  };
}

export interface ReactionHookInput {
  userAmojoId: string;
  type: 'react' | 'unreact';
  emoji?: string;
}

/**
 * Both reaction forms (§9.2 #9): the `message` object of the docs' table and the `msgid` (amojo's id)
 * of the docs' example. `emoji` is absent on unreact.
 */
export function reactionHook(
  state: EmulatorState,
  conn: ConnectionRecord,
  chat: StoredChat,
  m: MessageRecord,
  input: ReactionHookInput,
  nowMs: number,
): Record<string, unknown> {
  const message: Record<string, unknown> = { id: m.amojoMsgId };
  if (m.msgid !== undefined) message['client_id'] = m.msgid;
  message['sender'] = { id: m.senderAmojoId };
  if (m.receiverAmojoId !== undefined) message['receiver'] = { id: m.receiverAmojoId };
  Object.assign(message, { timestamp: m.timestamp, msec_timestamp: m.msecTimestamp });
  const reaction: Record<string, unknown> = {
    message,
    msgid: m.amojoMsgId,
    user: { id: input.userAmojoId },
    conversation: conversationRef(chat),
    type: input.type,
  };
  if (input.type === 'react' && input.emoji !== undefined) reaction['emoji'] = input.emoji;
  return { account_id: conn.accountId, time: unixSeconds(nowMs), action: { reaction } };
}
