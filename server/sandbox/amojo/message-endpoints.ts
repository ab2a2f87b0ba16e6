/**
 * `POST /v2/origin/custom/{scope_id}` with event_type new_message (chats-api.md §4.4) or edit_message (§4.5).
 */
import { AmojoApiError, badRequest, describeZodError, notFound, parseBody, type ApiReply } from './api-errors.js';
import { chatInScope, createChat, findMessage, openLeadIfNone, resolveClient, resolveCrmSender, type ModelContext, type ScopeTarget } from './chat-model.js';
import type { StoredChat } from './emulator-state.js';
import { messageResponse } from './output-shapes.js';
import {
  editMessagePayloadSchema,
  messageEventSchema,
  newMessagePayloadSchema,
  type EmbeddedMessageInput,
  type MessageContentInput,
  type NewMessagePayload,
} from './schemas.js';
import type { MessageContent, MessageRecord, ParticipantRecord, QuoteRecord } from './types.js';
import type { z } from 'zod';

export function messageEventEndpoint(ctx: ModelContext, target: ScopeTarget, body: unknown): ApiReply {
  const event = parseBody(messageEventSchema, body);
  return event.event_type === 'new_message'
    ? newMessage(ctx, target, parsePayload(newMessagePayloadSchema, event.payload))
    : editMessage(ctx, target, parsePayload(editMessagePayloadSchema, event.payload));
}

function parsePayload<T>(schema: z.ZodType<T>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (!result.success) throw badRequest('invalid_data', `payload.${describeZodError(result.error)}`);
  return result.data;
}

function newMessage(ctx: ModelContext, target: ScopeTarget, p: NewMessagePayload): ApiReply {
  const { state } = ctx;
  const { scopeId } = target;
  // amojo refuses a second message with the same msgid (§4.4); the status and body it answers are
  // unconfirmed (§9.2 #3), this 400 and its wording are the emulator's choice.
  if (state.messageByMsgid(scopeId, p.msgid)) {
    throw badRequest('duplicate_msgid', `message with msgid ${p.msgid} already exists`);
  }
  // Every check that can refuse runs before anything is stored.
  const plan = planChat(ctx, target, p);
  const replyTo = p.reply_to ? resolveQuote(ctx, scopeId, p.reply_to.message, plan.chat ?? null, 'reply_to.message') : undefined;
  const forwards = p.forwards?.messages.map((m) => resolveQuote(ctx, scopeId, m, undefined, 'forwards.messages.0'));
  const isOutgoing = p.receiver !== undefined;
  let sender: ParticipantRecord;
  let client: ParticipantRecord;
  if (p.receiver !== undefined) {
    client = resolveClient(ctx, scopeId, p.receiver, 'receiver');
    sender = resolveCrmSender(ctx, scopeId, target.channel, p.sender);
  } else {
    sender = resolveClient(ctx, scopeId, p.sender, 'sender');
    client = sender;
  }
  const chat = plan.chat ?? createChat(ctx, scopeId, client, p.conversation_id, p.source?.external_id);
  if (plan.bind) state.bindConversation(chat, p.conversation_id);
  state.addChatParticipant(chat, sender.amojoId);
  state.addChatParticipant(chat, client.amojoId);
  // The first source a chat is sent with tags it for good (§7 rule 1).
  if (chat.sourceExternalId === undefined && p.source) chat.sourceExternalId = p.source.external_id;

  const record: MessageRecord = {
    amojoMsgId: ctx.newId(),
    msgid: p.msgid,
    scopeId,
    chatId: chat.id,
    origin: 'integration',
    direction: isOutgoing ? 'outgoing' : 'incoming',
    senderAmojoId: sender.amojoId,
    timestamp: p.timestamp,
    msecTimestamp: p.msec_timestamp,
    content: contentOf(p.message),
    silent: p.silent ?? false,
    edits: [],
    deliveryStatuses: [],
    createdAt: ctx.now(),
  };
  if (isOutgoing) record.receiverAmojoId = client.amojoId;
  if (p.source) record.sourceExternalId = p.source.external_id;
  if (replyTo) record.replyTo = replyTo;
  if (forwards) record.forwards = forwards;
  state.addMessage(record);
  openLeadIfNone(ctx, target, chat, record);
  ctx.onMessageAccepted?.(record);
  return { status: 200, body: messageResponse(record) };
}

/**
 * The chat a new message goes to, decided without storing anything. `conversation_ref_id` binds the
 * integration's conversation_id to a chat amoCRM started (write first, §5.2); without it the chat is
 * found by conversation_id, or (`chat` undefined) created once the message is accepted.
 */
function planChat(ctx: ModelContext, target: ScopeTarget, p: NewMessagePayload): { chat?: StoredChat; bind: boolean } {
  const { state } = ctx;
  const byConversation = state.chatByConversation(target.scopeId, p.conversation_id);
  if (p.conversation_ref_id === undefined) return byConversation ? { chat: byConversation, bind: false } : { bind: false };
  const chat = chatInScope(state, target.scopeId, p.conversation_ref_id);
  if (!chat) throw badRequest('chat_not_found', `conversation_ref_id ${p.conversation_ref_id} is not a chat of this scope`);
  if (chat.conversationId === undefined) {
    if (byConversation) throw badRequest('conversation_conflict', `conversation_id ${p.conversation_id} already belongs to chat ${byConversation.id}`);
    return { chat, bind: true };
  }
  if (chat.conversationId !== p.conversation_id) {
    throw badRequest('conversation_conflict', `chat ${chat.id} is bound to conversation_id ${chat.conversationId}`);
  }
  return { chat, bind: false };
}

