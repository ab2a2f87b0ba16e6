/**
 * Messages of the bridge: one row per message with both sides' ids (our msgid, amojo's uuid, the
 * platform client's id). Unique indexes make repeats harmless: a second row with the same client
 * msgid (per conversation) or amojo id is never written.
 */
import type { Kysely, Transaction } from 'kysely';
import { asAmojoMsgId, asClientMsgId, asConversationId, asMsgId, type ConversationId } from '../bridge/ids.js';
import type { BridgeRepos } from '../bridge/ports.js';
import { MESSAGE_KINDS, MESSAGE_STATUSES, messageContentSchema, type MessageContent, type MessageDirection, type MessageKind, type MessageRecord, type MessageStatus } from '../bridge/records.js';
import type { Database, MessageRow } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export function createMessageRepo(db: Db): BridgeRepos['messages'] {
  const byId = (id: string) => db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();

  return {
    async insert(m) {
      const res = await db
        .insertInto('messages')
        .values({
          id: m.id,
          conversation_id: m.conversationId,
          direction: m.direction,
          amojo_msgid: m.amojoMsgId,
          client_msgid: m.clientMsgId,
          kind: m.kind,
          status: m.status,
          payload: JSON.stringify(m.content),
          error: m.error,
          seq: m.seq,
          created_at: m.createdAt,
          updated_at: m.updatedAt,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    async get(id) {
      const row = await byId(id);
      return row && toMessage(row);
    },

    async getByClientMsgId(conversationId, clientMsgId) {
      const row = await db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('client_msgid', '=', clientMsgId)
        .executeTakeFirst();
      return row && toMessage(row);
    },

    async getByPlatformPart(conversationId, platformMsgId) {
      const row = await db
        .selectFrom('message_parts')
        .innerJoin('messages', 'messages.id', 'message_parts.message_id')
        .selectAll('messages')
        .where('message_parts.conversation_id', '=', conversationId)
        .where('message_parts.platform_msgid', '=', platformMsgId)
        .executeTakeFirst();
      return row && toMessage(row);
    },

    async addPlatformParts(conversationId, messageId, platformMsgIds) {
      if (platformMsgIds.length === 0) return;
      await db
        .insertInto('message_parts')
        .values(platformMsgIds.map((platformMsgId, i) => ({ conversation_id: conversationId, platform_msgid: platformMsgId, message_id: messageId, position: i + 1 })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    },

    async platformParts(messageId) {
      const rows = await db.selectFrom('message_parts').select('platform_msgid').where('message_id', '=', messageId).orderBy('position').execute();
      return rows.map((r) => asClientMsgId(r.platform_msgid));
    },

    async getByAmojoMsgId(amojoMsgId) {
      const row = await db.selectFrom('messages').selectAll().where('amojo_msgid', '=', amojoMsgId).executeTakeFirst();
      return row && toMessage(row);
    },

    async update(id, patch) {
      await db
        .updateTable('messages')
        .set({
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.amojoMsgId !== undefined ? { amojo_msgid: patch.amojoMsgId } : {}),
          ...(patch.clientMsgId !== undefined ? { client_msgid: patch.clientMsgId } : {}),
          ...(patch.content !== undefined ? { payload: JSON.stringify(patch.content) } : {}),
          ...(patch.error !== undefined ? { error: patch.error } : {}),
          updated_at: Date.now(),
        })
        .where('id', '=', id)
        .execute();
    },

    async advanceStatus(id, from, to) {
      const result = await db.updateTable('messages').set({ status: to, updated_at: Date.now() }).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async list(conversationId, afterSeq, limit) {
      const rows = await db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toMessage);
    },

    async listHeld(conversationId) {
      // Sorted here, not in SQL: ORDER BY seq would make SQLite walk the conversation's whole
      // (conversation_id, seq) index instead of the status index that finds the few held rows.
      const rows = await db
        .selectFrom('messages')
        .selectAll()
        .where('status', '=', 'held')
        .where('direction', '=', 'inbound')
        .where('conversation_id', '=', conversationId)
        .execute();
      return rows.map(toMessage).sort((a, b) => a.seq - b.seq);
    },

    listOutbound: (conversationId, statuses, uptoSeq) => listByStatus(conversationId, 'outbound', statuses, uptoSeq),
    listInbound: (conversationId, statuses, uptoSeq) => listByStatus(conversationId, 'inbound', statuses, uptoSeq),
  };

  async function listByStatus(conversationId: ConversationId, direction: MessageDirection, statuses: readonly MessageStatus[], uptoSeq: number | undefined) {
    let q = db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('direction', '=', direction)
      .where('status', 'in', [...statuses]);
    if (uptoSeq !== undefined) q = q.where('seq', '<=', uptoSeq);
    return (await q.orderBy('seq').execute()).map(toMessage);
  }
}

function toMessage(row: MessageRow): MessageRecord {
  return {
    id: asMsgId(row.id),
    conversationId: asConversationId(row.conversation_id),
    direction: row.direction,
    amojoMsgId: row.amojo_msgid ? asAmojoMsgId(row.amojo_msgid) : null,
    clientMsgId: row.client_msgid ? asClientMsgId(row.client_msgid) : null,
    kind: oneOf(MESSAGE_KINDS, row.kind, 'text' as MessageKind),
    status: oneOf(MESSAGE_STATUSES, row.status, 'failed' as MessageStatus),
    content: parseContent(row.payload),
    error: row.error,
    seq: Number(row.seq ?? 0),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function oneOf<T extends string>(all: readonly T[], value: string, fallback: T): T {
  return (all as readonly string[]).includes(value) ? (value as T) : fallback;
}

function parseContent(text: string): MessageContent {
  try {
    const parsed = messageContentSchema.safeParse(JSON.parse(text));
    // The schema is ours and written by us; branded ids inside are ours too.
    return parsed.success ? (parsed.data as MessageContent) : {};
  } catch {
    return {};
  }
}
