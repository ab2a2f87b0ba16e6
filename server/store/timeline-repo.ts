/**
 * The conversation timeline: an append-only log per conversation; its auto-increment ids are the
 * event-stream ids clients resume from (`Last-Event-ID`).
 */
import type { Kysely, Transaction } from 'kysely';
import { asConversationId } from '../bridge/ids.js';
import type { BridgeRepos } from '../bridge/ports.js';
import { TIMELINE_EVENT_TYPES, type TimelineData, type TimelineEvent } from '../bridge/records.js';
import type { SqlDialect } from './db.js';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

// Two of these for every message (its arrival and its status), unless the message's own statement
// appends it (messages-repo.ts, on PostgreSQL).
const appendEvent = prepared<{ conversationId: string; type: string; data: string; at: number }, { id: number }>((db, p) =>
  db.insertInto('conversation_events').values({ conversation_id: p.conversationId, type: p.type, data: p.data, created_at: p.at }).returning('id'),
);

/** Appends one event; answers its id. */
export async function appendTimelineEvent(db: Db, dialect: SqlDialect, conversationId: string, event: TimelineData, at: number): Promise<number> {
  const { rows } = await appendEvent.run(db, dialect, { conversationId, type: event.type, data: JSON.stringify(event.data), at });
  return Number(rows[0]!.id);
}

export function createTimelineRepo(db: Db, dialect: SqlDialect): BridgeRepos['timeline'] {
  return {
    append: (conversationId, event, at) => appendTimelineEvent(db, dialect, conversationId, event, at),

    async after(conversationId, afterId, limit, except = []) {
      let q = db.selectFrom('conversation_events').selectAll().where('conversation_id', '=', conversationId).where('id', '>', afterId);
      if (except.length > 0) q = q.where('id', 'not in', [...except]);
      const rows = await q.orderBy('id').limit(limit).execute();
      const events: TimelineEvent[] = [];
      for (const r of rows) {
        if (!(TIMELINE_EVENT_TYPES as readonly string[]).includes(r.type)) continue;
        // Written by `append` from a typed TimelineData; read back as that.
        const data = JSON.parse(r.data) as TimelineData['data'];
        events.push({ type: r.type, data, id: Number(r.id), conversationId: asConversationId(r.conversation_id), createdAt: Number(r.created_at) } as TimelineEvent);
      }
      return events;
    },

    async lastId(conversationId) {
      const row = await db
        .selectFrom('conversation_events')
        .select((eb) => eb.fn.max('id').as('last'))
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      return row?.last == null ? 0 : Number(row.last);
    },

    async stampsUpTo(conversationId, uptoId, limit) {
      const rows = await db
        .selectFrom('conversation_events')
        .select(['id', 'created_at'])
        .where('conversation_id', '=', conversationId)
        .where('id', '<=', uptoId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: Number(r.id), createdAt: Number(r.created_at) }));
    },
  };
}
