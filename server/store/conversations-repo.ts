/**
 * Conversations of the bridge: one row per client chat, holding our ids and amojo's (chat uuid,
 * client participant uuid), written once and read everywhere (`bridge/ports.ts` BridgeRepos).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { z } from 'zod';
import { asAmojoChatId, asAmojoParticipantId, asConversationId, asFileId, asParticipantId } from '../bridge/ids.js';
import type { BridgeRepos } from '../bridge/ports.js';
import type { ConversationRecord, Profile } from '../bridge/records.js';
import type { ConversationRow, Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

const profileSchema = z.object({ phone: z.string().optional(), email: z.string().optional(), profileLink: z.string().optional() }).catch({});

export function createConversationRepo(db: Db): BridgeRepos['conversations'] {
  return {
    async insert(c) {
      await db
        .insertInto('conversations')
        .values({
          id: c.id,
          account_id: c.accountId,
          platform: c.platform,
          platform_chat_id: c.platformChatId,
          participant_id: c.participantId,
          participant_name: c.participantName,
          profile: JSON.stringify(c.profile),
          amojo_chat_id: c.amojoChatId,
          amojo_participant_id: c.amojoParticipantId,
          created_at: c.createdAt,
          updated_at: c.createdAt,
        })
        .execute();
    },

    async get(id) {
      const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toConversation(row);
    },

    async findByAmojoChat(accountId, amojoChatId) {
      const row = await db
        .selectFrom('conversations')
        .selectAll()
        .where('amojo_chat_id', '=', amojoChatId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return row && toConversation(row);
    },

    async findByPlatformChat(accountId, platform, platformChatId) {
      const row = await db
        .selectFrom('conversations')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('platform', '=', platform)
        .where('platform_chat_id', '=', platformChatId)
        .executeTakeFirst();
      return row && toConversation(row);
    },

    async findByContact(accountId, platform, contact) {
      // The profile is JSON text: narrowed with LIKE on the lowercased value (its own % and _ widened
      // to %, so they match at least themselves), then compared exactly (e-mail without case).
      const wanted = [contact.email, contact.phone].filter((v): v is string => !!v);
      if (wanted.length === 0) return [];
      const rows = await db
        .selectFrom('conversations')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('platform', '=', platform)
        .where((eb) => eb.or(wanted.map((v) => eb(eb.fn<string>('lower', ['profile']), 'like', `%${JSON.stringify(v.toLowerCase()).slice(1, -1).replace(/[%_\\]/g, '%')}%`))))
        .execute();
      return rows.map(toConversation).filter((c) => (contact.email !== undefined && c.profile.email?.toLowerCase() === contact.email.toLowerCase()) || (contact.phone !== undefined && c.profile.phone === contact.phone));
    },

    async erase(id, jobQueueKey) {
      const messageIds = db.selectFrom('messages').select('id').where('conversation_id', '=', id);
      const files = await db.selectFrom('files').select(['id', 'path']).where('conversation_id', '=', id).execute();
      await db.deleteFrom('reactions').where('conversation_id', '=', id).execute();
      await db.deleteFrom('reactions').where('message_id', 'in', messageIds).execute();
      await db.deleteFrom('conversation_events').where('conversation_id', '=', id).execute();
      await db.deleteFrom('message_parts').where('conversation_id', '=', id).execute();
      const deleted = await db.deleteFrom('messages').where('conversation_id', '=', id).executeTakeFirst();
      await db.deleteFrom('files').where('conversation_id', '=', id).execute();
      // Waiting jobs would carry the content to amoCRM after all; a running one finds nothing left to send.
      await db.deleteFrom('jobs').where('queue_key', '=', jobQueueKey).where('state', '!=', 'running').execute();
      await db.deleteFrom('conversations').where('id', '=', id).execute();
      return { messages: Number(deleted.numDeletedRows), files: files.map((f) => ({ id: asFileId(f.id), path: f.path })) };
    },

    async updateProfile(id, name, profile) {
      await db
        .updateTable('conversations')
        .set({ participant_name: name, profile: JSON.stringify(profile), updated_at: Date.now() })
        .where('id', '=', id)
        .execute();
    },

    async setAmojoIds(id, ids) {
      if (ids.amojoChatId === undefined && ids.amojoParticipantId === undefined) return;
      await db
        .updateTable('conversations')
        .set({
          // Written once: an id amojo gave earlier is never replaced.
          ...(ids.amojoChatId !== undefined ? { amojo_chat_id: sql<string>`coalesce(amojo_chat_id, ${ids.amojoChatId})` } : {}),
          ...(ids.amojoParticipantId !== undefined ? { amojo_participant_id: sql<string>`coalesce(amojo_participant_id, ${ids.amojoParticipantId})` } : {}),
          updated_at: Date.now(),
        })
        .where('id', '=', id)
        .execute();
    },

    async listWithHeld(accountId) {
      const rows = await db
        .selectFrom('messages as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .select('c.id')
        .distinct()
        .where('m.status', '=', 'held')
        .where('m.direction', '=', 'inbound')
        .where('c.account_id', '=', accountId)
        .execute();
      return rows.map((r) => asConversationId(r.id));
    },
  };
}

function toConversation(row: ConversationRow): ConversationRecord {
  return {
    id: asConversationId(row.id),
    accountId: Number(row.account_id),
    platform: row.platform,
    platformChatId: row.platform_chat_id,
    participantId: asParticipantId(row.participant_id),
    participantName: row.participant_name ?? '',
    profile: parseProfile(row.profile),
    amojoChatId: row.amojo_chat_id ? asAmojoChatId(row.amojo_chat_id) : null,
    amojoParticipantId: row.amojo_participant_id ? asAmojoParticipantId(row.amojo_participant_id) : null,
    createdAt: Number(row.created_at),
  };
}

function parseProfile(text: string | null): Profile {
  if (!text) return {};
  try {
    const p = profileSchema.parse(JSON.parse(text));
    return {
      ...(p.phone !== undefined ? { phone: p.phone } : {}),
      ...(p.email !== undefined ? { email: p.email } : {}),
      ...(p.profileLink !== undefined ? { profileLink: p.profileLink } : {}),
    };
  } catch {
    return {};
  }
}
