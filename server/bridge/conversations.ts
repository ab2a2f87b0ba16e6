/**
 * Conversations as clients see them: opening one (a new client on a platform), updating the
 * client's profile, reading the message list and the timeline for catch-up.
 */
import type { BridgeContext } from './context.js';
import { BridgeRefusal } from './errors.js';
import { newConversationId, newParticipantId, type ConversationId } from './ids.js';
import type { ConversationRecord, MessageView, PlatformKind, Profile, TimelineEvent } from './records.js';
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

  return {
    async open(input: OpenConversationInput): Promise<ConversationRecord> {
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
    },

    get: (id: ConversationId): Promise<ConversationRecord | undefined> => ctx.getConversation(id),

    /** The account's conversation with a platform's chat, if one was opened. */
    findByPlatformChat: (accountId: number, platform: PlatformKind, platformChatId: string): Promise<ConversationRecord | undefined> =>
      store.conversations.findByPlatformChat(accountId, platform, platformChatId),

    async require(id: ConversationId): Promise<ConversationRecord> {
      const c = await ctx.getConversation(id);
      if (!c) throw new BridgeRefusal('not_found', 'The conversation does not exist.');
      return c;
    },

    /**
     * The name and profile go to amoCRM with the client's next message (amoCRM writes them to the
     * contact it creates for a new chat, chats-api.md §4.4).
     */
    async updateProfile(conversation: ConversationRecord, name: string | undefined, profile: Profile): Promise<ConversationRecord> {
      const next = { ...conversation, participantName: name ?? conversation.participantName, profile: { ...conversation.profile, ...profile } };
      await store.conversations.updateProfile(conversation.id, next.participantName, next.profile);
      ctx.forgetConversation(conversation.id);
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

    timelineAfter: (id: ConversationId, afterEventId: number, limit: number): Promise<TimelineEvent[]> => store.timeline.after(id, afterEventId, limit),

    lastEventId: (id: ConversationId): Promise<number> => store.timeline.lastId(id),
  };
}

export type Conversations = ReturnType<typeof createConversations>;
