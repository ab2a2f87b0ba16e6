/**
 * A client writes: the message is stored (status `queued`) together with its timeline event and,
 * when the account is connected, its send job, in one transaction. The answer to the client
 * depends only on that commit; amojo is reached later by the job (outbox). The same client msgid
 * twice yields the first message and no second effect.
 */
import { appendEvent, insertMessage, publish, type BridgeContext } from './context.js';
import { BridgeRefusal, describeError } from './errors.js';
import { type ClientMsgId, type FileId, type MsgId, type ConversationId } from './ids.js';
import { conversationQueue, editJob, sendJob } from './job-kinds.js';
import type { PageRef } from './amojo-text.js';
import type { BridgeRepos } from './ports.js';
import type { ConversationRecord, FileRecord, MessageContent, MessageKind, MessageRecord, TimelineEvent } from './records.js';

export interface ClientMessageInput {
  clientMsgId: ClientMsgId;
  text?: string | undefined;
  fileId?: FileId | undefined;
  /** Our msgid of a message of the same conversation to quote. */
  replyTo?: MsgId | undefined;
  /** The web page the client wrote from (sent on to amoCRM as a line of the text, page-line.ts). */
  page?: PageRef | undefined;
  /** Shown to the managers only, above the text (see `MessageContent.managerNote`). */
  managerNote?: string | undefined;
  /** How the file is shown when the platform knows better than its content type (a sticker, a voice note). */
  fileKind?: MessageKind | undefined;
  durationSec?: number | undefined;
  location?: { lat: number; lon: number } | undefined;
  contact?: { name: string; phone: string } | undefined;
}

export interface AcceptOptions {
  /**
   * The caller runs in a job (a platform's update job) and may wait for amojo: the message is
   * sent in the caller's job rather than by a send job of its own, when nothing of the
   * conversation's queue is waiting before it. A send that fails becomes a send job (retried as
   * every send is); so does a message found queued when the caller's job runs again after a
   * crash. The send job's idempotency key keeps either to one.
   */
  sendNow?: boolean;
}

export interface AcceptResult {
  message: MessageRecord;
  /** False when the client msgid was known: nothing new happened. */
  created: boolean;
}

/**
 * Gives the conversation's held client messages (and `newest`, a message just accepted) send
 * jobs, oldest first: jobs of one queue run in id order, so nothing overtakes what waited.
 * Everything but the newest is imported `silent`, so amoCRM raises one notification for the
 * batch (chats-api.md §4.4).
 */
export async function releaseHeldMessages(tx: BridgeRepos, conversationId: ConversationId, newest?: MsgId): Promise<number> {
  const held = await tx.messages.listHeld(conversationId);
  const ids = [...held.map((m) => m.id), ...(newest ? [newest] : [])];
  if (ids.length === 0) return 0;
  for (const [i, m] of held.entries()) {
    const silent = i < ids.length - 1;
    await tx.messages.update(m.id, { status: 'queued', content: { ...m.content, ...(silent ? { silent } : {}) } });
  }
  await tx.jobs.enqueue(ids.map((id) => sendJob(conversationId, id)));
  return ids.length;
}

function kindOf(input: ClientMessageInput, file: FileRecord | undefined): MessageKind {
  if (file) return input.fileKind ?? file.kind;
  if (input.location) return 'location';
  if (input.contact) return 'contact';
  return 'text';
}

/** The insert found the client msgid taken (a concurrent try of the same message). */
class DuplicateClientMsgId extends Error {}

/** What the send job does for one queued message (send-job.ts). */
export type SendQueued = (msgid: MsgId) => Promise<void>;

