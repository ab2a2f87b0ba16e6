/**
 * What the bridge needs from the outside, as small interfaces (it imports no other server folder):
 * the Chats API (`ChatsGateway`), persistence (`BridgeStore`, `BlobStore`) and a logger. The
 * composition root (`services.ts`) passes the real implementations; tests may pass fakes.
 */
import type { Readable } from 'node:stream';
import type { AmojoMsgId, ConversationId, FileId, MsgId, ScopeId, ClientMsgId } from './ids.js';
import type { JobLease, JobRecord } from './job-runner.js';
import type {
  BridgeAccount,
  ConversationRecord,
  EventStamp,
  FileRecord,
  MessageKind,
  MessageRecord,
  MessageStatus,
  MessageContent,
  PlatformKind,
  Profile,
  ReactionRecord,
  ReactionSide,
  TimelineData,
  TimelineEvent,
  TypingNotice,
} from './records.js';

// ---- Chats API (field names are amojo's; chats-api.md §4) ----

/** Where a call goes: the connection's scope on the account's amojo host. */
export interface ChatsTarget {
  scopeId: ScopeId;
  host: string | null;
}

export interface OutgoingParticipant {
  /** Ours. */
  id: string;
  name: string;
  profile?: Pick<Profile, 'phone' | 'email'>;
  profile_link?: string;
}

export interface OutgoingContent {
  type: MessageKind;
  text?: string;
  /** Public URL amoCRM downloads the file from. */
  media?: string;
  file_name?: string;
  file_size?: number;
  media_duration?: number;
  location?: { lat: number; lon: number };
  contact?: { name: string; phone: string };
}

/** §4.4 new_message payload as the bridge sends it (client → amoCRM only). */
export interface NewMessageRequest {
  timestamp: number;
  msec_timestamp: number;
  msgid: string;
  conversation_id: string;
  silent?: boolean;
  /** The channel's amoCRM source (chats-api.md §7): the first message puts the chat's lead in its pipeline. */
  source?: { external_id: string };
  sender: OutgoingParticipant;
  message: OutgoingContent;
  /** Quote by our msgid (our messages) or amojo's id (messages written in amoCRM). */
  reply_to?: { message: { msgid?: string; id?: string } };
}

/** §4.5 edit_message payload. */
export interface EditMessageRequest {
  timestamp: number;
  msec_timestamp: number;
  msgid?: string;
  conversation_id?: string;
  message: { type: MessageKind; text?: string };
}

export interface SendOutcome {
  amojoMsgId: string | undefined;
  amojoChatId: string | undefined;
  amojoSenderId: string | undefined;
  /** amojo already had this msgid: an earlier try delivered it. */
  alreadyDelivered: boolean;
}

/** §4.7. 904: the conversation cannot be created; 905: any other error (text mandatory). */
export type DeliveryUpdate =
  | { status: 1 | 2 }
  | { status: -1; errorCode: 901 | 902 | 903 | 904; errorText?: string }
  | { status: -1; errorCode: 905; errorText: string };

export interface TypingRequest {
  conversation_id: string;
  sender: { id: string };
}

export interface ReactRequest {
  conversation_id: string;
  msgid?: string;
  id?: string;
  user: { id: string };
  type: 'react' | 'unreact';
  emoji?: string;
}

/**
 * The Chats API calls the bridge makes. Failures are thrown; an error with `retryable: false` is
 * permanent (4xx), anything else is retried by the job runner.
 */
export interface ChatsGateway {
  sendMessage(target: ChatsTarget, req: NewMessageRequest): Promise<SendOutcome>;
  editMessage(target: ChatsTarget, req: EditMessageRequest): Promise<void>;
  setDeliveryStatus(target: ChatsTarget, amojoMsgId: AmojoMsgId, update: DeliveryUpdate): Promise<void>;
  typing(target: ChatsTarget, req: TypingRequest): Promise<void>;
  react(target: ChatsTarget, req: ReactRequest): Promise<void>;
}

// ---- The CRM's contacts (amoCRM REST, not the Chats API) ----

/** What a client told about themselves, for the contact of their chat; `previousName` is what amoCRM got before. */
export interface ClientDetails {
  name: string;
  previousName: string;
  phone?: string;
  email?: string;
}

/**
 * Writes what a client told after their chat started into the CRM contact of that chat (amoCRM
 * fills a contact from the Chats API profile only when it creates it). Failures are thrown like the
 * gateway's: `retryable: false` is permanent.
 */
export interface CrmContacts {
  updateChatContact(accountId: number, amojoChatId: string, details: ClientDetails): Promise<void>;
}

// ---- Persistence ----

export interface BridgeJob {
  kind: string;
  payload: unknown;
  queueKey: string;
  idempotencyKey: string;
}

export interface MessagePatch {
  status?: MessageStatus;
  /** The platform's own id of the message, once its service took it (manager messages). */
  clientMsgId?: ClientMsgId;
  amojoMsgId?: AmojoMsgId;
  content?: MessageContent;
  error?: string | null;
}

