/**
 * The job that processes a stored amojo hook (chats-api.md §5): a manager's message is stored
 * (files downloaded into our store), put on the conversation's timeline and handed to the
 * platform (through a delivery job when the platform sends to a service of its own); typing and
 * reactions go to the platform too. What cannot be delivered is reported to amoCRM as delivery
 * status -1, in the platform's words: 904 for "write first" (no platform here can start a
 * conversation by phone), 905 with a reason otherwise.
 */
import { cleanName, cleanText } from './clean-text.js';
import { appendEvent, insertMessage, publish, type BridgeContext } from './context.js';
import { describeError, isPermanent, StorageQuotaExceeded } from './errors.js';
import type { Files } from './files.js';
import { hookJobPayload, type HookJob, type ManagerMessageEvent, type ManagerReactionEvent, type ManagerTypingEvent } from './hook-events.js';
import { asAmojoMsgId, asConversationId, asMsgId, asScopeId, type AmojoMsgId } from './ids.js';
import { readPayload } from './job-kinds.js';
import type { JobHandler } from './job-runner.js';
import { downloadManagerFile } from './media.js';
import { deliverJob } from './job-kinds.js';
import { acceptsKind, FALLBACK_TEXTS, isDeliveryCapable, isReactionCapable, isTypingCapable, type PlatformAdapter, type PlatformTexts } from './platform.js';
import type { ChatsTarget, DeliveryUpdate } from './ports.js';
import { MESSAGE_KINDS, type ConversationRecord, type FileRecord, type MessageContent, type MessageKind, type MessageRecord, type TimelineEvent } from './records.js';

export interface HookHandlerDeps {
  files: Files;
}