export function createClientMessages(ctx: BridgeContext, sendQueued: SendQueued) {
  const { store } = ctx;

  /**
   * Stores a new client message with its timeline event and, when connected, its send job, or,
   * with `sendNow` and the conversation's queue idle, none (`sendsNow`: the caller sends it).
   */
  async function insertNew(
    tx: BridgeRepos,
    conversation: ConversationRecord,
    clientMsgId: ClientMsgId,
    kind: MessageKind,
    content: MessageContent,
    connected: boolean,
    sendNow: boolean,
  ): Promise<{ message: MessageRecord; event: TimelineEvent; sendsNow: boolean }> {
    // Connected and sent by a job: the send job is stored with the message, in its statement.
    const jobOf = connected && !sendNow ? (msgid: MsgId) => sendJob(conversation.id, msgid) : undefined;
    const { message, event, inserted, othersHeld } = await insertMessage(
      tx,
      ctx,
      {
        conversationId: conversation.id,
        direction: 'inbound',
        amojoMsgId: null,
        clientMsgId,
        kind,
        // Disconnected: held (no job), imported when the account connects.
        status: connected ? 'queued' : 'held',
        content,
      },
      jobOf,
    );
    // The unique index decides between racing tries; throwing rolls back the event appended above.
    if (!inserted) throw new DuplicateClientMsgId();
    // Messages held while disconnected go first (the import at the reconnect may have missed one
    // accepted meanwhile); almost always there are none, and the insert already said so.
    if (connected && othersHeld) await releaseHeldMessages(tx, conversation.id, message.id);
    else if (connected && sendNow) {
      if (!(await tx.jobs.isQueueBusy(conversationQueue(conversation.id)))) return { message, event, sendsNow: true };
      await tx.jobs.enqueue([sendJob(conversation.id, message.id)]);
    }
    return { message, event, sendsNow: false };
  }

  /** A send job for a queued message (one at most, by its idempotency key), and the runner told. */
  async function queueSend(conversationId: ConversationId, msgid: MsgId): Promise<void> {
    await store.transaction((tx) => tx.jobs.enqueue([sendJob(conversationId, msgid)]));
    ctx.wakeJobs();
  }

  /** Sends a message stored without a job; a failure hands it to a send job, to be retried. */
  async function sendInline(conversation: ConversationRecord, msgid: MsgId): Promise<void> {
    try {
      await sendQueued(msgid);
    } catch (err) {
      ctx.logger.warn({ msgid, conversationId: conversation.id, err: describeError(err) }, 'client message not sent at once; a send job retries it');
      await queueSend(conversation.id, msgid);
    }
  }

  function checkText(text: string | undefined, field: string): void {
    if (text !== undefined && text.length > ctx.limits.maxTextLength) {
      throw new BridgeRefusal('invalid', `${field}: longer than ${ctx.limits.maxTextLength} characters`, field);
    }
  }

  async function ownFile(conversation: ConversationRecord, fileId: FileId): Promise<FileRecord> {
    const file = await store.files.get(fileId);
    if (!file) throw new BridgeRefusal('not_found', 'file_id: no such file', 'file_id');
    if (file.conversationId !== conversation.id) throw new BridgeRefusal('forbidden', 'file_id: the file belongs to another conversation', 'file_id');
    return file;
  }

  async function ownMessage(conversation: ConversationRecord, msgid: MsgId, field: string): Promise<MessageRecord> {
    const m = await store.messages.get(msgid);
    if (!m) throw new BridgeRefusal('not_found', `${field}: no such message`, field);
    // Ids are unguessable, so saying that it exists elsewhere reveals nothing.
    if (m.conversationId !== conversation.id) throw new BridgeRefusal('forbidden', `${field}: the message belongs to another conversation`, field);
    return m;
  }

  return {
    async accept(conversation: ConversationRecord, input: ClientMessageInput, opts: AcceptOptions = {}): Promise<AcceptResult> {
      const text = input.text !== undefined && input.text.trim() !== '' ? input.text : undefined;
      if (text === undefined && input.fileId === undefined && !input.location && !input.contact) throw new BridgeRefusal('invalid', 'text or file_id is required', 'text');
      checkText(text, 'text');

      const file = input.fileId !== undefined ? await ownFile(conversation, input.fileId) : undefined;
      const quoted = input.replyTo !== undefined ? await ownMessage(conversation, input.replyTo, 'reply_to') : undefined;
      const content: MessageContent = {};
      if (text !== undefined) content.text = text;
      if (input.managerNote) content.managerNote = input.managerNote;
      if (file) content.file = { id: file.id, name: file.name, size: file.size, contentType: file.contentType };
      if (input.page) content.page = { url: input.page.url, ...(input.page.title ? { title: input.page.title } : {}) };
      if (input.durationSec !== undefined) content.durationSec = input.durationSec;
      if (input.location) content.location = input.location;
      if (input.contact) content.contact = input.contact;
      if (quoted) {
        content.replyTo = { msgid: quoted.id, ...(quoted.amojoMsgId ? { amojoMsgId: quoted.amojoMsgId } : {}), kind: quoted.kind };
        if (quoted.content.text !== undefined) content.replyTo.text = quoted.content.text.slice(0, 200);
      }

      const connected = await ctx.isConnected(conversation.accountId, conversation.platform);
      let result: { message: MessageRecord; event: TimelineEvent; sendsNow: boolean };
      try {
        result = await ctx.store.durableTransaction((tx) => insertNew(tx, conversation, input.clientMsgId, kindOf(input, file), content, connected, opts.sendNow === true));
      } catch (err) {
        // Two tries of one message raced: the other one was stored; this one answers with it.
        if (!(err instanceof DuplicateClientMsgId)) throw err;
        const first = await store.messages.getByClientMsgId(conversation.id, input.clientMsgId);
        if (!first) throw err;
        // The caller's job ran again (a crash after the commit): the message may have no send job yet.
        if (opts.sendNow && first.status === 'queued') await queueSend(conversation.id, first.id);
        return { message: first, created: false };
      }
      if (!result.sendsNow) ctx.wakeJobs();
      await publish(ctx, conversation, [result.event]);
      if (result.sendsNow) await sendInline(conversation, result.message.id);
      return { message: result.message, created: true };
    },

    /** The client edits the text (or caption) of their own message (edit_message, §4.5). */
    async edit(conversation: ConversationRecord, msgid: MsgId, text: string): Promise<MessageRecord> {
      checkText(text, 'text');
      const m = await ownMessage(conversation, msgid, 'msgid');
      if (m.direction !== 'inbound') throw new BridgeRefusal('forbidden', 'Only your own messages can be edited.');
      if (m.status === 'failed') throw new BridgeRefusal('conflict', 'The message was not delivered; it cannot be edited.');
      if (m.kind === 'text' && text.trim() === '') throw new BridgeRefusal('invalid', 'text: must not be empty', 'text');
      if (m.content.text === text) return m;
      const editedAt = ctx.now();
      const connected = await ctx.isConnected(conversation.accountId, conversation.platform);
      const { updated, event } = await ctx.store.durableTransaction(async (tx) => {
        const updated: MessageRecord = { ...m, content: { ...m.content, text, editedAt }, updatedAt: editedAt };
        await tx.messages.update(m.id, { content: updated.content });
        const event = await appendEvent(tx, ctx, conversation.id, { type: 'edit', data: { msgid: m.id, text, edited_at: editedAt } });
        // Always queued behind the send: if the send read the old text, this edit corrects it.
        if (connected) await tx.jobs.enqueue([editJob(conversation.id, m.id, editedAt)]);
        return { updated, event };
      });
      ctx.wakeJobs();
      await publish(ctx, conversation, [event as TimelineEvent]);
      return updated;
    },

    ownMessage,
  };
}

export type ClientMessages = ReturnType<typeof createClientMessages>;
