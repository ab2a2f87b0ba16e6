/**
 * The bubble's own view of a conversation. The wire shapes live in `api.ts` only, which maps them onto
 * these types, so a change of the backend's JSON touches one file.
 */

export const AUTHORS = ['visitor', 'manager', 'bot'] as const;
export type Author = (typeof AUTHORS)[number];

export const MESSAGE_KINDS = ['text', 'picture', 'file', 'voice', 'audio', 'video', 'sticker'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Delivery of the visitor's own messages; only ever moves forward (`failed` aside). */
export const DELIVERY_STATES = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** `sendInterrupted`: an outage outlasted the retries; the only failure worth sending again. */
export const SEND_FAILURES = ['fileTooLarge', 'fileType', 'unavailable', 'sendFailed', 'sendInterrupted'] as const;
export type SendFailure = (typeof SEND_FAILURES)[number];

export interface Attachment {
  url: string;
  name: string;
  size?: number;
  contentType?: string;
  /** Preview of a picture or video. */
  thumbnail?: string;
}

export interface QuotedMessage {
  msgid: string;
  text: string;
  author?: Author;
  kind?: MessageKind;
}

/** One button of the manager's keyboard: a text button sends its text, a url button opens the link. */
export interface QuickReply {
  text: string;
  url?: string;
}

export interface Reaction {
  emoji: string;
  author: Author;
}

export interface ChatMessage {
  /** The backend's id; absent while the message is still in the outbox. */
  msgid?: string;
  /** The id this browser gave its own message (the send is idempotent on it). */
  clientMsgid?: string;
  author: Author;
  authorName?: string;
  kind: MessageKind;
  text: string;
  attachment?: Attachment;
  replyTo?: QuotedMessage;
  /** Rows of quick-reply buttons from the manager's markup. */
  buttons?: QuickReply[][];
  /** Own messages only. */
  state?: DeliveryState;
  /** Why an own message was not sent. */
  error?: SendFailure;
  reactions: Reaction[];
  editedAt?: number;
  /** Unix ms. */
  createdAt: number;
}

export type PrechatMode = 'off' | 'optional' | 'required';

/** Working hours: per weekday (`mon`…`sun`), `[from, to]` local times `HH:MM` in `timezone`. */
export interface WorkingHours {
  timezone: string;
  days: Partial<Record<string, [string, string][]>>;
}

/**
 * What the backend says about this site's chat at load (`GET /webchat/v1/settings`), as the admin set
 * it in amoCRM; the bubble's own defaults otherwise. Texts left `undefined` are the bubble's own words.
 */
export interface BubbleSettings {
  /** Largest file the backend takes, in bytes. */
  maxFileBytes: number;
  color?: string;
  position?: 'left' | 'right';
  title?: string;
  greeting?: string;
  awayMessage?: string;
  /** A fixed language, or undefined for the detected one. */
  language?: string;
  hours?: WorkingHours;
  prechat?: { name: PrechatMode; phone: PrechatMode; email: PrechatMode };
  /** A checkbox to tick before the first message, with the text it agrees to. */
  consentUrl?: string;
  storeBeforeOpen?: boolean;
}

/** The backend's upload limit when its settings have not arrived (20 MB, decimal as file managers show sizes). */
export const DEFAULT_MAX_FILE_BYTES = 20_000_000;

export interface Session {
  token: string;
  conversationId: string;
}

export interface Profile {
  name?: string;
  phone?: string;
  email?: string;
}

export type ChatEvent =
  | { type: 'message'; message: ChatMessage }
  | { type: 'status'; msgid: string; state: DeliveryState }
  | { type: 'typing'; author: Author; durationMs: number }
  | { type: 'reaction'; msgid: string; author: Author; emoji: string | null }
  | { type: 'edit'; msgid: string; text: string; editedAt: number };

const STATE_RANK: Record<DeliveryState, number> = { failed: -1, pending: 0, sent: 1, delivered: 2, read: 3 };

/** The later of two delivery states: a late `delivered` never hides an earlier `read`. */
export function laterState(a: DeliveryState | undefined, b: DeliveryState): DeliveryState {
  if (a === undefined || b === 'failed' || a === 'failed') return b;
  return STATE_RANK[b] > STATE_RANK[a] ? b : a;
}

export function kindOfContentType(contentType: string | undefined): MessageKind {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('image/')) return 'picture';
  if (type.startsWith('video/')) return 'video';
  if (type === 'audio/ogg' || type === 'audio/webm' || type === 'audio/opus') return 'voice';
  if (type.startsWith('audio/')) return 'audio';
  return 'file';
}