/** Repositories the bridge uses; inside `transaction` they all write in one transaction. */
export interface BridgeRepos {
  accounts: {
    get(id: number): Promise<BridgeAccount | undefined>;
    listConnectedIds(): Promise<number[]>;
  };
  conversations: {
    insert(c: ConversationRecord): Promise<void>;
    get(id: ConversationId): Promise<ConversationRecord | undefined>;
    findByAmojoChat(accountId: number, amojoChatId: string): Promise<ConversationRecord | undefined>;
    /** The account's conversation with this platform chat id (unique per account and platform). */
    findByPlatformChat(accountId: number, platform: PlatformKind, platformChatId: string): Promise<ConversationRecord | undefined>;
    /** The account's conversations on `platform` whose client gave this e-mail or phone (compared exactly). */
    findByContact(accountId: number, platform: PlatformKind, contact: { email?: string; phone?: string }): Promise<ConversationRecord[]>;
    /**
     * Deletes the conversation with its messages, timeline, reactions, file rows and the waiting jobs
     * of `jobQueueKey`; answers what was deleted and the blob paths of its files (removed by the
     * caller after the commit).
     */
    erase(id: ConversationId, jobQueueKey: string): Promise<{ messages: number; files: Array<{ id: FileId; path: string }> }>;
    updateProfile(id: ConversationId, name: string, profile: Profile): Promise<void>;
    /** Fills amojo's ids of the chat and the client; ids already known are kept. */
    setAmojoIds(id: ConversationId, ids: { amojoChatId?: string; amojoParticipantId?: string }): Promise<void>;
    /** Conversations of an account with `held` client messages. */
    listWithHeld(accountId: number): Promise<ConversationId[]>;
  };
  messages: {
    /** False when a message with the same client msgid or amojo id exists (nothing written). */
    insert(m: MessageRecord): Promise<boolean>;
    /**
     * Appends `event` to the message's conversation and stores the message with the event's id as
     * its `seq`, as one statement where the database can (PostgreSQL). `inserted` as for `insert`;
     * when false the event was still appended: the caller rolls the transaction back. `othersHeld`:
     * the conversation had `held` client messages before this one.
     *
     * `job` (its send job, say) is stored in the same statement, only when the message is new and
     * no others are held (with others held, the caller gives them all jobs, oldest first): one
     * round trip for the message, its event and its job.
     */
    insertWithEvent(m: MessageRecord, event: TimelineData, job?: BridgeJob): Promise<{ eventId: number; inserted: boolean; othersHeld: boolean }>;
    get(id: MsgId): Promise<MessageRecord | undefined>;
    getByClientMsgId(conversationId: ConversationId, clientMsgId: ClientMsgId): Promise<MessageRecord | undefined>;
    /** The message one of whose later parts has this platform id (a manager message the platform sent in parts). */
    getByPlatformPart(conversationId: ConversationId, platformMsgId: ClientMsgId): Promise<MessageRecord | undefined>;
    /** Records the platform's ids of the message's parts after the first (which is `clientMsgId`), in order. */
    addPlatformParts(conversationId: ConversationId, messageId: MsgId, platformMsgIds: readonly ClientMsgId[]): Promise<void>;
    /** The platform's ids of the message's parts after the first, in order. */
    platformParts(messageId: MsgId): Promise<ClientMsgId[]>;
    getByAmojoMsgId(amojoMsgId: string): Promise<MessageRecord | undefined>;
    update(id: MsgId, patch: MessagePatch): Promise<void>;
    /** `update` and appending `event` to `conversationId` at `at`, as one statement where the database can; answers the event's id. */
    updateWithEvent(id: MsgId, patch: MessagePatch, conversationId: ConversationId, event: TimelineData, at: number): Promise<number>;
    /** Sets `to` only while the status is one of `from`; false when another writer got there first. */
    advanceStatus(id: MsgId, from: readonly MessageStatus[], to: MessageStatus): Promise<boolean>;
    /** Oldest first, `seq` > afterSeq. */
    list(conversationId: ConversationId, afterSeq: number, limit: number): Promise<MessageRecord[]>;
    /** The conversation's `held` client messages, oldest first. */
    listHeld(conversationId: ConversationId): Promise<MessageRecord[]>;
    /** Outbound messages whose status is in `statuses`, up to `uptoSeq` when given, oldest first. */
    listOutbound(conversationId: ConversationId, statuses: readonly MessageStatus[], uptoSeq?: number): Promise<MessageRecord[]>;
    /** Client messages whose status is in `statuses`, up to `uptoSeq` when given, oldest first. */
    listInbound(conversationId: ConversationId, statuses: readonly MessageStatus[], uptoSeq?: number): Promise<MessageRecord[]>;
  };
  timeline: {
    /** Appends an event and returns its id. */
    append(conversationId: ConversationId, event: TimelineData, at: number): Promise<number>;
    /** Events after `afterId`, oldest first, leaving out those in `except` (already seen by the reader). */
    after(conversationId: ConversationId, afterId: number, limit: number, except?: readonly number[]): Promise<TimelineEvent[]>;
    lastId(conversationId: ConversationId): Promise<number>;
    /** The ids and insertion stamps of the newest `limit` events up to `uptoId`, newest first. */
    stampsUpTo(conversationId: ConversationId, uptoId: number, limit: number): Promise<EventStamp[]>;
  };
  reactions: {
    set(r: ReactionRecord): Promise<void>;
    remove(messageId: MsgId, side: ReactionSide, userId: string): Promise<boolean>;
    listFor(messageIds: readonly MsgId[]): Promise<ReactionRecord[]>;
  };
  files: {
    insert(f: FileRecord): Promise<void>;
    get(id: FileId): Promise<FileRecord | undefined>;
    /** Bytes of the account's files created at or after `createdFrom` (the ones retention keeps). */
    usage(accountId: number, createdFrom: number): Promise<number>;
    /** The oldest files created before `cutoff`, at most `limit`. */
    listCreatedBefore(cutoff: number, limit: number): Promise<Array<{ id: FileId; path: string; size: number }>>;
    delete(ids: readonly FileId[]): Promise<void>;
  };
  jobs: {
    /** Jobs whose idempotency key exists are skipped. */
    enqueue(jobs: BridgeJob[]): Promise<void>;
    /** True while a job of the queue is unfinished: a job enqueued now would wait behind it. */
    isQueueBusy(queueKey: string): Promise<boolean>;
    /**
     * Only inside `transaction`. Ends the leased job there, so that its effect and its end commit together
     * (no separate completion); its queue's next job is handed to the same worker (`lease.handOff`)
     * or made claimable. Answers the jobs handed on, or undefined when the job is no longer this
     * worker's (nothing changed).
     */
    finish(lease: JobLease): Promise<JobRecord[] | undefined>;
  };
}

