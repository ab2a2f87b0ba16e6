/**
 * The send job: one visitor message to amojo (new_message, chats-api.md §4.4). Safe to repeat: it
 * re-reads the message and does nothing unless it is still `queued`; a repeated send is refused by
 * amojo as a known msgid (`alreadyDelivered`), never sent twice.
 */
import { publish, updateWithEvent, type BridgeContext } from './context.js';
import { describeError } from './errors.js';
import type { AmojoMsgId } from './ids.js';
import { JOB_KINDS, readPayload, sendPayload } from './job-kinds.js';
import type { JobContext, JobHandler } from './job-runner.js';
import type { Loaded } from './outbox-jobs.js';
import { textForAmojo } from './amojo-text.js';
import type { ChatsTarget, NewMessageRequest } from './ports.js';
import { isAtAmojo, type ConversationRecord, type MessageRecord } from './records.js';
import { fileUrl } from './views.js';

export function createSendJob(ctx: BridgeContext, load: (msgid: string) => Promise<Loaded | undefined>): { job: JobHandler; sendQueued: (msgid: string) => Promise<void> } {
  const { store, gateway, logger } = ctx;

  async function buildRequest(message: MessageRecord, c: ConversationRecord, sourceExternalId: string | undefined): Promise<NewMessageRequest> {
    const { profileLink, ...reachable } = c.profile;
    const hasProfile = reachable.phone !== undefined || reachable.email !== undefined;
    const req: NewMessageRequest = {
      timestamp: Math.floor(message.createdAt / 1000),
      msec_timestamp: message.createdAt,
      msgid: message.id,
      conversation_id: c.id,
      // Imported after a reconnect: silent except the newest (set when the held messages were released).
      silent: message.content.silent === true,
      // On every message, not only the first (§7 rule 5): a chat amoCRM already tagged keeps its
      // source, so a pipeline chosen later routes new chats only.
      ...(sourceExternalId !== undefined ? { source: { external_id: sourceExternalId } } : {}),
      sender: { id: c.participantId, name: c.participantName, ...(hasProfile ? { profile: reachable } : {}), ...(profileLink ? { profile_link: profileLink } : {}) },
      message: { type: message.kind },
    };
    const { file, replyTo } = message.content;
    const text = textForAmojo(message.content);
    if (text !== undefined) req.message.text = text;
    if (file) Object.assign(req.message, { media: fileUrl(ctx.publicUrl, file), file_name: file.name, file_size: file.size });
    const { durationSec, location, contact } = message.content;
    if (durationSec !== undefined) req.message.media_duration = Math.round(durationSec);
    if (location) req.message.location = location;
    if (contact) req.message.contact = contact;
    if (replyTo) {
      const quoted = await store.messages.get(replyTo.msgid);
      // Our own messages are known to amojo by our msgid; managers' only by amojo's id.
      if (quoted && isAtAmojo(quoted)) req.reply_to = { message: { msgid: quoted.id } };
      else if (quoted?.amojoMsgId) req.reply_to = { message: { id: quoted.amojoMsgId } };
    }
    return req;
  }

  /**
   * Sends the message, then records amojo's ids and the `sent` status; as the send job (`run`), ends it in
   * the same transaction.
   */
  async function sendOne(loaded: Loaded, target: ChatsTarget, run: JobContext | undefined): Promise<void> {
    const { message, conversation } = loaded;
    const outcome = await gateway.sendMessage(target, await buildRequest(message, conversation, loaded.sourceExternalId));
    const learnsIds = !conversation.amojoChatId || !conversation.amojoParticipantId;
    const { event, next } = await ctx.store.transaction(async (tx) => {
      if (learnsIds) {
        await tx.conversations.setAmojoIds(conversation.id, {
          ...(outcome.amojoChatId ? { amojoChatId: outcome.amojoChatId } : {}),
          ...(outcome.amojoSenderId ? { amojoParticipantId: outcome.amojoSenderId } : {}),
        });
      }
      const patch = { status: 'sent' as const, ...(outcome.amojoMsgId ? { amojoMsgId: outcome.amojoMsgId as AmojoMsgId } : {}), error: null };
      // Side by side: on PostgreSQL the status and the job's end travel in one round trip.
      // Settled, not raced: neither may still be running when the transaction ends.
      const [sent, finished] = await Promise.allSettled([
        updateWithEvent(tx, ctx, message.id, patch, conversation.id, { type: 'status', data: { msgid: message.id, status: 'sent', error: null } }),
        run ? tx.jobs.finish(run.lease) : undefined,
      ]);
      if (sent.status === 'rejected') throw sent.reason;
      if (finished.status === 'rejected') throw finished.reason;
      return { event: sent.value, next: finished.value };
    });
    if (next) run!.finished(next);
    if (learnsIds) ctx.forgetConversation(conversation.id);
    await publish(ctx, conversation, [event]);
  }

  /** Sends the message if it is still queued: what the job does, and what a job that accepted it may do at once. */
  async function sendQueued(msgid: string, run?: JobContext): Promise<void> {
    const loaded = await load(msgid);
    if (!loaded || loaded.message.status !== 'queued') return;
    const { message, target } = loaded;
    // Disconnected since the job was queued: held again, for the import when the account connects.
    if (!target) {
      await ctx.store.transaction((tx) => tx.messages.update(message.id, { status: 'held' }));
      return;
    }
    await sendOne(loaded, target, run);
  }

  const job: JobHandler = {
    kind: JOB_KINDS.send,
    perform: (payload, run) => sendQueued(readPayload(sendPayload, payload, JOB_KINDS.send).msgid, run),
    async onFailed(payload, err) {
      const p = readPayload(sendPayload, payload, JOB_KINDS.send);
      const loaded = await load(p.msgid);
      if (!loaded || loaded.message.status !== 'queued') return;
      const error = 'amoCRM did not accept the message.';
      logger.error({ msgid: p.msgid, conversationId: loaded.conversation.id, err: describeError(err) }, 'client message could not be sent');
      const event = await ctx.store.transaction((tx) =>
        updateWithEvent(tx, ctx, loaded.message.id, { status: 'failed', error }, loaded.conversation.id, { type: 'status', data: { msgid: loaded.message.id, status: 'failed', error } }),
      );
      await publish(ctx, loaded.conversation, [event]);
    },
  };
  return { job, sendQueued };
}
