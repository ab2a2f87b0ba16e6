/**
 * Rules about who is in a chat, shared by the endpoints and the manager actions: resolving the
 * integration's participants (by its id or by amojo's `ref_id`), creating chats, finding messages.
 */
import { badRequest } from './api-errors.js';
import type { ChannelState, EmulatorState, StoredChat } from './emulator-state.js';
import type { ParticipantInput } from './schemas.js';
import type { ConnectionRecord, MessageRecord, ParticipantKind, ParticipantRecord } from './types.js';

export interface ModelContext {
  state: EmulatorState;
  now: () => number;
  newId: () => string;
  /** Called once a new message from the integration is stored. */
  onMessageAccepted?: (message: MessageRecord) => void;
  leadPipeline?: (accountAmojoId: string, sourceExternalId: string | undefined) => { id: number; name: string } | null;
  /** The CRM side makes the lead's contact from the client's profile. */
  onLeadOpened?: (accountAmojoId: string, chatId: string, client: { name: string; phone?: string | undefined; email?: string | undefined }) => void;
}

/** The connection an authenticated scope request acts on. */
export interface ScopeTarget {
  scopeId: string;
  channel: ChannelState;
  connection: ConnectionRecord;
}

/** amoCRM keeps phones without the leading `+` (chats-api.md §4.3, step-by-step example). */
export function normalizePhone(phone: string): string {
  return phone.trim().replace(/^\+/, '');
}

function applyProfile(p: ParticipantRecord, input: ParticipantInput): void {
  p.name = input.name;
  if (input.avatar !== undefined) p.avatar = input.avatar;
  if (input.profile?.phone) p.phone = normalizePhone(input.profile.phone);
  if (input.profile?.email) p.email = input.profile.email;
  if (input.profile_link !== undefined) p.profileLink = input.profile_link;
}

/**
 * The client as the integration names it. With `ref_id` it must be a client amojo already knows (a
 * write-first receiver, §5.2), whose integration id is then bound; otherwise it is found or created by `id`.
 */
export function resolveClient(ctx: ModelContext, scopeId: string, input: ParticipantInput, field: string): ParticipantRecord {
  const { state } = ctx;
  const byClientId = state.participantByClientId(scopeId, input.id);
  if (input.ref_id !== undefined) {
    const known = state.participant(scopeId, input.ref_id);
    if (!known || known.kind !== 'client') {
      throw badRequest('participant_not_found', `${field}.ref_id ${input.ref_id} is not a client of this scope (outgoing messages need a receiver)`);
    }
    if (known.clientId !== undefined && known.clientId !== input.id) {
      throw badRequest('participant_conflict', `${field}.ref_id ${input.ref_id} is already bound to id ${known.clientId}`);
    }
    if (byClientId && byClientId.amojoId !== known.amojoId) {
      throw badRequest('participant_conflict', `${field}.id ${input.id} is already bound to another participant`);
    }
    if (known.clientId === undefined) state.bindParticipantClientId(scopeId, known, input.id);
    applyProfile(known, input);
    return known;
  }
  if (byClientId) {
    if (byClientId.kind !== 'client') throw badRequest('participant_conflict', `${field}.id ${input.id} names a CRM user, not a client`);
    applyProfile(byClientId, input);
    return byClientId;
  }
  const created: ParticipantRecord = { amojoId: ctx.newId(), clientId: input.id, kind: 'client', name: input.name };
  applyProfile(created, input);
  return state.addParticipant(scopeId, created);
}

/** The sender of an outgoing import: the channel bot or a CRM user, named by `ref_id` (§4.4 "who is sending"). */
export function resolveCrmSender(ctx: ModelContext, scopeId: string, channel: ChannelState, input: ParticipantInput): ParticipantRecord {
  const refId = input.ref_id;
  if (refId === undefined) throw badRequest('invalid_data', 'sender.ref_id is required when a receiver is given (a manager amojo_id or the bot id)');
  const known = ctx.state.participant(scopeId, refId);
  if (known) {
    if (known.kind === 'client') throw badRequest('participant_conflict', `sender.ref_id ${refId} is a client; an outgoing message is sent by a manager or the bot`);
    return known;
  }
  const kind: ParticipantKind = refId === channel.botId ? 'bot' : 'manager';
  const created: ParticipantRecord = { amojoId: refId, kind, name: input.name };
  // The integration's id for a CRM user is remembered only when no one else holds it.
  if (!ctx.state.participantByClientId(scopeId, input.id)) created.clientId = input.id;
  return ctx.state.addParticipant(scopeId, created);
}

/** A CRM user acting in the emulated inbox, created on first use. */
export function ensureManager(ctx: ModelContext, scopeId: string, amojoId: string, name = 'Manager'): ParticipantRecord {
  return ctx.state.participant(scopeId, amojoId) ?? ctx.state.addParticipant(scopeId, { amojoId, kind: 'manager', name });
}

export function createChat(
  ctx: ModelContext,
  scopeId: string,
  client: ParticipantRecord,
  conversationId: string | undefined,
  sourceExternalId: string | undefined,
): StoredChat {
  const chat: StoredChat = { id: ctx.newId(), scopeId, clientAmojoId: client.amojoId, participantIds: [client.amojoId], createdAt: ctx.now() };
  if (conversationId !== undefined) chat.conversationId = conversationId;
  if (sourceExternalId !== undefined) chat.sourceExternalId = sourceExternalId;
  return ctx.state.addChat(chat);
}

/** A chat of this scope by amojo id, or undefined (never a chat of another scope). */
export function chatInScope(state: EmulatorState, scopeId: string, chatId: string): StoredChat | undefined {
  const chat = state.chat(chatId);
  return chat?.scopeId === scopeId ? chat : undefined;
}

/** A message of this scope by amojo id and/or the integration's msgid; when both are given they must agree. */
export function findMessage(state: EmulatorState, scopeId: string, ids: { id?: string | undefined; msgid?: string | undefined }): MessageRecord | undefined {
  const byId = ids.id === undefined ? undefined : state.message(ids.id);
  const inScope = byId?.scopeId === scopeId ? byId : undefined;
  const byMsgid = ids.msgid === undefined ? undefined : state.messageByMsgid(scopeId, ids.msgid);
  if (ids.id !== undefined && ids.msgid !== undefined) return inScope && inScope === byMsgid ? inScope : undefined;
  return inScope ?? byMsgid;
}

/** amoCRM opens the chat's unsorted lead on its first non-silent client message, in its source's pipeline. */
export function openLeadIfNone(ctx: ModelContext, target: ScopeTarget, chat: StoredChat, message: MessageRecord): void {
  if (chat.lead || message.silent || message.direction !== 'incoming') return;
  const pipeline = ctx.leadPipeline?.(target.connection.accountId, chat.sourceExternalId) ?? null;
  chat.lead = { pipelineId: pipeline?.id ?? null, pipelineName: pipeline?.name ?? null, createdAt: ctx.now() };
  // The profile as it stands now: what this message (or an earlier one) carried (§4.4 `profile`).
  const client = ctx.state.participant(target.scopeId, chat.clientAmojoId);
  if (client) ctx.onLeadOpened?.(target.connection.accountId, chat.id, { name: client.name, phone: client.phone, email: client.email });
}
