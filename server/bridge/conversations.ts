/**
 * Conversations as clients see them: opening one (a new client on a platform), updating the
 * client's profile, reading the message list and the timeline for catch-up.
 */
import type { BridgeContext } from './context.js';
import { BridgeRefusal } from './errors.js';
import { newConversationId, newParticipantId, type ConversationId } from './ids.js';
import { contactJob, conversationQueue } from './job-kinds.js';
import type { ConversationRecord, EventStamp, MessageView, PlatformKind, Profile, TimelineEvent } from './records.js';
import { messageView } from './views.js';

export interface OpenConversationInput {
  accountId: number;
  platform: PlatformKind;
  /** The platform's id of the chat; defaults to the new participant id (one client, one chat). */
  platformChatId?: string;
  /** Sent to amoCRM as the contact's name; the platform picks a default when the client gave none. */
  name: string;
  profile?: Profile;
}

export interface MessagePage {
  messages: MessageView[];
  /** Pass as `afterSeq` for the next page; null when this page is the last. */
  nextCursor: number | null;
}

export function createConversations(ctx: BridgeContext) {
  const { store } = ctx;

  async function open(input: OpenConversationInput): Promise<ConversationRecord> {
    const participantId = newParticipantId();
    const conversation: ConversationRecord = {
      id: newConversationId(),
      accountId: input.accountId,
      platform: input.platform,
      platformChatId: input.platformChatId ?? participantId,
      participantId,
      participantName: input.name,
      profile: input.profile ?? {},
      amojoChatId: null,
      amojoParticipantId: null,
      createdAt: ctx.now(),
    };
    await store.conversations.insert(conversation);
    return conversation;
  }

  return {
    open,

    /**
     * The conversation of a chat the platform names itself (a signed-in visitor's own user id), the
     * same on every device; opened on first use. Two devices racing on the first use meet at the
     * unique (account, platform, chat) index: the loser reads the winner's row.
     */
    async openForChat(input: OpenConversationInput & { platformChatId: string }): Promise<{ conversation: ConversationRecord; created: boolean }> {
      const find = () => store.conversations.findByPlatformChat(input.accountId, input.platform, input.platformChatId);
      const existing = await find();
      if (existing) return { conversation: existing, created: false };
      try {
        return { conversation: await open(input), created: true };
      } catch (err) {
        const raced = await find();
        if (raced) return { conversation: raced, created: false };
        throw err;
      }
    },

    findByContact: (accountId: number, platform: PlatformKind, contact: { email?: string; phone?: string }) => store.conversations.findByContact(accountId, platform, contact),

    /**
     * Deletes everything this backend keeps of the conversation: messages, timeline, reactions,
     * files (rows, then bytes) and jobs not yet run. What amoCRM already has stays there.
     */
    async erase(conversation: ConversationRecord): Promise<{ messages: number; files: number }> {
      const done = await store.durableTransaction((tx) => tx.conversations.erase(conversation.id, conversationQueue(conversation.id)));
      ctx.forgetConversation(conversation.id);
      for (const f of done.files) {
        await ctx.blobs.remove(f.path).catch((err: unknown) => ctx.logger.warn({ fileId: f.id, err: String(err) }, 'removing an erased file failed'));
      }
      return { messages: done.messages, files: done.files.length };
    },

    get: (id: ConversationId): Promise<ConversationRecord | undefined> => ctx.getConversation(id),

    /** The account's conversation with a platform's chat, if one was opened. */
    findByPlatformChat: (accountId: number, platform: PlatformKind, platformChatId: string): Promise<ConversationRecord | undefined> =>
      ctx.findByPlatformChat(accountId, platform, platformChatId),

    async require(id: ConversationId): Promise<ConversationRecord> {
      const c = await ctx.getConversation(id);
      if (!c) throw new BridgeRefusal('not_found', 'The conversation does not exist.');
      return c;
    },

    /**
     * The name and profile go to amoCRM with the client's next message (amoCRM writes them to the
     * contact it creates for a new chat, chats-api.md §4.4). For a chat that already has its contact,
     * a contact job brings the change there too (with the change, in one transaction).
     */
    async updateProfile(conversation: ConversationRecord, name: string | undefined, profile: Profile): Promise<ConversationRecord> {
      const next = { ...conversation, participantName: name ?? conversation.participantName, profile: { ...conversation.profile, ...profile } };
      const changed =
        next.participantName !== conversation.participantName || next.profile.phone !== conversation.profile.phone || next.profile.email !== conversation.profile.email;
      if (!changed) return conversation;
      const contacts = ctx.contacts;
      await store.transaction(async (tx) => {
        await tx.conversations.updateProfile(conversation.id, next.participantName, next.profile);
        if (contacts) await tx.jobs.enqueue([contactJob(conversation.id, conversation.participantName, ctx.now())]);
      });
      ctx.forgetConversation(conversation.id);
      if (contacts) ctx.wakeJobs();
      return next;
    },

    /** Messages oldest first after `afterSeq`, `limit` at most. */
    async listMessages(conversation: ConversationRecord, afterSeq: number, limit: number): Promise<MessagePage> {
      const rows = await store.messages.list(conversation.id, afterSeq, limit + 1);
      const page = rows.slice(0, limit);
      const reactions = page.length > 0 ? await store.reactions.listFor(page.map((m) => m.id)) : [];
      return {
        messages: page.map((m) => messageView(ctx.publicUrl, m, reactions)),
        nextCursor: rows.length > limit ? (page[page.length - 1]?.seq ?? null) : null,
      };
    },

    timelineAfter: (id: ConversationId, afterEventId: number, limit: number, except?: readonly number[]): Promise<TimelineEvent[]> =>
      store.timeline.after(id, afterEventId, limit, except),

    lastEventId: (id: ConversationId): Promise<number> => store.timeline.lastId(id),

    timelineStampsUpTo: (id: ConversationId, uptoEventId: number, limit: number): Promise<EventStamp[]> => store.timeline.stampsUpTo(id, uptoEventId, limit),
  };
}

export type Conversations = ReturnType<typeof createConversations>;