/** A quote by id must name an existing message (a reply: in the same chat); a described quote is kept as sent. */
/** `sameChat`: the chat a reply must quote from (null: a chat not created yet, so nothing can be quoted); undefined for forwards. */
function resolveQuote(ctx: ModelContext, scopeId: string, m: EmbeddedMessageInput, sameChat: StoredChat | null | undefined, field: string): QuoteRecord {
  if (m.id === undefined && m.msgid === undefined) return { described: structuredClone(m) as Record<string, unknown> };
  const quoted = findMessage(ctx.state, scopeId, { id: m.id, msgid: m.msgid });
  if (!quoted) throw badRequest('quoted_message_not_found', `${field}: message ${m.id ?? m.msgid} does not exist`);
  if (sameChat !== undefined && quoted.chatId !== sameChat?.id) throw badRequest('quoted_message_not_found', `${field}: message ${m.id ?? m.msgid} is in another chat`);
  return { amojoMsgId: quoted.amojoMsgId };
}

function contentOf(m: MessageContentInput): MessageContent {
  const c: MessageContent = { type: m.type, text: m.text ?? '' };
  if (m.media !== undefined) c.media = m.media;
  if (m.file_name !== undefined) c.fileName = m.file_name;
  if (m.file_size !== undefined) c.fileSize = m.file_size;
  if (m.media_duration !== undefined) c.mediaDuration = m.media_duration;
  if (m.sticker_id !== undefined) c.stickerId = m.sticker_id;
  if (m.location !== undefined) c.location = m.location;
  if (m.contact !== undefined) c.contact = m.contact;
  if (m.callback_data !== undefined) c.callbackData = m.callback_data;
  if (m.shared_post !== undefined) c.sharedPost = m.shared_post;
  if (m.post !== undefined) c.post = m.post;
  return c;
}

type EditPayload = z.infer<typeof editMessagePayloadSchema>;

/** Edits keep the previous content; unchanged media may be left out; a delivery status may ride along. */
function editMessage(ctx: ModelContext, target: ScopeTarget, p: EditPayload): ApiReply {
  const { state } = ctx;
  const message = findEditedMessage(ctx, target.scopeId, p);
  const chat = state.chat(message.chatId);
  const chatMatches = chat?.conversationId === p.conversation_id || (chat?.conversationId === undefined && p.conversation_ref_id === chat?.id);
  if (!chatMatches || (p.conversation_ref_id !== undefined && p.conversation_ref_id !== chat?.id)) {
    throw badRequest('conversation_conflict', `message ${message.amojoMsgId} is not in conversation ${p.conversation_id}`);
  }
  // Whether amojo lets an edit change the type is undocumented; refusing keeps clients on the safe side.
  if (p.message.type !== message.content.type) {
    throw badRequest('type_mismatch', `message ${message.amojoMsgId} is a ${message.content.type}, not a ${p.message.type}`);
  }
  if (p.msgid !== undefined && message.msgid === undefined) state.bindMsgid(message, p.msgid);

  const next: MessageContent = { ...message.content, ...contentOf(p.message) };
  if (p.message.text === undefined) next.text = message.content.text;
  if (JSON.stringify(next) !== JSON.stringify(message.content)) {
    message.edits.push({ at: ctx.now(), previous: structuredClone(message.content) });
    message.content = next;
  }
  const status = p.message.delivery_status;
  if (status) {
    message.deliveryStatuses.push({
      status: status.status_code,
      ...(status.error_code != null ? { errorCode: status.error_code } : {}),
      ...(status.error != null ? { error: status.error } : {}),
      at: ctx.now(),
    });
  }
  return { status: 200, body: messageResponse(message) };
}

/** By msgid and/or amojo id; with both, a message without a msgid gets this one (§4.5). */
function findEditedMessage(ctx: ModelContext, scopeId: string, p: EditPayload): MessageRecord {
  const { state } = ctx;
  if (p.id === undefined) {
    const byMsgid = p.msgid === undefined ? undefined : state.messageByMsgid(scopeId, p.msgid);
    if (!byMsgid) throw notFound('message_not_found', `message ${p.msgid} does not exist`);
    return byMsgid;
  }
  const byId = findMessage(state, scopeId, { id: p.id });
  if (!byId) throw notFound('message_not_found', `message ${p.id} does not exist`);
  if (p.msgid !== undefined && byId.msgid !== p.msgid) {
    if (byId.msgid !== undefined) throw badRequest('msgid_mismatch', `message ${p.id} has msgid ${byId.msgid}`);
    if (state.messageByMsgid(scopeId, p.msgid)) throw new AmojoApiError(400, 'duplicate_msgid', `message with msgid ${p.msgid} already exists`);
  }
  return byId;
}
