/**
 * The emulated Chats service's memory: connections, participants, chats, messages, reactions, typing,
 * and logs of requests and webhooks. A plain store with lookups; the endpoint modules decide what is
 * allowed. Records handed out by the `list*` methods are deep copies.
 */
import type {
  ChatRecord,
  ConnectionRecord,
  EmulatedChannel,
  MessageRecord,
  ParticipantRecord,
  ReactionRecord,
  RequestLogRecord,
  TypingRecord,
  WebhookLogRecord,
} from './types.js';

/** A channel with its bot id settled. */
export interface ChannelState extends EmulatedChannel {
  botId: string;
}

/** A chat as stored: participants are referenced by amojo id and resolved per scope. */
export interface StoredChat extends Omit<ChatRecord, 'participants'> {
  participantIds: string[];
}

/** Logs are capped so a long-running sandbox does not grow without bound. */
const MAX_LOG_ENTRIES = 2000;

const key = (scopeId: string, id: string): string => `${scopeId}\u0000${id}`;

export class EmulatorState {
  readonly channels = new Map<string, ChannelState>();
  readonly #connections = new Map<string, ConnectionRecord>();
  readonly #participants = new Map<string, ParticipantRecord>(); // key(scope, amojoId)
  readonly #participantByClientId = new Map<string, string>(); // key(scope, clientId) → amojoId
  readonly #chats = new Map<string, StoredChat>();
  readonly #chatByConversation = new Map<string, string>(); // key(scope, conversationId) → chat id
  readonly #messages = new Map<string, MessageRecord>();
  readonly #messagesByChat = new Map<string, string[]>();
  readonly #messageByMsgid = new Map<string, string>(); // key(scope, msgid) → amojo msg id
  readonly #reactions: ReactionRecord[] = [];
  readonly #typing: TypingRecord[] = [];
  readonly #requests: RequestLogRecord[] = [];
  readonly #webhooks: WebhookLogRecord[] = [];

  constructor(channels: ChannelState[]) {
    for (const c of channels) this.channels.set(c.id, c);
  }

