/**
 * Delivery status (chats-api.md §4.7), typing (§4.9) and reactions (§4.10) sent by the integration.
 */
import { badRequest, notFound, parseBody, type ApiReply } from './api-errors.js';
import { chatInScope, findMessage, type ModelContext, type ScopeTarget } from './chat-model.js';
import type { StoredChat } from './emulator-state.js';
import { deliveryStatusSchema, reactSchema, typingSchema } from './schemas.js';

/** Default length of the typing indicator (§4.9). */
const TYPING_DEFAULT_MS = 5000;

/** `amojoMsgId` is the path segment: amojo's message uuid, from the webhook's `message.message.id`. */
export function deliveryStatusEndpoint(ctx: ModelContext, target: ScopeTarget, amojoMsgId: string, body: unknown): ApiReply {
  const input = parseBody(deliveryStatusSchema, body);
  if (input.msgid !== undefined && input.msgid !== amojoMsgId) {
    throw badRequest('msgid_mismatch', `msgid ${input.msgid} differs from the message in the path`);
  }
  const message = findMessage(ctx.state, target.scopeId, { id: amojoMsgId });
  if (!message) throw notFound('message_not_found', `message ${amojoMsgId} does not exist`);
  const status = input.delivery_status ?? input.status_code ?? 0;
  message.deliveryStatuses.push({
    status,
    ...(input.error_code != null ? { errorCode: input.error_code } : {}),
    ...(input.error != null ? { error: input.error } : {}),
    at: ctx.now(),
  });
  return { status: 200 };
}

/**
 * 204 on success. Typing in a conversation amojo does not know has no documented answer; the emulator
 * refuses it with 400 so that a client learns to send typing only for chats that exist.
 */
export function typingEndpoint(ctx: ModelContext, target: ScopeTarget, body: unknown): ApiReply {
  const input = parseBody(typingSchema, body);
  const chat = ctx.state.chatByConversation(target.scopeId, input.conversation_id);
  if (!chat) throw badRequest('chat_not_found', `conversation ${input.conversation_id} does not exist`);
  ctx.state.addTyping({
    scopeId: target.scopeId,
    chatId: chat.id,
    origin: 'integration',
    userId: input.sender.id,
    durationMs: input.duration_ms ?? TYPING_DEFAULT_MS,
    at: ctx.now(),
  });
  return { status: 204 };
}

/** 200 with no body; 404 when the message (or its chat) is unknown. */
export function reactEndpoint(ctx: ModelContext, target: ScopeTarget, body: unknown): ApiReply {
  const input = parseBody(reactSchema, body);
  const chat = findReactionChat(ctx, target.scopeId, input.conversation_id, input.conversation_ref_id);
  const message = findMessage(ctx.state, target.scopeId, { id: input.id, msgid: input.msgid });
  if (!message || message.chatId !== chat.id) throw notFound('message_not_found', `message ${input.id ?? input.msgid} does not exist in this chat`);
  ctx.state.addReaction({
    scopeId: target.scopeId,
    chatId: chat.id,
    amojoMsgId: message.amojoMsgId,
    type: input.type,
    ...(input.type === 'react' && input.emoji !== undefined ? { emoji: input.emoji } : {}),
    origin: 'integration',
    userId: input.user.id,
    ...(input.user.ref_id !== undefined ? { userRefId: input.user.ref_id } : {}),
    at: ctx.now(),
  });
  return { status: 200 };
}

function findReactionChat(ctx: ModelContext, scopeId: string, conversationId: string | undefined, refId: string | undefined): StoredChat {
  const byConversation = conversationId === undefined ? undefined : ctx.state.chatByConversation(scopeId, conversationId);
  const byRef = refId === undefined ? undefined : chatInScope(ctx.state, scopeId, refId);
  const chat = byConversation ?? byRef;
  if (!chat || (conversationId !== undefined && refId !== undefined && byConversation !== byRef)) {
    throw notFound('chat_not_found', `conversation ${conversationId ?? refId} does not exist`);
  }
  return chat;
}
