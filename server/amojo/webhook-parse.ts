/**
 * Parses v2 webhooks (chats-api.md §5) into typed events. Shapes are told apart by content:
 * `message` → outgoing message (comment reply when it carries `post`), `action.typing`,
 * `action.reaction`. Optional fields may be missing and the docs disagree on a few places, so the
 * parser accepts each documented variant (noted inline) and refuses only what cannot be used.
 */
import { z } from 'zod';

const str = z.string();
const optStr = z.string().nullish().transform((v) => (v == null || v === '' ? undefined : v));
/** Strictly typed on our side, tolerant on theirs: a numeric string is read as a number. */
const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

const participant = z
  .object({ id: str.min(1), client_id: optStr, name: optStr, phone: optStr, email: optStr })
  .passthrough();

const markupButton = z.object({ text: str, url: optStr }).passthrough();
const markup = z
  .object({
    mode: optStr,
    buttons: z.array(z.array(markupButton)).optional(),
    list_message: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

const embedded = z
  .object({
    id: optStr,
    msgid: optStr,
    type: optStr,
    text: optStr,
    media: optStr,
    file_name: optStr,
    file_size: num.optional(),
    timestamp: num.optional(),
    sender: z.object({ id: optStr, client_id: optStr, name: optStr }).passthrough().optional(),
  })
  .passthrough();

const messageHook = z.object({
  account_id: str.min(1),
  time: num.optional(),
  message: z.object({
    conversation: z.object({ id: str.min(1), client_id: optStr }).passthrough(),
    sender: participant,
    receiver: participant.extend({ id: optStr }).optional(),
    source: z.object({ external_id: optStr }).passthrough().nullish(),
    timestamp: num.optional(),
    msec_timestamp: num.optional(),
    message: z
      .object({
        id: str.min(1),
        type: str.min(1),
        text: optStr,
        tag: optStr,
        media: optStr,
        thumbnail: optStr,
        file_name: optStr,
        file_size: num.optional(),
        media_group_id: optStr,
        markup: markup.nullish(),
        template: z.object({ id: num.optional(), external_id: optStr, content: optStr, params: z.array(z.object({ key: str, value: str })).optional() }).passthrough().nullish(),
        reply_to: z.object({ message: embedded }).passthrough().nullish(),
        forwards: z.object({ messages: z.array(embedded), conversation_ref_id: optStr }).passthrough().nullish(),
        post: z.object({ id: z.union([str, num]).transform(String) }).passthrough().nullish(),
        // §5.1 lists no location or contact type for managers; if amoCRM sends one, it is read in
        // the shapes of its message object (§4.4) [unconfirmed].
        location: z.object({ lon: num, lat: num }).passthrough().nullish(),
        contact: z.object({ name: optStr, phone: str.min(1) }).passthrough().nullish(),
      })
      .passthrough(),
  }),
});

const conversationRef = z.object({ id: str.min(1), client_id: optStr }).passthrough();

const typingHook = z.object({
  account_id: str.min(1),
  time: num.optional(),
  action: z.object({
    typing: z
      .object({
        // The docs' table puts the user at action.user, the example at action.typing.user (§5.3).
        user: z.object({ id: str.min(1) }).passthrough().optional(),
        conversation: conversationRef,
        expired_at: num.optional(),
        post_id: z.union([str, num]).transform(String).optional(),
      })
      .passthrough(),
    user: z.object({ id: str.min(1) }).passthrough().optional(),
  }),
});

const reactionHook = z.object({
  account_id: str.min(1),
  time: num.optional(),
  action: z.object({
    reaction: z
      .object({
        // The table describes a `message` object, the example a top-level `msgid` (§5.4): either will do.
        message: z.object({ id: str.min(1), client_id: optStr }).passthrough().optional(),
        msgid: optStr,
        user: z.object({ id: str.min(1) }).passthrough(),
        conversation: conversationRef,
        type: z.enum(['react', 'unreact']),
        emoji: optStr,
      })
      .passthrough(),
  }),
});

export interface HookMessageContent {
  amojoMsgId: string;
  type: string;
  text: string | undefined;
  media: string | undefined;
  thumbnail: string | undefined;
  fileName: string | undefined;
  fileSize: number | undefined;
  mediaGroupId: string | undefined;
  /** Button rows of an inline keyboard (each button: text, optional url). */
  buttons: Array<Array<{ text: string; url: string | undefined }>> | undefined;
  listMessage: Record<string, unknown> | undefined;
  template: { id: number | undefined; content: string | undefined } | undefined;
  replyTo: { amojoMsgId: string | undefined; msgid: string | undefined; text: string | undefined; type: string | undefined } | undefined;
  forwarded: { amojoMsgId: string | undefined; msgid: string | undefined; text: string | undefined } | undefined;
  location: { lon: number; lat: number } | undefined;
  contact: { name: string | undefined; phone: string } | undefined;
}

export interface MessageHookEvent {
  kind: 'message';
  accountAmojoId: string;
  amojoChatId: string;
  /** Ours; missing for chats started from amoCRM ("write first"). */
  conversationId: string | undefined;
  senderAmojoId: string;
  senderName: string | undefined;
  receiverAmojoId: string | undefined;
  receiverClientId: string | undefined;
  receiverPhone: string | undefined;
  sourceExternalId: string | undefined;
  msecTimestamp: number;
  /** A chat started from amoCRM by phone: no conversation of ours exists yet. */
  isWriteFirst: boolean;
  /** Set for a manager's reply to a comment (§5.5): our post id. */
  postId: string | undefined;
  message: HookMessageContent;
}

export interface TypingHookEvent {
  kind: 'typing';
  accountAmojoId: string;
  amojoChatId: string;
  conversationId: string | undefined;
  userAmojoId: string;
  /** Unix ms when the indicator should end. */
  expiresAt: number;
  postId: string | undefined;
}

export interface ReactionHookEvent {
  kind: 'reaction';
  accountAmojoId: string;
  amojoChatId: string;
  conversationId: string | undefined;
  amojoMsgId: string;
  /** Our msgid of the message reacted to, when amojo knows it. */
  clientMsgId: string | undefined;
  userAmojoId: string;
  type: 'react' | 'unreact';
  emoji: string | undefined;
  /** Unix ms of the hook, to tell a later identical reaction from a repeat. */
  time: number;
}

export type HookEvent = MessageHookEvent | TypingHookEvent | ReactionHookEvent;

export class HookParseError extends Error {
  override name = 'HookParseError';
}

/** Parses an already JSON-decoded body; throws HookParseError for an unknown or unusable shape. */
export function parseHook(body: unknown, receivedAt: number): HookEvent {
  if (!body || typeof body !== 'object') throw new HookParseError('hook body is not an object');
  const o = body as Record<string, unknown>;
  const action = o['action'] as Record<string, unknown> | undefined;
  if (o['message'] !== undefined) return toMessageEvent(parseWith(messageHook, body, 'message'), receivedAt);
  if (action && action['typing'] !== undefined) return toTypingEvent(parseWith(typingHook, body, 'typing'), receivedAt);
  if (action && action['reaction'] !== undefined) return toReactionEvent(parseWith(reactionHook, body, 'reaction'), receivedAt);
  throw new HookParseError('unknown hook shape (no message, action.typing or action.reaction)');
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown, kind: string): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new HookParseError(`${kind} hook: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

function toMessageEvent(h: z.infer<typeof messageHook>, receivedAt: number): MessageHookEvent {
  const m = h.message;
  const c = m.message;
  const msec = m.msec_timestamp ?? (m.timestamp !== undefined ? m.timestamp * 1000 : h.time !== undefined ? h.time * 1000 : receivedAt);
  const reply = c.reply_to?.message;
  const fwd = c.forwards?.messages[0];
  return {
    kind: 'message',
    accountAmojoId: h.account_id,
    amojoChatId: m.conversation.id,
    conversationId: m.conversation.client_id,
    senderAmojoId: m.sender.id,
    senderName: m.sender.name,
    receiverAmojoId: m.receiver?.id,
    receiverClientId: m.receiver?.client_id,
    receiverPhone: m.receiver?.phone,
    sourceExternalId: m.source?.external_id,
    msecTimestamp: msec,
    isWriteFirst: m.conversation.client_id === undefined,
    postId: c.post?.id,
    message: {
      amojoMsgId: c.id,
      type: c.type,
      text: c.text,
      media: c.media,
      thumbnail: c.thumbnail,
      fileName: c.file_name,
      fileSize: c.file_size,
      mediaGroupId: c.media_group_id,
      buttons: c.markup?.buttons?.map((row) => row.map((b) => ({ text: b.text, url: b.url }))),
      listMessage: c.markup?.list_message,
      template: c.template ? { id: c.template.id, content: c.template.content } : undefined,
      replyTo: reply ? { amojoMsgId: reply.id, msgid: reply.msgid, text: reply.text, type: reply.type } : undefined,
      forwarded: fwd ? { amojoMsgId: fwd.id, msgid: fwd.msgid, text: fwd.text } : undefined,
      location: c.location ? { lon: c.location.lon, lat: c.location.lat } : undefined,
      contact: c.contact ? { name: c.contact.name, phone: c.contact.phone } : undefined,
    },
  };
}

function toTypingEvent(h: z.infer<typeof typingHook>, receivedAt: number): TypingHookEvent {
  const t = h.action.typing;
  const user = t.user ?? h.action.user;
  if (!user) throw new HookParseError('typing hook: no user (neither action.typing.user nor action.user)');
  return {
    kind: 'typing',
    accountAmojoId: h.account_id,
    amojoChatId: t.conversation.id,
    conversationId: t.conversation.client_id,
    userAmojoId: user.id,
    expiresAt: t.expired_at !== undefined ? t.expired_at * 1000 : receivedAt + 5000,
    postId: t.post_id,
  };
}

function toReactionEvent(h: z.infer<typeof reactionHook>, receivedAt: number): ReactionHookEvent {
  const r = h.action.reaction;
  const amojoMsgId = r.message?.id ?? r.msgid;
  if (!amojoMsgId) throw new HookParseError('reaction hook: no message id (neither action.reaction.message.id nor msgid)');
  return {
    kind: 'reaction',
    accountAmojoId: h.account_id,
    amojoChatId: r.conversation.id,
    conversationId: r.conversation.client_id,
    amojoMsgId,
    clientMsgId: r.message?.client_id,
    userAmojoId: r.user.id,
    type: r.type,
    emoji: r.emoji,
    time: h.time !== undefined ? h.time * 1000 : receivedAt,
  };
}

/** Identity of a hook: a repeat of the same event yields the same key. */
export function hookDedupeKey(e: HookEvent): string {
  switch (e.kind) {
    case 'message':
      return `msg:${e.message.amojoMsgId}`;
    case 'typing':
      return `typing:${e.amojoChatId}:${e.userAmojoId}:${e.expiresAt}`;
    case 'reaction':
      return `reaction:${e.amojoMsgId}:${e.userAmojoId}:${e.type}:${e.emoji ?? ''}:${e.time}`;
  }
}
