/**
 * Typed requests and responses of the Chats API (chats-api.md §4). Field names are amojo's.
 * Naming trap (§0): in requests `msgid` / `id` are ours / amojo's; in the `new_message` response
 * it is the other way round, which `SendMessageResult` resolves into plainly named fields.
 */

export const MESSAGE_TYPES = ['text', 'contact', 'file', 'video', 'picture', 'voice', 'audio', 'sticker', 'location'] as const;
export type AmojoMessageType = (typeof MESSAGE_TYPES)[number];

export interface ConnectResult {
  accountId: string;
  scopeId: string;
  title: string | undefined;
  hookApiVersion: string | undefined;
  isTimeWindowDisabled: boolean | undefined;
}

export interface Profile {
  phone?: string;
  email?: string;
}

/** A chat participant as we send it: `id` is ours, `ref_id` is amojo's. */
export interface ParticipantRef {
  id: string;
  ref_id?: string;
  name: string;
  avatar?: string;
  profile?: Profile;
  profile_link?: string;
}

export interface CreateChatRequest {
  conversation_id: string;
  source?: { external_id: string };
  user: ParticipantRef;
}

export interface CreateChatResult {
  /** amojo chat uuid (`conversation_ref_id`). */
  amojoChatId: string;
  /** amojo uuid of the client participant. */
  amojoUserId: string | undefined;
}

/** Quoted message: by id (ours or amojo's) or described in full. */
export interface EmbeddedMessage {
  id?: string;
  msgid?: string;
  type?: AmojoMessageType;
  text?: string;
  file_name?: string;
  file_size?: number;
  media_duration?: number;
  timestamp?: number;
  msec_timestamp?: number;
  sender?: { id?: string; ref_id?: string; name?: string };
  location?: { lon: number; lat: number };
  contact?: { name: string; phone: string };
}

export interface MessageContent {
  type: AmojoMessageType;
  text?: string;
  media?: string;
  file_name?: string;
  file_size?: number;
  media_duration?: number;
  sticker_id?: string;
  location?: { lon: number; lat: number };
  contact?: { name: string; phone: string };
  callback_data?: string;
}

export interface NewMessagePayload {
  timestamp: number;
  msec_timestamp: number;
  /** Ours; amojo refuses a second message with the same msgid. */
  msgid: string;
  conversation_id: string;
  conversation_ref_id?: string;
  silent?: boolean;
  source?: { external_id: string };
  sender: ParticipantRef;
  receiver?: ParticipantRef;
  message: MessageContent;
  reply_to?: { message: EmbeddedMessage };
  forwards?: { messages: [EmbeddedMessage]; conversation_ref_id?: string; conversation_id?: string };
}

export interface SendMessageResult {
  /** amojo's message uuid (the response's `new_message.msgid`), absent when amojo already had the message. */
  amojoMsgId: string | undefined;
  /** amojo's chat uuid, when the response carries it. */
  amojoChatId: string | undefined;
  amojoSenderId: string | undefined;
  amojoReceiverId: string | undefined;
  /** True when amojo refused the msgid as a duplicate: the message was delivered by an earlier try. */
  alreadyDelivered: boolean;
}

export interface EditMessagePayload {
  timestamp: number;
  msec_timestamp: number;
  msgid?: string;
  /** amojo message uuid. */
  id?: string;
  conversation_id?: string;
  conversation_ref_id?: string;
  message: Partial<MessageContent> & {
    delivery_status?: { status_code: number; error_code?: number; error?: string };
  };
}

export const DELIVERY_STATUS = { delivered: 1, read: 2, error: -1 } as const;

/** Error codes sent with status -1 (chats-api.md §4.7). */
export const DELIVERY_ERROR = {
  /** The user deleted the conversation. */
  conversationDeleted: 901,
  /** The integration is disabled on the channel side. */
  integrationDisabled: 902,
  internalError: 903,
  /** The conversation cannot be created (e.g. write-first to a channel that cannot start chats). */
  cannotCreateConversation: 904,
  /** Any other error; a text is mandatory. */
  other: 905,
} as const;
export type DeliveryErrorCode = (typeof DELIVERY_ERROR)[keyof typeof DELIVERY_ERROR];

export type DeliveryStatusUpdate =
  | { status: 1 | 2 }
  | { status: -1; errorCode: Exclude<DeliveryErrorCode, 905>; errorText?: string }
  | { status: -1; errorCode: 905; errorText: string };

export interface HistoryParticipant {
  id: string;
  client_id?: string;
  name?: string;
  avatar?: string;
  phone?: string;
  email?: string;
}

export interface HistoryMessage {
  timestamp: number;
  msec_timestamp?: number;
  sender?: HistoryParticipant;
  receiver?: HistoryParticipant;
  message: {
    id: string;
    client_id?: string;
    type: string;
    text?: string;
    media?: string;
    thumbnail?: string;
    file_name?: string;
    file_size?: number;
    media_group_id?: string;
  };
}

export interface TypingRequest {
  conversation_id: string;
  sender: { id: string };
  duration_ms?: number;
}

export interface ReactRequest {
  conversation_id?: string;
  conversation_ref_id?: string;
  msgid?: string;
  id?: string;
  user: { id: string; ref_id?: string };
  type: 'react' | 'unreact';
  emoji?: string;
}
