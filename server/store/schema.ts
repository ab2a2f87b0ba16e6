/**
 * The Kysely `Database` interface: one entry per table. Times are unix milliseconds (number),
 * JSON columns are text holding JSON. Changing a column here needs a migration in `migrations/`.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export const CONNECTION_STATES = ['not_connected', 'connected', 'disconnected', 'error'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export interface AccountsTable {
  /** amoCRM's numeric account id (the one-time token's `account_id`). */
  id: number;
  /** Account host, e.g. `example.amocrm.ru`; REST calls and the amojo host derive from it. */
  host: string | null;
  /** The account's id inside the Chats service (uuid). */
  amojo_id: string | null;
  access_token: string | null;
  refresh_token: string | null;
  token_expires_at: number | null;
  connection_state: ConnectionState;
  /** Why the account is in `error` (a sentence for the admin), or null. */
  state_reason: string | null;
  scope_id: string | null;
  title: string | null;
  /** Public key of the account's website chat; rotating it invalidates old snippets. */
  site_key: string | null;
  /** The admin's language when known (`ru`, `en`). */
  language: string | null;
  created_at: number;
  updated_at: number;
}

export interface ConversationsTable {
  /** Ours: sent to amojo as `conversation_id`. */
  id: string;
  account_id: number;
  platform: string;
  /** The platform's own id of this chat (for the website chat: the visitor id). */
  platform_chat_id: string;
  /** Ours: sent to amojo as the client's `sender.id` / `receiver.id`. */
  participant_id: string;
  participant_name: string | null;
  /** JSON `{ phone?, email? }` of what the client gave. */
  profile: string | null;
  /** amojo's chat uuid (`conversation_ref_id`), known after the first send or hook. */
  amojo_chat_id: string | null;
  /** amojo's uuid of the client participant. */
  amojo_participant_id: string | null;
  created_at: number;
  updated_at: number;
}

