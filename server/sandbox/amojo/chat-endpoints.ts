/**
 * Create chat (chats-api.md §4.3) and chat history (§4.8).
 */
import { parseBody, type ApiReply } from './api-errors.js';
import { chatInScope, createChat, resolveClient, type ModelContext, type ScopeTarget } from './chat-model.js';
import { historyEntry, participantView } from './output-shapes.js';
import { createChatSchema, historyQuerySchema } from './schemas.js';

const HISTORY_PAGE_MAX = 50;

/** Idempotent per conversation_id: the existing chat comes back with its client. */
export function createChatEndpoint(ctx: ModelContext, target: ScopeTarget, body: unknown): ApiReply {
  const input = parseBody(createChatSchema, body);
  const { state } = ctx;
  let chat = state.chatByConversation(target.scopeId, input.conversation_id);
  if (!chat) {
    const client = resolveClient(ctx, target.scopeId, input.user, 'user');
    chat = createChat(ctx, target.scopeId, client, input.conversation_id, input.source?.external_id);
  }
  const client = state.participant(target.scopeId, chat.clientAmojoId);
  // The reference puts phone/email flat on `user` (the step-by-step example nests them; clients parse both).
  return { status: 200, body: { id: chat.id, user: client ? participantView(client) : { id: chat.clientAmojoId } } };
}

/** Newest first; 204 when the chat is unknown to this scope, empty, or the page lies past the end. */
export function historyEndpoint(ctx: ModelContext, target: ScopeTarget, chatId: string, query: unknown): ApiReply {
  const { offset = 0, limit = HISTORY_PAGE_MAX } = parseBody(historyQuerySchema, query);
  const chat = chatInScope(ctx.state, target.scopeId, chatId);
  if (!chat) return { status: 204 };
  const messages = ctx.state
    .chatMessages(chat.id)
    .map((m, order) => ({ m, order }))
    .sort((a, b) => b.m.msecTimestamp - a.m.msecTimestamp || b.order - a.order)
    .slice(offset, offset + limit);
  if (messages.length === 0) return { status: 204 };
  return { status: 200, body: { messages: messages.map(({ m }) => historyEntry(ctx.state, m)) } };
}