  /** Forgets everything but the channels. */
  clear(): void {
    for (const m of [this.#connections, this.#participants, this.#participantByClientId, this.#chats, this.#chatByConversation]) m.clear();
    for (const m of [this.#messages, this.#messagesByChat, this.#messageByMsgid]) m.clear();
    for (const list of [this.#reactions, this.#typing, this.#requests, this.#webhooks]) list.length = 0;
  }

  // Connections

  connection(scopeId: string): ConnectionRecord | undefined {
    return this.#connections.get(scopeId);
  }

  saveConnection(conn: ConnectionRecord): void {
    this.#connections.set(conn.scopeId, conn);
  }

  // Participants

  participant(scopeId: string, amojoId: string): ParticipantRecord | undefined {
    return this.#participants.get(key(scopeId, amojoId));
  }

  participantByClientId(scopeId: string, clientId: string): ParticipantRecord | undefined {
    const amojoId = this.#participantByClientId.get(key(scopeId, clientId));
    return amojoId === undefined ? undefined : this.participant(scopeId, amojoId);
  }

  addParticipant(scopeId: string, p: ParticipantRecord): ParticipantRecord {
    this.#participants.set(key(scopeId, p.amojoId), p);
    if (p.clientId !== undefined) this.#participantByClientId.set(key(scopeId, p.clientId), p.amojoId);
    return p;
  }

  /** Ties the integration's id to an amojo participant (write-first binding, §5.2). */
  bindParticipantClientId(scopeId: string, p: ParticipantRecord, clientId: string): void {
    p.clientId = clientId;
    this.#participantByClientId.set(key(scopeId, clientId), p.amojoId);
  }

  // Chats

  chat(chatId: string): StoredChat | undefined {
    return this.#chats.get(chatId);
  }

  chatByConversation(scopeId: string, conversationId: string): StoredChat | undefined {
    const id = this.#chatByConversation.get(key(scopeId, conversationId));
    return id === undefined ? undefined : this.#chats.get(id);
  }

  addChat(chat: StoredChat): StoredChat {
    this.#chats.set(chat.id, chat);
    if (chat.conversationId !== undefined) this.#chatByConversation.set(key(chat.scopeId, chat.conversationId), chat.id);
    return chat;
  }

  bindConversation(chat: StoredChat, conversationId: string): void {
    chat.conversationId = conversationId;
    this.#chatByConversation.set(key(chat.scopeId, conversationId), chat.id);
  }

  addChatParticipant(chat: StoredChat, amojoId: string): void {
    if (!chat.participantIds.includes(amojoId)) chat.participantIds.push(amojoId);
  }

  // Messages

  message(amojoMsgId: string): MessageRecord | undefined {
    return this.#messages.get(amojoMsgId);
  }

  messageByMsgid(scopeId: string, msgid: string): MessageRecord | undefined {
    const id = this.#messageByMsgid.get(key(scopeId, msgid));
    return id === undefined ? undefined : this.#messages.get(id);
  }

  addMessage(m: MessageRecord): MessageRecord {
    this.#messages.set(m.amojoMsgId, m);
    const list = this.#messagesByChat.get(m.chatId) ?? [];
    list.push(m.amojoMsgId);
    this.#messagesByChat.set(m.chatId, list);
    if (m.msgid !== undefined) this.#messageByMsgid.set(key(m.scopeId, m.msgid), m.amojoMsgId);
    return m;
  }

  /** Attaches the integration's msgid to a message that has none (edit with both ids, §4.5). */
  bindMsgid(m: MessageRecord, msgid: string): void {
    m.msgid = msgid;
    this.#messageByMsgid.set(key(m.scopeId, msgid), m.amojoMsgId);
  }

  /** Messages of a chat in the order they were created (live records, for endpoint code). */
  chatMessages(chatId: string): MessageRecord[] {
    return (this.#messagesByChat.get(chatId) ?? []).flatMap((id) => this.#messages.get(id) ?? []);
  }

  // Events and logs

  addReaction(r: ReactionRecord): void {
    pushCapped(this.#reactions, r);
  }

  addTyping(t: TypingRecord): void {
    pushCapped(this.#typing, t);
  }

  logRequest(r: RequestLogRecord): void {
    pushCapped(this.#requests, r);
  }

  logWebhook(w: WebhookLogRecord): void {
    pushCapped(this.#webhooks, w);
  }

  /** The last typing hook sent for a chat, for the once-per-5-seconds rule (§5.3). */
  lastCrmTyping(chatId: string): TypingRecord | undefined {
    return this.#typing.findLast((t) => t.chatId === chatId && t.origin === 'crm');
  }

  // Copies for inspection

  listConnections(): ConnectionRecord[] {
    return structuredClone([...this.#connections.values()]);
  }

  listChats(scopeId: string): ChatRecord[] {
    const chats = [...this.#chats.values()].filter((c) => c.scopeId === scopeId);
    return chats.map(({ participantIds, ...chat }) => ({
      ...structuredClone(chat),
      participants: participantIds.flatMap((id) => structuredClone(this.participant(scopeId, id) ?? [])),
    }));
  }

  listMessages(chatId: string): MessageRecord[] {
    return structuredClone(this.chatMessages(chatId));
  }

  listReactions(scopeId?: string): ReactionRecord[] {
    return structuredClone(this.#reactions.filter((r) => scopeId === undefined || r.scopeId === scopeId));
  }

  listTyping(scopeId?: string): TypingRecord[] {
    return structuredClone(this.#typing.filter((t) => scopeId === undefined || t.scopeId === scopeId));
  }

  listRequests(): RequestLogRecord[] {
    return structuredClone(this.#requests);
  }

  listWebhooks(): WebhookLogRecord[] {
    return structuredClone(this.#webhooks);
  }
}

function pushCapped<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_LOG_ENTRIES) list.splice(0, list.length - MAX_LOG_ENTRIES);
}
