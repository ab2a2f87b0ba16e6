/**
 * Jobs that call amojo for what clients did (the send is in `send-job.ts`). Each `perform` is safe
 * to repeat: it re-reads the stored state first and does nothing when the work is already done.
 */
import { targetOf, type BridgeContext } from './context.js';
import { describeError, isPermanent } from './errors.js';
import { asConversationId, asMsgId } from './ids.js';
import { editPayload, JOB_KINDS, reactPayload, readPayload, statusPayload, typingPayload } from './job-kinds.js';
import type { JobHandler } from './job-runner.js';
import type { ChatsTarget } from './ports.js';
import { isAtAmojo, type ConversationRecord, type MessageRecord } from './records.js';
import { textForAmojo } from './amojo-text.js';
import { createSendJob } from './send-job.js';
import { createDeliverJob } from './deliver-job.js';

/** Typing older than this is not worth showing any more. */
const TYPING_STALE_MS = 10_000;

export interface Loaded {
  message: MessageRecord;
  conversation: ConversationRecord;
  /** Undefined while the account is not connected. */
  target: ChatsTarget | undefined;
  /** The amoCRM source the conversation's platform sends with, if the admin chose a pipeline. */
  sourceExternalId: string | undefined;
}

/** The outbox's job handlers, and the send of one queued message (for a caller that sends at once). */
export function createOutboxJobs(ctx: BridgeContext): { handlers: JobHandler[]; sendQueued: (msgid: string) => Promise<void> } {
  const { store, gateway, logger } = ctx;

  async function load(msgid: string): Promise<Loaded | undefined> {
    const message = await store.messages.get(asMsgId(msgid));
    if (!message) return undefined;
    const conversation = await ctx.getConversation(message.conversationId);
    if (!conversation) return undefined;
    const account = await ctx.getAccount(conversation.accountId);
    return {
      message,
      conversation,
      target: account ? targetOf(account, ctx.platforms.get(conversation.platform)) : undefined,
      sourceExternalId: account?.sourceExternalIds[conversation.platform],
    };
  }

  const edit: JobHandler = {
    kind: JOB_KINDS.edit,
    async perform(payload) {
      const p = readPayload(editPayload, payload, JOB_KINDS.edit);
      const loaded = await load(p.msgid);
      // Still queued: the send carries the new text. Failed: nothing to correct.
      if (!loaded?.target || !isAtAmojo(loaded.message)) return;
      const { message, conversation, target } = loaded;
      const text = textForAmojo(message.content);
      await gateway.editMessage(target, {
        timestamp: Math.floor(p.editedAt / 1000),
        msec_timestamp: p.editedAt,
        msgid: message.id,
        conversation_id: conversation.id,
        // The page line stays on an edited message: amoCRM replaces the whole text.
        message: { type: message.kind, ...(text !== undefined ? { text } : {}) },
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
      const ref = message.direction === 'inbound' ? (isAtAmojo(message) ? { msgid: message.id } : undefined) : message.amojoMsgId ? { id: message.amojoMsgId } : undefined;
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
      const account = conversation ? await ctx.getAccount(conversation.accountId) : undefined;
      const target = account && conversation ? targetOf(account, ctx.platforms.get(conversation.platform)) : undefined;
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

  const send = createSendJob(ctx, load);
  return { handlers: [send.job, edit, react, typing, status, createDeliverJob(ctx)], sendQueued: send.sendQueued };
}

