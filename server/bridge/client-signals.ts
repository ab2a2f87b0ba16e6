/**
 * What a client signals besides messages: reactions, typing, and how far they have seen the
 * manager's messages (delivered when they reached an open client, read when the client says so).
 * Each becomes its Chats API call through a job (§4.7, §4.9, §4.10).
 */
import { appendEvent, publish, type BridgeContext } from './context.js';
import { BridgeRefusal } from './errors.js';
import type { ConversationId, MsgId } from './ids.js';
import { reactJob, statusJob, typingJob } from './job-kinds.js';
import type { BridgeJob } from './ports.js';
import type { ConversationRecord, MessageRecord, MessageStatus, TimelineEvent } from './records.js';

export function createClientSignals(ctx: BridgeContext, ownMessage: (c: ConversationRecord, id: MsgId, field: string) => Promise<MessageRecord>) {
  const { store } = ctx;

  const isConnected = (conversation: ConversationRecord): Promise<boolean> => ctx.isConnected(conversation.accountId, conversation.platform);

  /**
   * Moves manager messages forward to `status` and reports it to amoCRM; never moves one back.
   * Those up to `uptoSeq` (all without), and with `only` just the messages of those seqs.
   */
  async function advance(conversation: ConversationRecord, status: 'delivered' | 'read', uptoSeq?: number, only?: ReadonlySet<number>): Promise<number> {
    const from: MessageStatus[] = status === 'read' ? ['received', 'delivered'] : ['received'];
    const listed = await store.messages.listOutbound(conversation.id, from, uptoSeq);
    const pending = only ? listed.filter((m) => only.has(m.seq)) : listed;
    if (pending.length === 0) return 0;
    const connected = await isConnected(conversation);
    const events = await ctx.store.durableTransaction(async (tx) => {
      const out: TimelineEvent[] = [];
      const jobs: BridgeJob[] = [];
      for (const m of pending) {
        // Another instance (or a concurrent stream) may have reported it already: once per message.
        if (!(await tx.messages.advanceStatus(m.id, from, status))) continue;
        out.push(await appendEvent(tx, ctx, conversation.id, { type: 'status', data: { msgid: m.id, status, error: null } }));
        if (connected && m.amojoMsgId) jobs.push(statusJob(conversation.id, m.id, status === 'read' ? 2 : 1));
      }
      await tx.jobs.enqueue(jobs);
      return out;
    });
    ctx.wakeJobs();
    await publish(ctx, conversation, events);
    return pending.length;
  }

  return {
    /** `emoji` null withdraws the client's reaction. */
    async react(conversation: ConversationRecord, msgid: MsgId, emoji: string | null): Promise<void> {
      const m = await ownMessage(conversation, msgid, 'msgid');
      if (m.status === 'failed' || m.status === 'held') {
        throw new BridgeRefusal('conflict', 'The message has not reached amoCRM; it cannot take a reaction yet.');
      }
      const t = ctx.now();
      const connected = await isConnected(conversation);
      const event = await ctx.store.durableTransaction(async (tx) => {
        if (emoji === null) {
          if (!(await tx.reactions.remove(m.id, 'client', conversation.participantId))) return undefined;
        } else {
          await tx.reactions.set({ messageId: m.id, conversationId: conversation.id, side: 'client', userId: conversation.participantId, emoji, updatedAt: t });
        }
        const type = emoji === null ? 'unreact' : 'react';
        const e = await appendEvent(tx, ctx, conversation.id, { type: 'reaction', data: { msgid: m.id, from: 'client', type, emoji } });
        if (connected) await tx.jobs.enqueue([reactJob(conversation.id, m.id, type, emoji, t)]);
        return e;
      });
      if (!event) return;
      ctx.wakeJobs();
      await publish(ctx, conversation, [event]);
    },

    /** Forwards "the client is typing", at most once per interval per conversation. True when forwarded. */
    async typing(conversation: ConversationRecord): Promise<boolean> {
      if (!(await ctx.typingThrottle(conversation.id))) return false;
      const t = ctx.now();
      // Before the first message amoCRM has no chat to show the indicator in.
      if (!conversation.amojoChatId || !(await isConnected(conversation))) return false;
      await store.jobs.enqueue([typingJob(conversation.id, t)]);
      ctx.wakeJobs();
      return true;
    },

    /** The client has seen everything up to and including `msgid`. */
    async markRead(conversation: ConversationRecord, msgid: MsgId): Promise<number> {
      const upto = await ownMessage(conversation, msgid, 'msgid');
      return advance(conversation, 'read', upto.seq);
    },

    /** The manager's messages reached an open client (a live stream or a fetched list). */
    markDelivered: (conversation: ConversationRecord): Promise<number> => advance(conversation, 'delivered'),

    /**
     * A live stream just showed the manager's messages of these seqs (their timeline event ids):
     * those are delivered. Not everything up to the highest: on PostgreSQL a lower one can become
     * visible after it, and is delivered when it is written in turn.
     */
    async streamed(conversationId: ConversationId, seqs: readonly number[]): Promise<number> {
      if (seqs.length === 0) return 0;
      const conversation = await ctx.getConversation(conversationId);
      return conversation ? advance(conversation, 'delivered', Math.max(...seqs), new Set(seqs)) : 0;
    },
  };
}

export type ClientSignals = ReturnType<typeof createClientSignals>;
