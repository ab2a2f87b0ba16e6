/**
 * The delivery job: one manager message to a platform that sends through a service of its own
 * (`DeliveryCapable`, e.g. a messenger's API). The platform answers what happened; this job
 * stores it: the platform's id of the message and the status its service vouches for (reported
 * to amoCRM), a wait (the job is retried, after the delay the service asked for), or a refusal
 * (the message is `failed` and amoCRM gets delivery status -1 with the platform's reason,
 * chats-api.md §4.7). Safe to repeat: it does nothing once the message left `received`.
 */
import { appendEvent, publish, targetOf, type BridgeContext } from './context.js';
import { describeError, isPermanent, RetryLater } from './errors.js';
import { asClientMsgId, asMsgId, type MsgId } from './ids.js';
import { deliverPayload, JOB_KINDS, readPayload, statusJob } from './job-kinds.js';
import type { JobHandler } from './job-runner.js';
import { FALLBACK_TEXTS, isDeliveryCapable, type DeliveryErrorCode, type OutboundDelivery } from './platform.js';
import type { DeliveryUpdate } from './ports.js';
import type { ConversationRecord, MessageRecord } from './records.js';
import { fileUrl } from './views.js';

export function createDeliverJob(ctx: BridgeContext): JobHandler {
  const { store, logger } = ctx;

  async function load(msgid: string): Promise<{ message: MessageRecord; conversation: ConversationRecord } | undefined> {
    const message = await store.messages.get(asMsgId(msgid));
    if (!message || message.direction !== 'outbound' || message.status !== 'received') return undefined;
    const conversation = await ctx.getConversation(message.conversationId);
    return conversation ? { message, conversation } : undefined;
  }

  async function openBlob(path: string): Promise<AsyncIterable<Uint8Array>> {
    const bytes = await ctx.blobs.read(path);
    if (!bytes) throw new Error('the stored file is gone');
    return bytes;
  }

  async function delivery(message: MessageRecord, conversation: ConversationRecord): Promise<OutboundDelivery> {
    const quoted = message.content.replyTo ? await store.messages.get(message.content.replyTo.msgid) : undefined;
    const fileRecord = message.content.file ? await store.files.get(message.content.file.id) : undefined;
    return {
      conversation,
      message,
      replyToPlatformMsgId: quoted?.clientMsgId ?? undefined,
      file: fileRecord ? { url: fileUrl(ctx.publicUrl, fileRecord), open: () => openBlob(fileRecord.path) } : undefined,
    };
  }

  /** Tells amoCRM the message will not arrive; amojo refusing the report (4xx) is logged, not retried. */
  async function reportFailure(message: MessageRecord, conversation: ConversationRecord, errorCode: DeliveryErrorCode, errorText: string): Promise<void> {
    const event = await ctx.store.transaction(async (tx) => {
      await tx.messages.update(message.id, { status: 'failed', error: errorText });
      return appendEvent(tx, ctx, conversation.id, { type: 'status', data: { msgid: message.id, status: 'failed', error: errorText } });
    });
    await publish(ctx, conversation, [event]);
    const account = await ctx.getAccount(conversation.accountId);
    const target = account ? targetOf(account, ctx.platforms.get(conversation.platform)) : undefined;
    if (!target || !message.amojoMsgId) return;
    // Two branches of one shape: each narrows `errorCode` to one of DeliveryUpdate's variants.
    const update: DeliveryUpdate = errorCode === 905 ? { status: -1, errorCode, errorText } : { status: -1, errorCode, errorText };
    try {
      await ctx.gateway.setDeliveryStatus(target, message.amojoMsgId, update);
    } catch (err) {
      if (!isPermanent(err)) throw err;
      logger.warn({ msgid: message.id, err: describeError(err) }, 'delivery status refused by amojo');
    }
  }

  /** The first of the platform's ids is the message's; the later ones (a message sent in parts) are kept too. */
  async function recordDelivered(message: MessageRecord, conversation: ConversationRecord, platformMsgIds: readonly string[], delivered: boolean): Promise<void> {
    const [platformMsgId, ...laterParts] = platformMsgIds;
    const account = await ctx.getAccount(conversation.accountId);
    const connected = !!account && targetOf(account, ctx.platforms.get(conversation.platform)) !== undefined;
    const events = await ctx.store.transaction(async (tx) => {
      if (platformMsgId !== undefined) await tx.messages.update(message.id, { clientMsgId: asClientMsgId(platformMsgId) });
      if (laterParts.length > 0) await tx.messages.addPlatformParts(conversation.id, message.id, laterParts.map(asClientMsgId));
      if (!delivered || !(await tx.messages.advanceStatus(message.id, ['received'], 'delivered'))) return [];
      if (connected && message.amojoMsgId) await tx.jobs.enqueue([statusJob(conversation.id, message.id as MsgId, 1)]);
      return [await appendEvent(tx, ctx, conversation.id, { type: 'status', data: { msgid: message.id, status: 'delivered', error: null } })];
    });
    ctx.wakeJobs();
    if (events.length > 0) await publish(ctx, conversation, events);
  }

  return {
    kind: JOB_KINDS.deliver,
    async perform(payload) {
      const p = readPayload(deliverPayload, payload, JOB_KINDS.deliver);
      const loaded = await load(p.msgid);
      // Already delivered (a repeated job), or nothing to deliver to.
      if (!loaded || loaded.message.clientMsgId !== null) return;
      const { message, conversation } = loaded;
      const adapter = ctx.platforms.get(conversation.platform);
      if (!adapter || !isDeliveryCapable(adapter)) return;
      let result;
      try {
        result = await adapter.deliver(await delivery(message, conversation));
      } catch (err) {
        throw new RetryLater(`delivery failed: ${describeError(err)}`);
      }
      if (result.outcome === 'retry') throw new RetryLater(result.reason, result.afterMs);
      if (result.outcome === 'failed') {
        logger.warn({ msgid: message.id, conversationId: conversation.id, reason: result.reason }, 'the platform refused a manager message');
        await reportFailure(message, conversation, result.errorCode ?? 905, result.reason);
        return;
      }
      await recordDelivered(message, conversation, result.platformMsgIds, result.status === 'delivered');
    },
    /** Every try asked to wait: amoCRM is told the message did not arrive. */
    async onFailed(payload, err) {
      const p = readPayload(deliverPayload, payload, JOB_KINDS.deliver);
      const loaded = await load(p.msgid);
      if (!loaded || loaded.message.clientMsgId !== null) return;
      logger.error({ msgid: p.msgid, conversationId: loaded.conversation.id, err: describeError(err) }, 'manager message could not be delivered');
      const texts = ctx.platforms.get(loaded.conversation.platform)?.texts ?? FALLBACK_TEXTS;
      await reportFailure(loaded.message, loaded.conversation, 905, texts.deliveryFailed);
    },
  };
}