export function createHookHandler(ctx: BridgeContext, kind: string, deps: HookHandlerDeps): JobHandler {
  const { store, logger } = ctx;

  async function targetOf(job: HookJob): Promise<ChatsTarget> {
    const account = await ctx.getAccount(job.accountId);
    return { scopeId: asScopeId(job.scopeId), host: account?.host ?? null };
  }

  /** Reports a delivery failure; amojo refusing the report (4xx) is logged, not retried. */
  async function report(job: HookJob, amojoMsgId: AmojoMsgId, update: DeliveryUpdate): Promise<void> {
    try {
      await ctx.gateway.setDeliveryStatus(await targetOf(job), amojoMsgId, update);
    } catch (err) {
      if (!isPermanent(err)) throw err;
      logger.warn({ scopeId: job.scopeId, amojoMsgId, err: describeError(err) }, 'delivery status refused by amojo');
    }
  }

  /** The platform whose channel the hook came through; older stored hooks: the first channel's. */
  function platformOf(job: HookJob): PlatformAdapter | undefined {
    if (job.platform) return ctx.platforms.get(job.platform);
    return [...ctx.platforms.values()].find((a) => !a.hasOwnChannel);
  }

  const textsOf = (adapter: PlatformAdapter | undefined): PlatformTexts => adapter?.texts ?? FALLBACK_TEXTS;

  async function findConversation(job: HookJob, conversationId: string | undefined, amojoChatId: string): Promise<ConversationRecord | undefined> {
    if (conversationId) {
      const c = await store.conversations.get(asConversationId(conversationId));
      if (c && c.accountId === job.accountId) return c;
    }
    return store.conversations.findByAmojoChat(job.accountId, amojoChatId);
  }

  async function onMessage(job: HookJob, e: ManagerMessageEvent): Promise<void> {
    const amojoMsgId = asAmojoMsgId(e.message.amojoMsgId);
    const conversation = await findConversation(job, e.conversationId, e.amojoChatId);
    if (!conversation) {
      const texts = textsOf(platformOf(job));
      if (e.isWriteFirst) {
        logger.warn({ scopeId: job.scopeId, amojoChatId: e.amojoChatId, amojoMsgId }, 'write-first message refused: the channel cannot start a conversation');
        await report(job, amojoMsgId, { status: -1, errorCode: 904, errorText: texts.writeFirstRefused });
      } else {
        logger.warn({ scopeId: job.scopeId, amojoChatId: e.amojoChatId, amojoMsgId }, 'manager message for an unknown conversation');
        await report(job, amojoMsgId, { status: -1, errorCode: 905, errorText: texts.unknownConversation });
      }
      return;
    }
    // A message stored already (a repeated hook), or the client's own message coming back: shown once.
    if (await store.messages.getByAmojoMsgId(amojoMsgId)) return;
    if (conversation.amojoParticipantId !== null && e.senderAmojoId === conversation.amojoParticipantId) return;

    const adapter = ctx.platforms.get(conversation.platform);
    const messageKind = toKind(e.message.type);
    if (!adapter || !messageKind || !acceptsKind(adapter, messageKind)) {
      await report(job, amojoMsgId, { status: -1, errorCode: 905, errorText: textsOf(adapter).unsupportedKind(e.message.type) });
      return;
    }
    const rawText = e.message.text || e.message.forwarded?.text || e.message.template?.content || undefined;
    const text = rawText === undefined ? undefined : cleanText(rawText) || undefined;
    let file: FileRecord | undefined;
    const place = messageKind === 'location' ? e.message.location : undefined;
    const card = messageKind === 'contact' ? e.message.contact : undefined;
    if (messageKind === 'location' || messageKind === 'contact') {
      if (!place && !card) {
        await report(job, amojoMsgId, { status: -1, errorCode: 905, errorText: `The ${messageKind} message carries no ${messageKind}.` });
        return;
      }
    } else if (messageKind !== 'text') {
      if (!e.message.media) {
        await report(job, amojoMsgId, { status: -1, errorCode: 905, errorText: 'The message carries no file link.' });
        return;
      }
      try {
        file = await downloadManagerFile(ctx, deps.files, { url: e.message.media, fileName: e.message.fileName, kind: messageKind, accountId: conversation.accountId, conversationId: conversation.id });
      } catch (err) {
        if (!isPermanent(err)) throw err;
        logger.warn({ conversationId: conversation.id, amojoMsgId, err: describeError(err) }, 'manager file could not be downloaded');
        const reason = describeError(err).replace(/^\w+: /, '');
        const errorText = err instanceof StorageQuotaExceeded ? `The file was not delivered: ${reason}. Send a link to the file instead.` : `The file could not be downloaded (${reason}).`;
        await report(job, amojoMsgId, { status: -1, errorCode: 905, errorText });
        return;
      }
    } else if (!text) {
      await report(job, amojoMsgId, { status: -1, errorCode: 905, errorText: 'The message is empty.' });
      return;
    }

    const content: MessageContent = {};
    if (text) content.text = text;
    if (file) content.file = { id: file.id, name: file.name, size: file.size, contentType: file.contentType };
    if (place) content.location = { lat: place.lat, lon: place.lon };
    if (card) content.contact = { name: card.name ?? card.phone, phone: card.phone };
    const senderName = e.senderName ? cleanName(e.senderName) : '';
    if (senderName) content.senderName = senderName;
    if (e.message.buttons && e.message.buttons.length > 0) {
      content.buttons = e.message.buttons.map((row) => row.map((b) => (b.url ? { text: b.text, url: b.url } : { text: b.text })));
    }
    if (e.message.template?.id != null) content.templateId = e.message.template.id;
    const quoted = await findQuoted(conversation, e.message.replyTo?.msgid, e.message.replyTo?.amojoMsgId);
    if (quoted) {
      content.replyTo = { msgid: quoted.id, kind: quoted.kind, ...(quoted.amojoMsgId ? { amojoMsgId: quoted.amojoMsgId } : {}) };
      if (quoted.content.text !== undefined) content.replyTo.text = quoted.content.text.slice(0, 200);
    }

    const events = await ctx.store.transaction(async (tx) => {
      if (await tx.messages.getByAmojoMsgId(amojoMsgId)) return [];
      const { event: appended } = await insertMessage(tx, ctx, {
        conversationId: conversation.id,
        direction: 'outbound',
        amojoMsgId,
        clientMsgId: null,
        kind: messageKind,
        status: 'received',
        content,
      });
      // A platform with a service of its own gets the message through a job that stores its answer.
      if (isDeliveryCapable(adapter)) await tx.jobs.enqueue([deliverJob(conversation.id, appended.data.msgid)]);
      // amoCRM sends no read receipt for a client's message; a manager's answer is the proof it was read.
      const read: TimelineEvent[] = [];
      for (const m of await tx.messages.listInbound(conversation.id, ['sent'], appended.id)) {
        await tx.messages.update(m.id, { status: 'read' });
        read.push(await appendEvent(tx, ctx, conversation.id, { type: 'status', data: { msgid: m.id, status: 'read', error: null } }));
      }
      return [appended, ...read];
    });
    // "Delivered" is reported by whichever instance streams it to an open client (`signals.streamed`).
    if (events.length > 0) {
      ctx.wakeJobs();
      await publish(ctx, conversation, events);
    }
  }

  async function findQuoted(c: ConversationRecord, msgid: string | undefined, amojoMsgId: string | undefined): Promise<MessageRecord | undefined> {
    const byOurs = msgid ? await store.messages.get(asMsgId(msgid)) : undefined;
    const found = byOurs ?? (amojoMsgId ? await store.messages.getByAmojoMsgId(amojoMsgId) : undefined);
    return found?.conversationId === c.id ? found : undefined;
  }

  async function onTyping(job: HookJob, e: ManagerTypingEvent): Promise<void> {
    const conversation = await findConversation(job, e.conversationId, e.amojoChatId);
    const adapter = conversation ? ctx.platforms.get(conversation.platform) : undefined;
    if (!conversation || !adapter || !isTypingCapable(adapter) || e.expiresAt < ctx.now()) return;
    const notice = { conversationId: conversation.id, from: 'manager', until: e.expiresAt } as const;
    ctx.announce.typing(notice);
    adapter.showTyping(conversation.id, notice);
  }

  async function onReaction(job: HookJob, e: ManagerReactionEvent): Promise<void> {
    const conversation = await findConversation(job, e.conversationId, e.amojoChatId);
    const adapter = conversation ? ctx.platforms.get(conversation.platform) : undefined;
    if (!conversation || !adapter || !isReactionCapable(adapter)) return;
    const message = await findQuoted(conversation, e.clientMsgId, e.amojoMsgId);
    if (!message || (e.type === 'react' && !e.emoji)) {
      logger.debug({ conversationId: conversation.id, amojoMsgId: e.amojoMsgId }, 'reaction to an unknown message ignored');
      return;
    }
    const event = await ctx.store.transaction(async (tx) => {
      if (e.type === 'unreact') {
        if (!(await tx.reactions.remove(message.id, 'manager', e.userAmojoId))) return undefined;
      } else {
        await tx.reactions.set({ messageId: message.id, conversationId: conversation.id, side: 'manager', userId: e.userAmojoId, emoji: e.emoji!, updatedAt: ctx.now() });
      }
      return appendEvent(tx, ctx, conversation.id, { type: 'reaction', data: { msgid: message.id, from: 'manager', type: e.type, emoji: e.emoji ?? null } });
    });
    if (event) await publish(ctx, conversation, [event]);
  }

  return {
    kind,
    async perform(payload) {
      const job = readPayload(hookJobPayload, payload, kind);
      const e = job.event;
      if (e.kind === 'message') await onMessage(job, e);
      else if (e.kind === 'typing') await onTyping(job, e);
      else await onReaction(job, e);
    },
    /** Retries are used up (amojo's file link kept failing, …): tell amoCRM the message did not arrive. */
    async onFailed(payload, err) {
      const job = readPayload(hookJobPayload, payload, kind);
      if (job.event.kind !== 'message') return;
      logger.error({ scopeId: job.scopeId, amojoMsgId: job.event.message.amojoMsgId, err: describeError(err) }, 'manager message could not be delivered');
      await report(job, asAmojoMsgId(job.event.message.amojoMsgId), { status: -1, errorCode: 905, errorText: textsOf(platformOf(job)).deliveryFailed });
    },
  };
}

function toKind(type: string): MessageKind | undefined {
  return (MESSAGE_KINDS as readonly string[]).includes(type) ? (type as MessageKind) : undefined;
}