export interface BridgeStore extends BridgeRepos {
  /**
   * Runs `fn` in a transaction that may be shared with concurrent callers (group commit); it
   * survives a process crash once it resolves. A failing unit fails alone.
   */
  transaction<T>(fn: (tx: BridgeRepos) => Promise<T>): Promise<T>;
  /** Like `transaction`, and on disk (survives a power cut) once it resolves: for writes acknowledged to clients. */
  durableTransaction<T>(fn: (tx: BridgeRepos) => Promise<T>): Promise<T>;
}

/** The head and body of a file link's answer. */
export interface MediaResponse {
  status: number;
  contentType: string | undefined;
  contentLength: number | undefined;
  /** Read or destroyed by the caller. */
  body: Readable;
}

/**
 * GETs a manager's file link. Refuses (`retryable: false`) links that are not http(s) or that lead,
 * directly, through DNS or through a redirect, to a non-public address; rejects (retryable) when no
 * answer came in time.
 */
export type MediaFetch = (url: URL) => Promise<MediaResponse>;

export interface StoredBlob {
  path: string;
  size: number;
  sha256: string;
}

/** Bytes `start` to `end` of a blob, both included. */
export interface ByteRange {
  start: number;
  end: number;
}

/** File bytes on disk or in the database; the file record keeps the blob's path. */
export interface BlobStore {
  /**
   * Streams `source` into a new blob; rejects with `BlobTooLargeError` past `maxBytes`. A write
   * that fails or whose source fails (a client that went away) keeps nothing.
   */
  write(source: Readable | AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredBlob>;
  /** The blob's bytes (all, or one range), streamed; undefined when there is no such blob. */
  read(path: string, range?: ByteRange): Promise<Readable | undefined>;
  remove(path: string): Promise<void>;
  /** Removes what writes left behind when their process died before `before` (ms): blobs no file links to. Returns how many. */
  removeAbandoned(before: number): Promise<number>;
}

export class BlobTooLargeError extends Error {
  readonly retryable = false;
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.name = new.target.name;
  }
}

export interface BridgeLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

// ---- Other instances on the same database ----

/**
 * Tells the other instances what this one just committed or received, so they stream it to the
 * clients they hold. Ids only: they read the events from the store. Best effort (a missed notice
 * is caught up at the next one or the streams' heartbeat); it never throws.
 */
export interface LiveAnnouncer {
  timeline(conversationId: ConversationId, eventId: number): void;
  typing(notice: TypingNotice): void;
}

export const NO_ANNOUNCER: LiveAnnouncer = { timeline: () => undefined, typing: () => undefined };

/** True when `key` may pass now: at most once per interval (where the factory's store is shared, across instances). */
export type Throttle = (key: string) => Promise<boolean>;
/** Builds the throttle called `name` (a stable prefix, unique per use). */
export type ThrottleFactory = (name: string, intervalMs: number) => Throttle;
