/**
 * amojo's output naming (chats-api.md §0): in responses, history and webhooks `id` is amojo's and
 * `client_id` the integration's. Empty values are left out, as amojo does, except in webhook message
 * bodies, which carry empty strings and zeros (§5.1 examples).
 */
import type { EmulatorState } from './emulator-state.js';
import type { EmulatedMessageType, MessageContent, MessageRecord, ParticipantRecord } from './types.js';

/** Types that have a length (§4.4 `media_duration`: "for video/audio/voice"). */
const TIMED_TYPES: readonly EmulatedMessageType[] = ['video', 'audio', 'voice'];

/** `media_duration` in seconds, where the integration (or the manager's file) gave one. */
function withDuration(target: Record<string, unknown>, c: MessageContent): void {
  if (c.mediaDuration !== undefined && TIMED_TYPES.includes(c.type)) target['media_duration'] = c.mediaDuration;
}

export interface ParticipantView {
  id: string;
  client_id?: string;
  name?: string;
  avatar?: string;
  phone?: string;
  email?: string;
}

export function participantView(p: ParticipantRecord): ParticipantView {
  const view: ParticipantView = { id: p.amojoId };
  if (p.clientId !== undefined) view.client_id = p.clientId;
  view.name = p.name;
  if (p.avatar) view.avatar = p.avatar;
  if (p.phone) view.phone = p.phone;
  if (p.email) view.email = p.email;
  return view;
}

/** The short participant form used in embedded messages and reactions (no profile fields). */
export function participantRef(state: EmulatorState, scopeId: string, amojoId: string | undefined): { id: string; name?: string; client_id?: string } | undefined {
  if (amojoId === undefined) return undefined;
  const p = state.participant(scopeId, amojoId);
  const ref: { id: string; name?: string; client_id?: string } = { id: amojoId };
  if (p?.name) ref.name = p.name;
  if (p?.clientId !== undefined) ref.client_id = p.clientId;
  return ref;
}

/** One entry of the history response (§4.8). */
export function historyEntry(state: EmulatorState, m: MessageRecord): Record<string, unknown> {
  const sender = state.participant(m.scopeId, m.senderAmojoId);
  const receiver = m.receiverAmojoId === undefined ? undefined : state.participant(m.scopeId, m.receiverAmojoId);
  const c = m.content;
  const message: Record<string, unknown> = { id: m.amojoMsgId };
  if (m.msgid !== undefined) message['client_id'] = m.msgid;
  Object.assign(message, {
    type: c.type,
    text: c.text,
    media: c.media ?? '',
    thumbnail: c.thumbnail ?? '',
    file_name: c.fileName ?? '',
    file_size: c.fileSize ?? 0,
  });
  withDuration(message, c);
  if (c.mediaGroupId) message['media_group_id'] = c.mediaGroupId;
  if (c.location) message['location'] = c.location;
  if (c.contact) message['contact'] = c.contact;
  const entry: Record<string, unknown> = {
    timestamp: m.timestamp,
    msec_timestamp: m.msecTimestamp,
    sender: sender ? participantView(sender) : { id: m.senderAmojoId },
  };
  // Incoming client messages have no receiver (§4.8).
  if (m.direction === 'outgoing' && receiver) entry['receiver'] = participantView(receiver);
  entry['message'] = message;
  return entry;
}

/** The content fields of a webhook message (§5.1): always present, empty when unused. */
export function hookContent(c: MessageContent): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: c.type,
    text: c.text,
    tag: '',
    media: c.media ?? '',
    thumbnail: c.thumbnail ?? '',
    file_name: c.fileName ?? '',
    file_size: c.fileSize ?? 0,
  };
  withDuration(body, c);
  if (c.mediaGroupId) body['media_group_id'] = c.mediaGroupId;
  if (c.markup) body['markup'] = c.markup;
  if (c.template) body['template'] = c.template;
  if (c.location) body['location'] = c.location;
  if (c.contact) body['contact'] = c.contact;
  if (c.post) body['post'] = c.post;
  return body;
}

/** A quoted message as webhooks carry it (§5.1 `reply_to` entries). */
export function embeddedView(state: EmulatorState, m: MessageRecord): Record<string, unknown> {
  const c = m.content;
  const view: Record<string, unknown> = { id: m.amojoMsgId };
  if (m.msgid !== undefined) view['msgid'] = m.msgid;
  Object.assign(view, {
    type: c.type,
    text: c.text,
    media: c.media ?? '',
    thumbnail: c.thumbnail ?? '',
    file_name: c.fileName ?? '',
    file_size: c.fileSize ?? 0,
  });
  withDuration(view, c);
  Object.assign(view, {
    timestamp: m.timestamp,
    msec_timestamp: m.msecTimestamp,
    sender: participantRef(state, m.scopeId, m.senderAmojoId),
  });
  const receiver = participantRef(state, m.scopeId, m.receiverAmojoId);
  if (receiver) view['receiver'] = receiver;
  return view;
}

/** The `new_message` / `edit_message` response (§4.4), with its naming inversion: msgid = amojo's, ref_id = ours. */
export function messageResponse(m: MessageRecord): Record<string, unknown> {
  const inner: Record<string, unknown> = { conversation_id: m.chatId, sender_id: m.senderAmojoId };
  // receiver_id "may be missing" for incoming messages; the emulator leaves it out.
  if (m.receiverAmojoId !== undefined) inner['receiver_id'] = m.receiverAmojoId;
  inner['msgid'] = m.amojoMsgId;
  if (m.msgid !== undefined) inner['ref_id'] = m.msgid;
  return { new_message: inner };
}
