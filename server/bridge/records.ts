/**
 * What the bridge stores and hands to platforms: conversations, messages (one row holds both
 * sides' ids), files, reactions and the conversation timeline. Field names are camelCase here;
 * timeline `data` is snake_case because it is what clients receive verbatim.
 */
import { z } from 'zod';
import type {
  AmojoChatId,
  AmojoMsgId,
  AmojoParticipantId,
  ClientMsgId,
  ConversationId,
  FileId,
  MsgId,
  ParticipantId,
  ScopeId,
} from './ids.js';

/** Platforms by name; a second platform adds its name here and a folder under `platforms/`. */
export type PlatformKind = string;

/** Message kinds the bridge carries (amojo `message.type` values, chats-api.md §4.4). */
export const MESSAGE_KINDS = ['text', 'picture', 'file', 'video', 'voice', 'audio', 'sticker', 'location', 'contact'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** `inbound` = client → amoCRM, `outbound` = manager → client (the column's values). */
export type MessageDirection = 'inbound' | 'outbound';

/**
 * Inbound: `queued` (accepted; its send job exists), `held` (accepted while the account was not
 * connected; no job until it connects; clients see it as `queued`), `sent` (amojo took it),
 * `read` (amojo took it and a manager answered after it), `failed`. Outbound: `received` (stored),
 * `delivered` (reached an open client), `read`, `failed`.
 */
export const MESSAGE_STATUSES = ['queued', 'held', 'sent', 'failed', 'received', 'delivered', 'read'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** A client message amojo has (known there by our msgid): `sent`, or `read` since. */
export function isAtAmojo(m: Pick<MessageRecord, 'direction' | 'status'>): boolean {
  return m.direction === 'inbound' && (m.status === 'sent' || m.status === 'read');
}

/** Outbound statuses only move forward; this is their order. */
export const OUTBOUND_STATUS_RANK: Record<'received' | 'delivered' | 'read', number> = { received: 0, delivered: 1, read: 2 };

export interface Profile {
  phone?: string;
  email?: string;
  /** The client's profile in their messenger (amojo `sender.profile_link`). */
  profileLink?: string;
}

/** The connection facts the bridge needs about an account (the accounts row has more). */
export interface BridgeAccount {
  id: number;
  /** The account's first channel (the one platforms without a channel of their own use). */
  isConnected: boolean;
  scopeId: ScopeId | null;
  /** Per platform with a channel of its own, that channel's scope while connected. */
  channelScopes: Partial<Record<PlatformKind, ScopeId>>;
  /** Account host; the amojo host derives from it. */
  host: string | null;
  /**
   * Per platform, the amoCRM source its chats are sent with (`source.external_id`): it routes a
   * new chat's lead into the pipeline the admin chose. Absent: amoCRM's default source.
   */
  sourceExternalIds: Partial<Record<PlatformKind, string>>;
}

export interface ConversationRecord {
  id: ConversationId;
  accountId: number;
  platform: PlatformKind;
  /** The platform's own id of this chat (website chat: the visitor id). */
  platformChatId: string;
  participantId: ParticipantId;
  participantName: string;
  profile: Profile;
  amojoChatId: AmojoChatId | null;
  amojoParticipantId: AmojoParticipantId | null;
  createdAt: number;
}

export const fileRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number(),
  contentType: z.string(),
});
export type FileRef = { id: FileId; name: string; size: number; contentType: string };

export const buttonSchema = z.object({ text: z.string(), url: z.string().optional() });
export type QuickReply = z.infer<typeof buttonSchema>;

/** A message's content as stored (JSON column `payload`). */
export const messageContentSchema = z.object({
  text: z.string().optional(),
  file: fileRefSchema.optional(),
  /** What the message quotes: our msgid, amojo's id when known, and a snapshot for display. */
  replyTo: z
    .object({ msgid: z.string(), amojoMsgId: z.string().optional(), text: z.string().optional(), kind: z.string().optional() })
    .optional(),
  /** Manager buttons (rows), shown as quick replies. */
  buttons: z.array(z.array(buttonSchema)).optional(),
  templateId: z.number().optional(),
  senderName: z.string().optional(),
  editedAt: z.number().optional(),
  /** Voice, audio and video length in seconds, when the client's platform tells it. */
  durationSec: z.number().optional(),
  /** A shared place (kind `location`). */
  location: z.object({ lat: z.number(), lon: z.number() }).optional(),
  /** A shared contact card (kind `contact`). */
  contact: z.object({ name: z.string(), phone: z.string() }).optional(),
  /** Client messages imported after a reconnect: sent with `silent: true` (all but the newest). */
  silent: z.boolean().optional(),
  /** The web page the client wrote from, when it changed since their previous message (page-line.ts). */
  page: z.object({ url: z.string(), title: z.string().optional() }).optional(),
  /**
   * A line for the managers only, sent to amoCRM before the client's text (the platform's words,
   * e.g. "written outside working hours"); the client never sees it.
   */
  managerNote: z.string().optional(),
});
export type MessageContent = Omit<z.infer<typeof messageContentSchema>, 'file' | 'replyTo'> & {
  file?: FileRef;
  replyTo?: { msgid: MsgId; amojoMsgId?: AmojoMsgId; text?: string; kind?: string };
};

export interface MessageRecord {
  id: MsgId;
  conversationId: ConversationId;
  direction: MessageDirection;
  amojoMsgId: AmojoMsgId | null;
  clientMsgId: ClientMsgId | null;
  kind: MessageKind;
  status: MessageStatus;
  content: MessageContent;
  error: string | null;
  /** Position in the conversation (the id of the timeline event that added it). */
  seq: number;
  createdAt: number;
  updatedAt: number;
}

export const FILE_ORIGINS = ['client', 'manager'] as const;
export type FileOrigin = (typeof FILE_ORIGINS)[number];

export interface FileRecord {
  id: FileId;
  accountId: number;
  conversationId: ConversationId | null;
  name: string;
  contentType: string;
  size: number;
  /** How a message carrying the file is shown (picture, video, voice, audio or file). */
  kind: MessageKind;
  /** Where the blob store keeps the bytes (relative to its folder). */
  path: string;
  sha256: string;
  origin: FileOrigin;
  createdAt: number;
}

export type ReactionSide = 'client' | 'manager';

export interface ReactionRecord {
  messageId: MsgId;
  conversationId: ConversationId;
  side: ReactionSide;
  /** Our participant id (client side) or the manager's amojo id. */
  userId: string;
  emoji: string;
  updatedAt: number;
}

// ---- The timeline: what clients see, in order; event ids are the SSE ids ----

export const TIMELINE_EVENT_TYPES = ['message', 'status', 'reaction', 'edit'] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

export interface MessageView {
  msgid: MsgId;
  client_msgid: string | null;
  from: 'client' | 'manager';
  type: MessageKind;
  text: string | null;
  file: { id: FileId; url: string; name: string; size: number; content_type: string } | null;
  reply_to: { msgid: MsgId; text: string | null; type: string | null } | null;
  /** Manager buttons as quick replies (rows); a button with a `url` opens the link. */
  quick_replies: QuickReply[][] | null;
  sender_name: string | null;
  status: MessageStatus;
  error: string | null;
  reactions: Array<{ from: ReactionSide; emoji: string }>;
  edited_at: number | null;
  created_at: number;
}

export interface StatusView {
  msgid: MsgId;
  status: MessageStatus;
  error: string | null;
}

export interface ReactionView {
  msgid: MsgId;
  from: ReactionSide;
  type: 'react' | 'unreact';
  emoji: string | null;
}

export interface EditView {
  msgid: MsgId;
  text: string;
  edited_at: number;
}

export type TimelineData =
  | { type: 'message'; data: MessageView }
  | { type: 'status'; data: StatusView }
  | { type: 'reaction'; data: ReactionView }
  | { type: 'edit'; data: EditView };

export type TimelineEvent = TimelineData & {
  /** Increases with every event of the installation; the SSE event id. */
  id: number;
  conversationId: ConversationId;
  createdAt: number;
};

/** An event's id and when it was inserted (`createdAt`, the inserting instance's clock). */
export interface EventStamp {
  id: number;
  createdAt: number;
}

/** Ephemeral: not in the timeline, not replayed. */
export interface TypingNotice {
  conversationId: ConversationId;
  from: 'manager';
  /** Unix ms when the indicator should end. */
  until: number;
}
