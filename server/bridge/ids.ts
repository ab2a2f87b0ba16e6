/**
 * The one id scheme of the bridge. Each id kind is its own branded string so a conversation id can
 * never be passed where a message id is expected. Ours are minted here, random, ASCII and URL-safe
 * (`[A-Za-z0-9_-]`), because amojo puts some of them in signed URL paths (chats-api.md §0). Every
 * id is stored, so changing a format needs a migration.
 *
 * Mapping (written once, used everywhere):
 *   ConversationId  ⇄ amojo `conversation_id`      (ours)   | AmojoChatId ⇄ `conversation_ref_id` (amojo's)
 *   ParticipantId   ⇄ amojo `sender.id`/`receiver.id` (ours) | AmojoParticipantId ⇄ `ref_id` (amojo's)
 *   MsgId           ⇄ amojo `msgid` in requests (ours)      | AmojoMsgId ⇄ `id` in requests, `msgid` in the
 *                                                              new_message response (the naming trap)
 */
import { randomBytes } from 'node:crypto';

declare const brand: unique symbol;
type Brand<T extends string> = string & { readonly [brand]: T };

/** Ours: one conversation with one client on one platform; unique across the installation. */
export type ConversationId = Brand<'ConversationId'>;
/** Ours: the client in a conversation (for the website chat: the visitor); unique across the installation. */
export type ParticipantId = Brand<'ParticipantId'>;
/** Ours: one message of either direction; sent to amojo as `msgid`, the idempotency key of a send. */
export type MsgId = Brand<'MsgId'>;
/** The platform client's own id for a message (the bubble's retry key); unique within a conversation. */
export type ClientMsgId = Brand<'ClientMsgId'>;
/** Ours: a stored file; ≥ 128 random bits because it is the only secret guarding the file's URL. */
export type FileId = Brand<'FileId'>;
/** amojo's: one channel ↔ account connection (`{channel_id}_{account_amojo_id}`). */
export type ScopeId = Brand<'ScopeId'>;
/** amojo's chat uuid (`conversation_ref_id`). */
export type AmojoChatId = Brand<'AmojoChatId'>;
/** amojo's message uuid (delivery statuses go to it). */
export type AmojoMsgId = Brand<'AmojoMsgId'>;
/** amojo's participant uuid (a client, a manager or the bot). */
export type AmojoParticipantId = Brand<'AmojoParticipantId'>;

/** Our ids and the platform's client ids use this alphabet only. */
export const SAFE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Random bytes drawn from the system a page at a time: one system call per 256 ids instead of one
 * per id, which on a busy message path is a measurable share of each message (`npm run bench`).
 * Every byte is used once.
 */
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;
function randomBase64url(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const text = pool.toString('base64url', offset, offset + bytes);
  offset += bytes;
  return text;
}

function mint(prefix: string, bytes = 16): string {
  return `${prefix}_${randomBase64url(bytes)}`;
}

export const newConversationId = (): ConversationId => mint('c') as ConversationId;
export const newParticipantId = (): ParticipantId => mint('v') as ParticipantId;
export const newMsgId = (): MsgId => mint('m') as MsgId;
/**
 * A file id carries its creation time (`t` + 9 base-36 digits) before the 128 random bits, so a
 * link whose file retention already deleted still answers "gone" rather than "never existed".
 */
export const newFileId = (now: number = Date.now()): FileId => `f_t${now.toString(36).padStart(9, '0')}${randomBase64url(16)}` as FileId;

/** The creation time a file id carries; undefined for ids minted before ids carried one. */
export function fileIdCreatedAt(id: string): number | undefined {
  const m = /^f_t([0-9a-z]{9})[A-Za-z0-9_-]{22}$/.exec(id);
  return m ? parseInt(m[1]!, 36) : undefined;
}

/**
 * Brands a string read from a trusted place (our database, a verified token, a signed hook). Input
 * from people goes through a schema first; these casts only name what a value already is.
 */
export const asConversationId = (s: string): ConversationId => s as ConversationId;
export const asParticipantId = (s: string): ParticipantId => s as ParticipantId;
export const asMsgId = (s: string): MsgId => s as MsgId;
export const asClientMsgId = (s: string): ClientMsgId => s as ClientMsgId;
export const asFileId = (s: string): FileId => s as FileId;
export const asScopeId = (s: string): ScopeId => s as ScopeId;
export const asAmojoChatId = (s: string): AmojoChatId => s as AmojoChatId;
export const asAmojoMsgId = (s: string): AmojoMsgId => s as AmojoMsgId;
export const asAmojoParticipantId = (s: string): AmojoParticipantId => s as AmojoParticipantId;
