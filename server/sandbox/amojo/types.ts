/**
 * Public types of the Chats API emulator: its options and the records its inspection methods return.
 * Every record is a plain copy; changing one never changes the emulator's state.
 */

export const MESSAGE_TYPES = ['text', 'contact', 'file', 'video', 'picture', 'voice', 'audio', 'sticker', 'location'] as const;
export type EmulatedMessageType = (typeof MESSAGE_TYPES)[number];

export interface EmulatedChannel {
  /** Channel uuid. */
  id: string;
  /** Channel secret: signs requests (checked here) and webhooks (sent from here). */
  secret: string;
  code?: string;
  /** The channel bot's amojo id; a random uuid when absent. */
  botId?: string;
  /** Default title of a connection when connect sends none. */
  title?: string;
  /** Webhook URL with the literal marker `:scope_id`, e.g. `http://127.0.0.1:3000/amojo/webhook/:scope_id`. */
  webhookUrl?: string;
  /** When set, the channel is private: only these account amojo ids may connect (others get 403). */
  allowedAccounts?: string[];
}

/** Posts one webhook: must send `body` byte for byte and resolve with the HTTP status (reject when no answer came). */
export type WebhookPoster = (url: string, body: Buffer, headers: Record<string, string>) => Promise<number>;

export interface AmojoEmulatorOptions {
  channels: EmulatedChannel[];
  /** Clock in ms; drives the 15-minute Date window, message timestamps and hook times. */
  now?: () => number;
  /** Id generator for amojo-side uuids (chats, messages, participants, attachments). */
  newId?: () => string;
  /** Sends webhooks; the default POSTs with global fetch and gives up after 5 s, as amojo does (§3.3). */
  postWebhook?: WebhookPoster;
  /**
   * External base URL of the emulator, mount prefix included (e.g. `http://localhost:3000/sandbox/amojo`),
   * used in attachment links of manager messages. When absent, `listen()` sets it, or else it is learned
   * from the first Chats API request that reaches the router.
   */
  publicUrl?: string;
  /** When true, the `media` of every accepted integration message is downloaded, as amoCRM does, and the outcome recorded. */
  downloadMedia?: boolean;
  /**
   * The pipeline a new chat's unsorted lead goes to: amoCRM resolves the chat's source (its
   * `external_id`, or the default source when absent or unknown) in the account (chats-api.md §7).
   * Answered by the amoCRM side (the sandbox wires its emulator in); without it leads record no pipeline.
   */
  leadPipeline?: (accountAmojoId: string, sourceExternalId: string | undefined) => { id: number; name: string } | null;
  /**
   * A chat's first unsorted lead was opened: amoCRM writes the client's name, phone and e-mail into
   * the contact it creates for it (§4.4 `profile`). The sandbox hands this to its amoCRM emulator.
   */
  onLeadOpened?: (accountAmojoId: string, chatId: string, client: { name: string; phone?: string | undefined; email?: string | undefined }) => void;
}

export interface ConnectionRecord {
  scopeId: string;
  channelId: string;
  accountId: string;
  title: string;
  hookApiVersion: string;
  isTimeWindowDisabled: boolean;
  /** False after disconnect: calls on the scope are refused and no hooks are sent. */
  isActive: boolean;
  connectedAt: number;
}

export const PARTICIPANT_KINDS = ['client', 'manager', 'bot'] as const;
export type ParticipantKind = (typeof PARTICIPANT_KINDS)[number];

export interface ParticipantRecord {
  /** amojo uuid. */
  amojoId: string;
  /** The integration's id for this participant; absent for CRM users and write-first clients not yet bound. */
  clientId?: string;
  kind: ParticipantKind;
  name: string;
  avatar?: string;
  phone?: string;
  email?: string;
  profileLink?: string;
}