export const MESSAGE_DIRECTIONS = ['inbound', 'outbound'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

export interface MessagesTable {
  /** Ours: sent to amojo as `msgid`, the idempotency key of `new_message`. */
  id: string;
  conversation_id: string;
  /** `inbound` = client → amoCRM, `outbound` = manager → client. */
  direction: MessageDirection;
  /** amojo's message uuid, once known. */
  amojo_msgid: string | null;
  /** The platform client's id for the message, unique within a conversation (retries collapse on it). */
  client_msgid: string | null;
  kind: string;
  status: string;
  /** JSON of the message content (text, media, reply_to, markup, …). */
  payload: string;
  error: string | null;
  created_at: number;
  updated_at: number;
  /** Position in the conversation: the id of the timeline event that added the message (003). */
  seq: number | null;
}

/** The conversation timeline (003): what clients see, in order; ids are event-stream ids. */
export interface ConversationEventsTable {
  id: Generated<number>;
  conversation_id: string;
  /** `message`, `status`, `reaction` or `edit`. */
  type: string;
  /** JSON of the event as clients receive it. */
  data: string;
  created_at: number;
}

/** Stored files (003): uploads of clients and files managers sent; the id is unguessable. */
export interface FilesTable {
  id: string;
  account_id: number;
  conversation_id: string | null;
  /** Safe display name. */
  name: string;
  content_type: string;
  size: number;
  /** How a message carrying it is shown: picture, video, voice, audio or file. */
  kind: string;
  /** The blob: relative to the files folder (SQLite), a `file_blobs` id (PostgreSQL). */
  path: string;
  sha256: string;
  /** `client` or `manager`. */
  origin: string;
  created_at: number;
}

/** PostgreSQL only (008): one blob of stored file bytes; `complete` once all its chunks are written. */
export interface FileBlobsTable {
  id: string;
  size: number;
  complete: boolean;
  created_at: number;
}

/** PostgreSQL only (008): a blob's bytes, `seq` × the chunk size onwards. */
export interface FileChunksTable {
  blob_id: string;
  seq: number;
  data: Buffer;
}

/** Reactions (003): one per person and message. */
export interface ReactionsTable {
  message_id: string;
  conversation_id: string;
  /** `client` or `manager`. */
  side: string;
  /** Our participant id, or the manager's amojo id. */
  user_id: string;
  emoji: string;
  updated_at: number;
}

/** A webhook accepted and acknowledged, waiting to be moved into `jobs`. */
export interface InboundHooksTable {
  id: Generated<number>;
  dedupe_key: string;
  scope_id: string;
  /** The hook's kind (message, typing, reaction). */
  kind: string;
  /** The job that will process it, as `jobs` columns. */
  job_kind: string;
  queue_key: string | null;
  payload: string;
  received_at: number;
}

export interface InboundEventsTable {
  /** Derived from the hook's identity (amojo message id, reaction, typing); a repeat collides here. */
  dedupe_key: string;
  scope_id: string;
  kind: string;
  received_at: number;
}

/**
 * `waiting`: behind an unfinished job of its queue; it becomes `pending` when that job finishes,
 * so the claim reads only the heads of queues however long a conversation's backlog grows.
 */
export const JOB_STATES = ['pending', 'waiting', 'running', 'dead'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** Jobs sharing a queue key run one at a time, in id order (per-conversation order). */
  queue_key: string | null;
  /** A second job with the same key is not created. */
  idempotency_key: string | null;
  payload: string;
  state: JobState;
  attempts: number;
  run_after: number;
  lease_until: number | null;
  leased_by: string | null;
  last_error: string | null;
  /** PostgreSQL: the process that queued it (its connections' application_name); null on SQLite. */
  home: Generated<string | null>;
  created_at: number;
  updated_at: number;
}

export interface KvTable {
  key: string;
  value: string;
}

export interface UsedTokenIdsTable {
  jti: string;
  expires_at: number;
}

/** Per-account settings an admin changes in the widget (005). */
export interface AccountSettingsTable {
  account_id: number;
  /** JSON of the bubble's settings the admin changed; absent keys keep their defaults. */
  webchat: string | null;
  /** Signs identified visitors' `user_hash`; generated with the row, shown to admins only. */
  identity_secret: string;
  /** JSON `{ <channel>: { pipeline_id, source_id, external_id } }`: the amoCRM source of each channel. */
  channel_sources: string | null;
  updated_at: number;
}

/** Each account’s connection to a channel beyond the first (009), per platform. */
export interface ChannelConnectionsTable {
  account_id: number;
  platform: string;
  state: ConnectionState;
  state_reason: string | null;
  /** The channel's scope while connected. */
  scope_id: string | null;
  title: string | null;
  /** The platform's id of what is attached (a bot id); unique per platform. */
  lookup_key: string | null;
  /** JSON the platform keeps about the connection (secrets in it are encrypted by the platform). */
  data: string | null;
  updated_at: number;
}

/** The platform's ids of a message's parts after the first (`client_msgid`), in order. */
export interface MessagePartsTable {
  conversation_id: string;
  platform_msgid: string;
  message_id: string;
  position: number;
}

export interface Database {
  accounts: AccountsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  inbound_hooks: InboundHooksTable;
  inbound_events: InboundEventsTable;
  jobs: JobsTable;
  kv: KvTable;
  used_token_ids: UsedTokenIdsTable;
  conversation_events: ConversationEventsTable;
  files: FilesTable;
  reactions: ReactionsTable;
  account_settings: AccountSettingsTable;
  file_blobs: FileBlobsTable;
  file_chunks: FileChunksTable;
  channel_connections: ChannelConnectionsTable;
  message_parts: MessagePartsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type NewAccountRow = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type JobRow = Selectable<JobsTable>;
export type InboundHooksRow = Selectable<InboundHooksTable>;
export type NewJobRow = Insertable<JobsTable>;
export type { ColumnType };
