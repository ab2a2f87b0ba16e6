/**
 * Deleting one website visitor's data on an admin's request: every conversation of the visitor,
 * found by the site's user id (signed-in visitors) or by the e-mail or phone they gave, erased in
 * the bridge (messages, files, profile, jobs not yet run) and their open event streams closed.
 */
import type { Bridge, ConversationId } from '../../bridge/index.js';
import { userChatId } from './identity.js';
import { WEBCHAT_PLATFORM } from './visitor-auth.js';

export type VisitorKey = { user_id: string } | { email: string } | { phone: string };

export interface ErasedVisitor {
  conversations: number;
  messages: number;
  files: number;
}

export function createVisitorEraser(bridge: Bridge, closeStreams: (conversationId: ConversationId) => void) {
  return async function eraseVisitor(accountId: number, key: VisitorKey): Promise<ErasedVisitor> {
    const { conversations } = bridge;
    const found =
      'user_id' in key
        ? [await conversations.findByPlatformChat(accountId, WEBCHAT_PLATFORM, userChatId(key.user_id))].filter((c) => c !== undefined)
        : await conversations.findByContact(accountId, WEBCHAT_PLATFORM, key);
    const erased: ErasedVisitor = { conversations: 0, messages: 0, files: 0 };
    for (const c of found) {
      const d = await conversations.erase(c);
      closeStreams(c.id);
      erased.conversations += 1;
      erased.messages += d.messages;
      erased.files += d.files;
    }
    return erased;
  };
}
