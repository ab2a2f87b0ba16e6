/**
 * The bridge's `ChatsGateway` over the Chats API client: each call goes to the connection's scope
 * on the account's amojo host (AMOJO_BASE_URL wins). Errors pass through as `AmojoError`, whose
 * `retryable` the job runner reads.
 */
import type { ChatsGateway } from '../bridge/ports.js';
import type { AmojoClient } from './client.js';

export function createChatsGateway(amojo: Pick<AmojoClient, 'scoped'>, baseUrlFor: (accountHost: string | null) => string): ChatsGateway {
  const scope = (t: { scopeId: string; host: string | null }) => amojo.scoped(baseUrlFor(t.host), t.scopeId);
  return {
    sendMessage: (t, req) => scope(t).sendMessage(req),
    editMessage: (t, req) => scope(t).editMessage(req),
    setDeliveryStatus: (t, amojoMsgId, update) => scope(t).setDeliveryStatus(amojoMsgId, update),
    typing: (t, req) => scope(t).typing(req),
    react: (t, req) => scope(t).react(req),
  };
}