export interface ChatRecord {
  /** amojo chat uuid (`conversation_ref_id`). */
  id: string;
  scopeId: string;
  /** The integration's `conversation_id`; absent for a write-first chat until a message binds it. */
  conversationId?: string;
  sourceExternalId?: string;
  /**
   * The unsorted lead the chat's first non-silent client message created: the pipeline it went
   * to is fixed then (a later change of the source's pipeline moves new chats only).
   */
  lead?: { pipelineId: number | null; pipelineName: string | null; createdAt: number };
  /** amojo id of the client of this chat. */
  clientAmojoId: string;
  participants: ParticipantRecord[];
  createdAt: number;
}

export interface Location {
  lon: number;
  lat: number;
}

export interface ContactCard {
  name: string;
  phone: string;
}

/** What a message shows; edits replace it and keep the previous versions in `edits`. */
export interface MessageContent {
  type: EmulatedMessageType;
  text: string;
  media?: string;
  thumbnail?: string;
  fileName?: string;
  fileSize?: number;
  mediaDuration?: number;
  stickerId?: string;
  location?: Location;
  contact?: ContactCard;
  callbackData?: string;
  sharedPost?: Record<string, unknown>;
  post?: Record<string, unknown>;
  markup?: Record<string, unknown>;
  template?: Record<string, unknown>;
  mediaGroupId?: string;
}

export interface DeliveryStatusRecord {
  status: number;
  errorCode?: number;
  error?: string;
  at: number;
}

export interface EditRecord {
  at: number;
  /** The content before this edit. */
  previous: MessageContent;
}

/** A quote: the quoted message's amojo id when it was referenced by id, else the described message as sent. */
export interface QuoteRecord {
  amojoMsgId?: string;
  described?: Record<string, unknown>;
}

export interface MediaDownloadRecord {
  url: string;
  status?: number;
  bytes?: number;
  error?: string;
}

export interface MessageRecord {
  amojoMsgId: string;
  /** The integration's msgid; absent for messages written in the CRM until an edit attaches one. */
  msgid?: string;
  scopeId: string;
  chatId: string;
  /** `integration`: imported through the API; `crm`: written by a manager (and sent out as a webhook). */
  origin: 'integration' | 'crm';
  /** `incoming`: from the client; `outgoing`: from a manager or the bot to the client. */
  direction: 'incoming' | 'outgoing';
  senderAmojoId: string;
  receiverAmojoId?: string;
  timestamp: number;
  msecTimestamp: number;
  content: MessageContent;
  replyTo?: QuoteRecord;
  forwards?: QuoteRecord[];
  silent: boolean;
  sourceExternalId?: string;
  edits: EditRecord[];
  deliveryStatuses: DeliveryStatusRecord[];
  mediaDownload?: MediaDownloadRecord;
  createdAt: number;
}

export interface ReactionRecord {
  scopeId: string;
  chatId: string;
  amojoMsgId: string;
  type: 'react' | 'unreact';
  emoji?: string;
  /** `integration`: sent through the react endpoint; `crm`: a manager reacted (a webhook went out). */
  origin: 'integration' | 'crm';
  /** The integration's user id (integration reactions) or the manager's amojo id (CRM reactions). */
  userId: string;
  userRefId?: string;
  at: number;
}

export interface TypingRecord {
  scopeId: string;
  chatId: string;
  origin: 'integration' | 'crm';
  /** The integration's id of the person typing, or the manager's amojo id. */
  userId: string;
  durationMs: number;
  at: number;
}

export interface RequestLogRecord {
  method: string;
  /** Path as received, without the query string. */
  path: string;
  status: number;
  /** Machine reason of a refusal (`invalid_signature`, `duplicate_msgid`, …). */
  errorType?: string;
  at: number;
}

export type WebhookKind = 'message' | 'reaction' | 'typing';

export interface WebhookLogRecord {
  kind: WebhookKind;
  scopeId: string;
  url?: string;
  body: unknown;
  /** HTTP status of the receiver; absent when no answer came. */
  status?: number;
  error?: string;
  at: number;
}

export interface HookOutcome {
  /** HTTP status the receiver answered, or null when the hook could not be delivered (no URL, network error, 5 s timeout). */
  hookStatus: number | null;
  hookError?: string;
}
