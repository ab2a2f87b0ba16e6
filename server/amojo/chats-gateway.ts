/**
 * The bridge's `ChatsGateway` over the Chats API clients: each call goes to the connection's scope
 * on the account's amojo host (AMOJO_BASE_URL wins), signed with the secret of the channel the
 * scope belongs to (a scope is `{channel_id}_{account amojo_id}`, chats-api.md §4.1). Errors pass
 * through as `AmojoError`, whose `retryable` the job runner reads.
 */
import type { ChatsGateway } from '../bridge/ports.js';
import type { AmojoClient } from './client.js';

/** One channel's client, named by the channel id its scopes start with. */
export interface ChannelClient {
  channelId: string;
  amojo: Pick<AmojoClient, 'scoped'>;
}

/** The client of the channel a scope belongs to; the first channel's when no other claims it. */
export function clientForScope(channels: readonly ChannelClient[], scopeId: string): Pick<AmojoClient, 'scoped'> {
  const found = channels.find((c) => scopeId.startsWith(`${c.channelId}_`)) ?? channels[0];
  if (!found) throw new Error('no Chats API channel configured');
  return found.amojo;
}

export function createChatsGateway(channels: readonly ChannelClient[], baseUrlFor: (accountHost: string | null) => string): ChatsGateway {
  const scope = (t: { scopeId: string; host: string | null }) => clientForScope(channels, t.scopeId).scoped(baseUrlFor(t.host), t.scopeId);
  return {
    sendMessage: (t, req) => scope(t).sendMessage(req),
    editMessage: (t, req) => scope(t).editMessage(req),
    setDeliveryStatus: (t, amojoMsgId, update) => scope(t).setDeliveryStatus(amojoMsgId, update),
    typing: (t, req) => scope(t).typing(req),
    react: (t, req) => scope(t).react(req),
  };
}
