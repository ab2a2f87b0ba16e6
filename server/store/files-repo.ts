/** Stored files and reactions of the bridge (`bridge/ports.ts` BridgeRepos). */
import type { Kysely, Transaction } from 'kysely';
import { asConversationId, asFileId, asMsgId } from '../bridge/ids.js';
import type { BridgeRepos } from '../bridge/ports.js';
import { FILE_ORIGINS, MESSAGE_KINDS, type FileOrigin, type MessageKind } from '../bridge/records.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

export function createFileRepo(db: Db): BridgeRepos['files'] {
  return {
    async insert(f) {
      await db
        .insertInto('files')
        .values({
          id: f.id,
          account_id: f.accountId,
          conversation_id: f.conversationId,
          name: f.name,
          content_type: f.contentType,
          size: f.size,
          kind: f.kind,
          path: f.path,
          sha256: f.sha256,
          origin: f.origin,
          created_at: f.createdAt,
        })
        .execute();
    },

    async usage(accountId, createdFrom) {
      const r = await db
        .selectFrom('files')
        .select((eb) => eb.fn.sum<number | string | null>('size').as('bytes'))
        .where('account_id', '=', accountId)
        .where('created_at', '>=', createdFrom)
        .executeTakeFirst();
      return Number(r?.bytes ?? 0);
    },

    async listCreatedBefore(cutoff, limit) {
      const rows = await db.selectFrom('files').select(['id', 'path', 'size']).where('created_at', '<', cutoff).orderBy('created_at').limit(limit).execute();
      return rows.map((r) => ({ id: asFileId(r.id), path: r.path, size: Number(r.size) }));
    },

    async delete(ids) {
      if (ids.length === 0) return;
      await db.deleteFrom('files').where('id', 'in', [...ids]).execute();
    },

    async get(id) {
      const r = await db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
      if (!r) return undefined;
      return {
        id: asFileId(r.id),
        accountId: Number(r.account_id),
        conversationId: r.conversation_id ? asConversationId(r.conversation_id) : null,
        name: r.name,
        contentType: r.content_type,
        size: Number(r.size),
        kind: (MESSAGE_KINDS as readonly string[]).includes(r.kind) ? (r.kind as MessageKind) : 'file',
        path: r.path,
        sha256: r.sha256,
        origin: (FILE_ORIGINS as readonly string[]).includes(r.origin) ? (r.origin as FileOrigin) : 'client',
        createdAt: Number(r.created_at),
      };
    },
  };
}

export function createReactionRepo(db: Db): BridgeRepos['reactions'] {
  return {
    async set(r) {
      await db
        .insertInto('reactions')
        .values({ message_id: r.messageId, conversation_id: r.conversationId, side: r.side, user_id: r.userId, emoji: r.emoji, updated_at: r.updatedAt })
        .onConflict((oc) => oc.columns(['message_id', 'side', 'user_id']).doUpdateSet({ emoji: r.emoji, updated_at: r.updatedAt }))
        .execute();
    },

    async remove(messageId, side, userId) {
      const res = await db
        .deleteFrom('reactions')
        .where('message_id', '=', messageId)
        .where('side', '=', side)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },

    async listFor(messageIds) {
      if (messageIds.length === 0) return [];
      const rows = await db.selectFrom('reactions').selectAll().where('message_id', 'in', [...messageIds]).orderBy('updated_at').execute();
      return rows.map((r) => ({
        messageId: asMsgId(r.message_id),
        conversationId: asConversationId(r.conversation_id),
        side: r.side === 'manager' ? ('manager' as const) : ('client' as const),
        userId: r.user_id,
        emoji: r.emoji,
        updatedAt: Number(r.updated_at),
      }));
    },
  };
}
