/**
 * Messages of the bridge: one row per message with both sides' ids (our msgid, amojo's uuid, the
 * platform client's id). Unique indexes make repeats harmless: a second row with the same client
 * msgid (per conversation) or amojo id is never written.
 */
import { sql, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import { asAmojoMsgId, asClientMsgId, asConversationId, asMsgId, type ConversationId } from '../bridge/ids.js';
import type { BridgeRepos, MessagePatch } from '../bridge/ports.js';
import { MESSAGE_KINDS, MESSAGE_STATUSES, messageContentSchema, type MessageContent, type MessageDirection, type MessageKind, type MessageRecord, type MessageStatus } from '../bridge/records.js';
import type { SqlDialect } from './db.js';
import { prepared, type Prepared } from './prepared.js';
import type { Database, MessageRow, MessagesTable } from './schema.js';
import { initialState, insertJobs } from './jobs-repo.js';
import { appendTimelineEvent } from './timeline-repo.js';

type Db = Kysely<Database> | Transaction<Database>;

type NewMessageRow = Omit<MessageRow, 'seq'> & { seq: number };

/**
 * A message row's columns from the named values of a prepared query. Each is read by name: the
 * values are markers of a proxy (`prepared.ts`), which a spread would not see.
 */
function rowValues(p: NewMessageRow): Omit<NewMessageRow, 'seq'> {
  return {
    id: p.id,
    conversation_id: p.conversation_id,
    direction: p.direction,
    amojo_msgid: p.amojo_msgid,
    client_msgid: p.client_msgid,
    kind: p.kind,
    status: p.status,
    payload: p.payload,
    error: p.error,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}

// The statements of every message: stored, read by its send job, its status changed.
const insertRow = prepared<NewMessageRow, never>((db, p) =>
  db
    .insertInto('messages')
    .values({ ...rowValues(p), seq: p.seq })
    .onConflict((oc) => oc.doNothing()),
);
type JobValues = { job_kind: string | null; job_payload: string | null; job_queue_key: string | null; job_idempotency_key: string | null; job_at: number | null };

/**
 * PostgreSQL: the message, its timeline event and its job (when given) in one statement: one
 * round trip instead of three, on every message. The event is appended first; the message takes
 * its id as `seq`. The job is stored only when the message was new and no other message of the
 * conversation is held (both read in the statement's snapshot); without a job its values are null
 * and the jobs part inserts nothing. The values are cast: an INSERT … SELECT does not give its
 * parameters the columns' types.
 */
const insertWithEventPg = prepared<NewMessageRow & { type: string; data: string } & JobValues, { id: number; inserted: number; held: boolean }>((db, p, dialect) =>
  db
    .with('e', (qb) => qb.insertInto('conversation_events').values({ conversation_id: p.conversation_id, type: p.type, data: p.data, created_at: p.created_at }).returning('id'))
    .with('m', (qb) =>
      qb
        .insertInto('messages')
        .values({ ...rowValues(p), seq: (eb) => eb.selectFrom('e').select('e.id') })
        .onConflict((oc) => oc.doNothing())
        .returning('messages.id'),
    )
    .with('j', (qb) =>
      qb
        .insertInto('jobs')
        .columns(['kind', 'payload', 'queue_key', 'idempotency_key', 'state', 'attempts', 'run_after', 'created_at', 'updated_at'])
        .expression((eb) =>
          eb
            .selectFrom('m')
            .select([
              sql<string>`${p.job_kind}::text`.as('kind'),
              sql<string>`${p.job_payload}::text`.as('payload'),
              sql<string>`${p.job_queue_key}::text`.as('queue_key'),
              sql<string>`${p.job_idempotency_key}::text`.as('idempotency_key'),
              initialState(db, p.job_queue_key, dialect).as('state'),
              sql<number>`0`.as('attempts'),
              sql<number>`${p.job_at}::bigint`.as('run_after'),
              sql<number>`${p.job_at}::bigint`.as('created_at'),
              sql<number>`${p.job_at}::bigint`.as('updated_at'),
            ])
            .where(sql<boolean>`${p.job_kind}::text is not null`)
            .where((w) => w.not(w.exists(heldOf(w.selectFrom('messages').select('messages.id'), p.conversation_id)))),
        )
        .onConflict((oc) => oc.column('idempotency_key').doNothing()),
    )
    .selectFrom('e')
    .select((eb) => [
      'e.id',
      eb.selectFrom('m').select(eb.fn.countAll<number>().as('n')).as('inserted'),
      // Read in the statement's snapshot, from before this message: whether others wait, held.
      eb.exists(heldOf(eb.selectFrom('messages').select('messages.id'), p.conversation_id)).as('held'),
    ]),
);
/**
 * Whether the conversation has held client messages (SQLite, beside the insert). Without a LIMIT:
 * with one, SQLite walks the conversation's rows instead of the status index that finds the few held ones.
 */
const anyHeld = prepared<{ conversationId: string }, { id: string }>((db, p) => heldOf(db.selectFrom('messages').select('messages.id'), p.conversationId));
const selectById = prepared<{ id: string }, MessageRow>((db, p) => db.selectFrom('messages').selectAll().where('id', '=', p.id));
/** A conversation's held client messages. */
function heldOf<Q extends SelectQueryBuilder<Database, 'messages', object>>(q: Q, conversationId: string): Q {
  return q.where('messages.status', '=', 'held').where('messages.direction', '=', 'inbound').where('messages.conversation_id', '=', conversationId) as Q;
}
const selectHeld = prepared<{ conversationId: string }, MessageRow>((db, p) => heldOf(db.selectFrom('messages').selectAll(), p.conversationId));

type Patchable = Pick<MessagesTable, 'status' | 'amojo_msgid' | 'client_msgid' | 'payload' | 'error'>;
type RowPatch = Partial<Patchable> & { updated_at: number };
/** One prepared update per set of changed columns (a handful occur). */
const updates = new Map<string, Prepared<RowPatch & { id: string }, never>>();
function updateOf(patch: RowPatch): Prepared<RowPatch & { id: string }, never> {
  const columns = Object.keys(patch) as Array<keyof RowPatch>;
  const key = columns.join(',');
  let update = updates.get(key);
  if (!update) {
    update = prepared<RowPatch & { id: string }, never>((db, p) =>
      db
        .updateTable('messages')
        .set(Object.fromEntries(columns.map((c) => [c, p[c]])) as RowPatch)
        .where('id', '=', p.id),
    );
    updates.set(key, update);
  }
  return update;
}

/** PostgreSQL: an update and its timeline event in one statement, one per set of changed columns. */
const updatesWithEvent = new Map<string, Prepared<RowPatch & { id: string; conversationId: string; type: string; data: string; at: number }, { id: number }>>();
function updateWithEventOf(patch: RowPatch) {
  const columns = Object.keys(patch) as Array<keyof RowPatch>;
  const key = columns.join(',');
  let update = updatesWithEvent.get(key);
  if (!update) {
    update = prepared<RowPatch & { id: string; conversationId: string; type: string; data: string; at: number }, { id: number }>((db, p) =>
      db
        .with('e', (qb) => qb.insertInto('conversation_events').values({ conversation_id: p.conversationId, type: p.type, data: p.data, created_at: p.at }).returning('id'))
        .with('u', (qb) =>
          qb
            .updateTable('messages')
            .set(Object.fromEntries(columns.map((c) => [c, p[c]])) as RowPatch)
            .where('id', '=', p.id)
            .returning('messages.id'),
        )
        .selectFrom('e')
        .select('e.id'),
    );
    updatesWithEvent.set(key, update);
  }
  return update;
}

/** The columns a patch changes. */
function rowPatch(patch: MessagePatch): RowPatch {
  return {
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.amojoMsgId !== undefined ? { amojo_msgid: patch.amojoMsgId } : {}),
    ...(patch.clientMsgId !== undefined ? { client_msgid: patch.clientMsgId } : {}),
    ...(patch.content !== undefined ? { payload: JSON.stringify(patch.content) } : {}),
    ...(patch.error !== undefined ? { error: patch.error } : {}),
    updated_at: Date.now(),
  };
}

export function createMessageRepo(db: Db, dialect: SqlDialect, now: () => number): BridgeRepos['messages'] {
  return {
    async insert(m) {
      const res = await insertRow.run(db, dialect, toRow(m));
      return Number(res.numAffectedRows ?? 0n) === 1;
    },

    async insertWithEvent(m, event, job) {
      if (dialect === 'postgres') {
        const { rows } = await insertWithEventPg.run(db, dialect, {
          ...toRow(m),
          type: event.type,
          data: JSON.stringify(event.data),
          job_kind: job?.kind ?? null,
          job_payload: job ? JSON.stringify(job.payload) : null,
          job_queue_key: job?.queueKey ?? null,
          job_idempotency_key: job?.idempotencyKey ?? null,
          job_at: job ? now() : null,
        });
        return { eventId: Number(rows[0]!.id), inserted: Number(rows[0]!.inserted) === 1, othersHeld: Boolean(rows[0]!.held) };
      }
      const othersHeld = (await anyHeld.run(db, dialect, { conversationId: m.conversationId })).rows.length > 0;
      const eventId = await appendTimelineEvent(db, dialect, m.conversationId, event, m.createdAt);
      const res = await insertRow.run(db, dialect, { ...toRow(m), seq: eventId });
      const inserted = Number(res.numAffectedRows ?? 0n) === 1;
      if (job && inserted && !othersHeld) await insertJobs(db, [job], now(), dialect);
      return { eventId, inserted, othersHeld };
    },

    async get(id) {
      const { rows } = await selectById.run(db, dialect, { id });
      return rows[0] && toMessage(rows[0]);
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
      const row = rowPatch(patch);
      await updateOf(row).run(db, dialect, { ...row, id });
    },

    async updateWithEvent(id, patch, conversationId, event, at) {
      const row = rowPatch(patch);
      if (dialect === 'postgres') {
        const { rows } = await updateWithEventOf(row).run(db, dialect, { ...row, id, conversationId, type: event.type, data: JSON.stringify(event.data), at });
        return Number(rows[0]!.id);
      }
      await updateOf(row).run(db, dialect, { ...row, id });
      return appendTimelineEvent(db, dialect, conversationId, event, at);
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
      const { rows } = await selectHeld.run(db, dialect, { conversationId });
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

function toRow(m: MessageRecord): NewMessageRow {
  return {
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
  };
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
