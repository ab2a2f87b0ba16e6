/**
 * Jobs that call amojo for what clients did. Each `perform` is safe to repeat: it re-reads the
 * stored state first and does nothing when the work is already done, and a repeated send is
 * refused by amojo as a known msgid (`alreadyDelivered`), never sent twice.
 */
import { appendEvent, publish, targetOf, type BridgeContext } from './context.js';
import { describeError, isPermanent } from './errors.js';
import { asConversationId, asMsgId, type AmojoMsgId } from './ids.js';
import { editPayload, JOB_KINDS, reactPayload, readPayload, sendPayload, statusPayload, typingPayload } from './job-kinds.js';
import type { JobHandler } from './job-runner.js';
import type { ChatsTarget, NewMessageRequest } from './ports.js';
import type { ConversationRecord, MessageRecord } from './records.js';
import { fileUrl } from './views.js';

/** Typing older than this is not worth showing any more. */
const TYPING_STALE_MS = 10_000;

interface Loaded {
  message: MessageRecord;
  conversation: ConversationRecord;
  /** Undefined while the account is not connected. */
  target: ChatsTarget | undefined;
}

export function createOutboxJobs(ctx: BridgeContext): JobHandler[] {
  const { store, gateway, logger } = ctx;

  async function load(msgid: string): Promise<Loaded | undefined> {
    const message = await store.messages.get(asMsgId(msgid));
    if (!message) return undefined;
    const conversation = await ctx.getConversation(message.conversationId);
    if (!conversation) return undefined;
    const account = await store.accounts.get(conversation.accountId);
    return { message, conversation, target: account ? targetOf(account) : undefined };
  }

  async function buildSend(message: MessageRecord, c: ConversationRecord, silent: boolean): Promise<NewMessageRequest> {
    const req: NewMessageRequest = {
      timestamp: Math.floor(message.createdAt / 1000),
      msec_timestamp: message.createdAt,
      msgid: message.id,
      conversation_id: c.id,
      silent,
      sender: { id: c.participantId, name: c.participantName, ...(hasProfile(c) ? { profile: c.profile } : {}) },
      message: { type: message.kind },
    };
    const { text, file, replyTo } = message.content;
    if (text !== undefined) req.message.text = text;
    if (file) Object.assign(req.message, { media: fileUrl(ctx.publicUrl, file), file_name: file.name, file_size: file.size });
    if (replyTo) {
      const quoted = await store.messages.get(replyTo.msgid);
      // Our own messages are known to amojo by our msgid; managers' only by amojo's id.
      if (quoted?.direction === 'inbound' && quoted.status === 'sent') req.reply_to = { message: { msgid: quoted.id } };
      else if (quoted?.amojoMsgId) req.reply_to = { message: { id: quoted.amojoMsgId } };
    }
    return req;
  }

  const send: JobHandler = {
    kind: JOB_KINDS.send,
    async perform(payload) {
      const p = readPayload(sendPayload, payload, JOB_KINDS.send);
      const loaded = await load(p.msgid);
      if (!loaded || loaded.message.status !== 'queued') return;
      const { message, conversation, target } = loaded;
      // Disconnected since the job was queued: held again, for the import when the account connects.
      if (!target) {
        await ctx.commit((tx) => tx.messages.update(message.id, { status: 'held' }));
        return;
      }
      const outcome = await gateway.sendMessage(target, await buildSend(message, conversation, p.silent));
      const event = await ctx.commit(async (tx) => {
        await tx.messages.update(message.id, { status: 'sent', ...(outcome.amojoMsgId ? { amojoMsgId: outcome.amojoMsgId as AmojoMsgId } : {}), error: null });
        if (!conversation.amojoChatId || !conversation.amojoParticipantId) {
          await tx.conversations.setAmojoIds(conversation.id, {
            ...(outcome.amojoChatId ? { amojoChatId: outcome.amojoChatId } : {}),
            ...(outcome.amojoSenderId ? { amojoParticipantId: outcome.amojoSenderId } : {}),
          });
        }
        return appendEvent(tx, ctx, conversation.id, { type: 'status', data: { msgid: message.id, status: 'sent', error: null } });
      });
      if (!conversation.amojoChatId || !conversation.amojoParticipantId) ctx.forgetConversation(conversation.id);
      await publish(ctx, conversation, [event]);
    },
    async onFailed(payload, err) {
      const p = readPayload(sendPayload, payload, JOB_KINDS.send);
      const loaded = await load(p.msgid);
      if (!loaded || loaded.message.status !== 'queued') return;
      const error = 'amoCRM did not accept the message.';
      logger.error({ msgid: p.msgid, conversationId: loaded.conversation.id, err: describeError(err) }, 'client message could not be sent');
      const event = await ctx.commit(async (tx) => {
        await tx.messages.update(loaded.message.id, { status: 'failed', error });
        return appendEvent(tx, ctx, loaded.conversation.id, { type: 'status', data: { msgid: loaded.message.id, status: 'failed', error } });
      });
      await publish(ctx, loaded.conversation, [event]);
    },
  };

  const edit: JobHandler = {
    kind: JOB_KINDS.edit,
    async perform(payload) {
      const p = readPayload(editPayload, payload, JOB_KINDS.edit);
      const loaded = await load(p.msgid);
      // Still queued: the send carries the new text. Failed: nothing to correct.
      if (!loaded?.target || loaded.message.status !== 'sent') return;
      const { message, conversation, target } = loaded;
      await gateway.editMessage(target, {
        timestamp: Math.floor(p.editedAt / 1000),
        msec_timestamp: p.editedAt,
        msgid: message.id,
        conversation_id: conversation.id,
        message: { type: message.kind, ...(message.content.text !== undefined ? { text: message.content.text } : {}) },
      });
    },
  };

  const react: JobHandler = {
    kind: JOB_KINDS.react,
    async perform(payload) {
      const p = readPayload(reactPayload, payload, JOB_KINDS.react);
      const loaded = await load(p.msgid);
      if (!loaded?.target) return;
      const { message, conversation, target } = loaded;
      const ref = message.direction === 'inbound' ? (message.status === 'sent' ? { msgid: message.id } : undefined) : message.amojoMsgId ? { id: message.amojoMsgId } : undefined;
      if (!ref) return;
      await gateway.react(target, {
        conversation_id: conversation.id,
        ...ref,
        user: { id: conversation.participantId },
        type: p.type,
        ...(p.type === 'react' && p.emoji ? { emoji: p.emoji } : {}),
      });
    },
  };

  const typing: JobHandler = {
    kind: JOB_KINDS.typing,
    async perform(payload) {
      const p = readPayload(typingPayload, payload, JOB_KINDS.typing);
      if (ctx.now() - p.at > TYPING_STALE_MS) return;
      const conversation = await ctx.getConversation(asConversationId(p.conversationId));
      const account = conversation ? await store.accounts.get(conversation.accountId) : undefined;
      const target = account ? targetOf(account) : undefined;
      if (!conversation || !target) return;
      try {
        await gateway.typing(target, { conversation_id: conversation.id, sender: { id: conversation.participantId } });
      } catch (err) {
        // A lost typing indicator is not worth a retry or a parked job.
        logger.debug({ conversationId: conversation.id, err: describeError(err) }, 'typing not forwarded');
      }
    },
  };

  const status: JobHandler = {
    kind: JOB_KINDS.status,
    async perform(payload) {
      const p = readPayload(statusPayload, payload, JOB_KINDS.status);
      const loaded = await load(p.msgid);
      if (!loaded?.target || !loaded.message.amojoMsgId) return;
      try {
        await gateway.setDeliveryStatus(loaded.target, loaded.message.amojoMsgId, { status: p.status });
      } catch (err) {
        // 404: amoCRM no longer has the message; nothing to report to.
        if (!isPermanent(err)) throw err;
        logger.warn({ msgid: p.msgid, err: describeError(err) }, 'delivery status refused');
      }
    },
  };

  return [send, edit, react, typing, status];
}

function hasProfile(c: ConversationRecord): boolean {
  return c.profile.phone !== undefined || c.profile.email !== undefined;
}
