/**
 * The contact job: what a client told about themselves after their chat started reaches the chat's
 * CRM contact through the `CrmContacts` port. Before the chat exists at amoCRM there is nothing to do:
 * the first message carries the profile, and amoCRM writes it into the contact it creates.
 */
import type { BridgeContext } from './context.js';
import { asConversationId } from './ids.js';
import { contactPayload, JOB_KINDS, readPayload } from './job-kinds.js';
import type { JobHandler } from './job-runner.js';
import type { CrmContacts } from './ports.js';

export function createContactJob(ctx: BridgeContext, contacts: CrmContacts): JobHandler {
  return {
    kind: JOB_KINDS.contact,
    async perform(payload) {
      const p = readPayload(contactPayload, payload, JOB_KINDS.contact);
      // Read fresh: a send that ran just before this job may have learnt the chat's id.
      const conversation = await ctx.store.conversations.get(asConversationId(p.conversationId));
      if (!conversation?.amojoChatId) return;
      const { phone, email } = conversation.profile;
      await contacts.updateChatContact(conversation.accountId, conversation.amojoChatId, {
        name: conversation.participantName,
        previousName: p.previousName,
        ...(phone !== undefined ? { phone } : {}),
        ...(email !== undefined ? { email } : {}),
      });
    },
  };
}
