/**
 * What a manager does in the emulated amoCRM inbox: write (also first), react, type. Each action changes
 * the emulated state and sends the matching signed webhook to the channel (chats-api.md §5).
 */
import { attachmentPath, type AttachmentStore } from './attachments.js';
import { chatInScope, createChat, ensureManager, findMessage, normalizePhone, type ModelContext } from './chat-model.js';
import type { ChannelState, StoredChat } from './emulator-state.js';
import { messageHook, reactionHook, typingHook } from './hook-payloads.js';
import type { ConnectionRecord, ContactCard, EmulatedMessageType, HookOutcome, Location, MessageContent, MessageRecord, WebhookPoster } from './types.js';
import { deliverWebhook } from './webhook-delivery.js';

/**
 * Managers send these types. §5.1 lists no location or contact, but amoCRM's message object has
 * them (§4.4) and a manager can share both [unconfirmed]: they are sent in the §4.4 shapes.
 */
const MANAGER_MESSAGE_TYPES: readonly EmulatedMessageType[] = ['text', 'file', 'video', 'picture', 'voice', 'audio', 'sticker', 'location', 'contact'];
/** Typing hooks come at most once every 5 s per chat (§3.3). */
const TYPING_HOOK_INTERVAL_MS = 5000;

export class ManagerActionError extends Error {
  constructor(
    readonly code: 'not_found' | 'not_connected' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ManagerFile {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
  /** Declared size in the hook; defaults to the byte length. */
  size?: number;
}

export interface ManagerMessageInput {
  scopeId: string;
  /** amojo chat id. */
  chatId: string;
  text?: string;
  /** Inferred from the file's content type when absent (text without a file). */
  type?: EmulatedMessageType;
  /** A file the emulator serves itself; the hook links to it. */
  file?: ManagerFile;
  /** Or a link to a file elsewhere, used as is. */
  media?: { url: string; fileName?: string; fileSize?: number; thumbnail?: string };
  /** Length in seconds of a voice note, audio or video; the hook carries it as `media_duration`. */
  mediaDuration?: number;
  /** A place (type `location`) or a contact card (type `contact`). */
  location?: Location;
  contact?: ContactCard;
  markup?: Record<string, unknown>;
  template?: Record<string, unknown>;
  /** amojo id of a message of the same chat to quote. */
  replyTo?: string;
  /** The manager's amojo id; one default manager otherwise. */
  senderAmojoId?: string;
  senderName?: string;
  /** Shared by the hooks of one multi-attachment send (§5.1). */
  mediaGroupId?: string;
  /** A reply to a comment (§5.5). */
  post?: { id: string };
}

export interface ManagerMessageResult extends HookOutcome {
  amojoMsgId: string;
  chatId: string;
}

export interface WriteFirstInput {
  scopeId: string;
  phone: string;
  text: string;
  sourceExternalId?: string;
  senderAmojoId?: string;
}

export interface WriteFirstResult extends ManagerMessageResult {
  /** amojo id of the new client; the integration binds it with `sender.ref_id` (§5.2). */
  clientAmojoId: string;
}

export interface ManagerReactInput {
  scopeId: string;
  /** The message by amojo id … */
  amojoMsgId?: string;
  /** … or by the integration's msgid. */
  msgid?: string;
  emoji?: string;
  unreact?: boolean;
  userAmojoId?: string;
}

export interface ManagerTypingInput {
  scopeId: string;
  chatId: string;
  userAmojoId?: string;
}

export interface ManagerTypingResult extends HookOutcome {
  /** True when no hook was sent because one went out for this chat less than 5 s ago. */
  throttled: boolean;
}

export interface ManagerActionDeps extends ModelContext {
  attachments: AttachmentStore;
  postWebhook: WebhookPoster;
  /** The emulator's external base URL, for attachment links. */
  baseUrl: () => string;
  defaultManagerId: string;
}

export function createManagerActions(deps: ManagerActionDeps) {
  const { state } = deps;

  function requireScope(scopeId: string): { channel: ChannelState; connection: ConnectionRecord } {
    const connection = state.connection(scopeId);
    const channel = connection ? state.channels.get(connection.channelId) : undefined;
    if (!connection?.isActive || !channel) throw new ManagerActionError('not_connected', `scope ${scopeId} is not connected`);
    return { channel, connection };
  }

  function requireChat(scopeId: string, chatId: string): StoredChat {
    const chat = chatInScope(state, scopeId, chatId);
    if (!chat) throw new ManagerActionError('not_found', `chat ${chatId} does not exist in scope ${scopeId}`);
    return chat;
  }

  const hook = (channel: ChannelState, scopeId: string, kind: 'message' | 'reaction' | 'typing', payload: unknown): Promise<HookOutcome> =>
    deliverWebhook(deps, { scopeId, secret: channel.secret, webhookUrl: channel.webhookUrl }, kind, payload);

  function contentOf(input: Omit<ManagerMessageInput, 'scopeId' | 'chatId'>): MessageContent {
    const type = input.type ?? (input.file ? typeOfContentType(input.file.contentType) : input.media ? 'file' : input.location ? 'location' : input.contact ? 'contact' : 'text');
    if (!MANAGER_MESSAGE_TYPES.includes(type)) throw new ManagerActionError('invalid', `managers cannot send ${type} messages`);
    const content: MessageContent = { type, text: input.text ?? '' };
    if (input.file) {
      const stored = deps.attachments.add({ id: deps.newId(), fileName: input.file.fileName, contentType: input.file.contentType, bytes: Buffer.from(input.file.bytes) });
      content.media = `${deps.baseUrl()}${attachmentPath(stored)}`;
      content.fileName = input.file.fileName;
      content.fileSize = input.file.size ?? stored.bytes.length;
      // No resizing here: the preview of a picture is the picture itself.
      if (type === 'picture') content.thumbnail = content.media;
    } else if (input.media) {
      content.media = input.media.url;
      if (input.media.fileName !== undefined) content.fileName = input.media.fileName;
      if (input.media.fileSize !== undefined) content.fileSize = input.media.fileSize;
      if (input.media.thumbnail !== undefined) content.thumbnail = input.media.thumbnail;
    }
    if (type === 'text' && !content.text) throw new ManagerActionError('invalid', 'a text message needs text');
    if (type === 'location' || type === 'contact') {
      if (type === 'location' && input.location) content.location = { ...input.location };
      else if (type === 'contact' && input.contact) content.contact = { ...input.contact };
      else throw new ManagerActionError('invalid', `a ${type} message needs its ${type}`);
    } else if (type !== 'text' && !content.media) throw new ManagerActionError('invalid', `a ${type} message needs a file`);
    if (input.mediaDuration !== undefined) content.mediaDuration = input.mediaDuration;
    if (input.markup) content.markup = structuredClone(input.markup);
    if (input.template) content.template = structuredClone(input.template);
    if (input.mediaGroupId) content.mediaGroupId = input.mediaGroupId;
    if (input.post) content.post = { id: input.post.id };
    return content;
  }

  async function storeAndSend(channel: ChannelState, connection: ConnectionRecord, chat: StoredChat, m: MessageRecord): Promise<ManagerMessageResult> {
    state.addMessage(m);
    state.addChatParticipant(chat, m.senderAmojoId);
    const outcome = await hook(channel, connection.scopeId, 'message', messageHook(state, connection, chat, m, deps.now()));
    return { amojoMsgId: m.amojoMsgId, chatId: chat.id, ...outcome };
  }

  function newCrmMessage(chat: StoredChat, senderAmojoId: string, content: MessageContent): MessageRecord {
    const at = deps.now();
    return {
      amojoMsgId: deps.newId(),
      scopeId: chat.scopeId,
      chatId: chat.id,
      origin: 'crm',
      direction: 'outgoing',
      senderAmojoId,
      receiverAmojoId: chat.clientAmojoId,
      timestamp: Math.floor(at / 1000),
      msecTimestamp: at,
      content,
      silent: false,
      ...(chat.sourceExternalId !== undefined ? { sourceExternalId: chat.sourceExternalId } : {}),
      edits: [],
      deliveryStatuses: [],
      createdAt: at,
    };
  }

  return {
    /** A manager answers in a chat: the message is stored and sent out as a webhook (§5.1). */
    async sendManagerMessage(input: ManagerMessageInput): Promise<ManagerMessageResult> {
      const { channel, connection } = requireScope(input.scopeId);
      const chat = requireChat(input.scopeId, input.chatId);
      let quoted: MessageRecord | undefined;
      if (input.replyTo !== undefined) {
        quoted = findMessage(state, input.scopeId, { id: input.replyTo });
        if (quoted?.chatId !== chat.id) throw new ManagerActionError('not_found', `message ${input.replyTo} is not in chat ${chat.id}`);
      }
      const manager = ensureManager(deps, input.scopeId, input.senderAmojoId ?? deps.defaultManagerId, input.senderName);
      const m = newCrmMessage(chat, manager.amojoId, contentOf(input));
      if (quoted) m.replyTo = { amojoMsgId: quoted.amojoMsgId };
      return storeAndSend(channel, connection, chat, m);
    },

    /** A manager starts a chat by phone number: a new chat the integration does not know yet (§5.2). */
    async writeFirst(input: WriteFirstInput): Promise<WriteFirstResult> {
      const { channel, connection } = requireScope(input.scopeId);
      const phone = normalizePhone(input.phone);
      if (!/^\d{5,15}$/.test(phone)) throw new ManagerActionError('invalid', `not a phone number: ${input.phone}`);
      const client = state.addParticipant(input.scopeId, { amojoId: deps.newId(), kind: 'client', name: `+${phone}`, phone });
      const chat = createChat(deps, input.scopeId, client, undefined, input.sourceExternalId);
      const manager = ensureManager(deps, input.scopeId, input.senderAmojoId ?? deps.defaultManagerId);
      const result = await storeAndSend(channel, connection, chat, newCrmMessage(chat, manager.amojoId, contentOf({ text: input.text })));
      return { ...result, clientAmojoId: client.amojoId };
    },

    /** A manager reacts to (or withdraws a reaction from) a message (§5.4). */
    async managerReact(input: ManagerReactInput): Promise<HookOutcome> {
      const { channel, connection } = requireScope(input.scopeId);
      const m = findMessage(state, input.scopeId, { id: input.amojoMsgId, msgid: input.msgid });
      const chat = m ? state.chat(m.chatId) : undefined;
      if (!m || !chat) throw new ManagerActionError('not_found', `message ${input.amojoMsgId ?? input.msgid} does not exist`);
      const type = input.unreact ? 'unreact' : 'react';
      if (type === 'react' && !input.emoji) throw new ManagerActionError('invalid', 'a reaction needs an emoji');
      const user = ensureManager(deps, input.scopeId, input.userAmojoId ?? deps.defaultManagerId);
      const emoji = type === 'react' ? input.emoji : undefined;
      state.addReaction({
        scopeId: input.scopeId,
        chatId: chat.id,
        amojoMsgId: m.amojoMsgId,
        type,
        ...(emoji !== undefined ? { emoji } : {}),
        origin: 'crm',
        userId: user.amojoId,
        at: deps.now(),
      });
      const payload = reactionHook(state, connection, chat, m, { userAmojoId: user.amojoId, type, ...(emoji !== undefined ? { emoji } : {}) }, deps.now());
      return hook(channel, input.scopeId, 'reaction', payload);
    },

    /** A manager types in a chat (§5.3); at most one hook per chat every 5 s. */
    async managerTyping(input: ManagerTypingInput): Promise<ManagerTypingResult> {
      const { channel, connection } = requireScope(input.scopeId);
      const chat = requireChat(input.scopeId, input.chatId);
      const last = state.lastCrmTyping(chat.id);
      if (last && deps.now() - last.at < TYPING_HOOK_INTERVAL_MS) return { hookStatus: null, throttled: true };
      const user = ensureManager(deps, input.scopeId, input.userAmojoId ?? deps.defaultManagerId);
      state.addTyping({ scopeId: input.scopeId, chatId: chat.id, origin: 'crm', userId: user.amojoId, durationMs: TYPING_HOOK_INTERVAL_MS, at: deps.now() });
      const outcome = await hook(channel, input.scopeId, 'typing', typingHook(connection, chat, user.amojoId, deps.now()));
      return { ...outcome, throttled: false };
    },
  };
}

export type ManagerActions = ReturnType<typeof createManagerActions>;

/** The message type a file is shown as. Voice notes are recorded as Ogg/Opus or WebM. */
export function typeOfContentType(contentType: string): EmulatedMessageType {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type.startsWith('image/')) return 'picture';
  if (type.startsWith('video/')) return 'video';
  if (type === 'audio/ogg' || type === 'audio/opus' || type === 'audio/webm') return 'voice';
  if (type.startsWith('audio/')) return 'audio';
  return 'file';
}
