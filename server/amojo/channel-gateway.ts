/**
 * The bridge's `ChannelGateway` over the Chats API client: connect / disconnect one account
 * (chats-api.md §4.1, §4.2), with amojo's answers sorted into "refused" (it understood and said
 * no: 400/403/404) and "unavailable" (no answer, 429 or 5xx after the client's retries).
 */
import type { ChannelConnectResult, ChannelDisconnectResult, ChannelGateway } from '../bridge/connections.js';
import type { AmojoClient } from './client.js';
import { AmojoError } from './errors.js';

export interface ChannelGatewayOptions {
  amojo: Pick<AmojoClient, 'connect' | 'disconnect'>;
  /** Chats API base URL for an account host (AMOJO_BASE_URL wins). */
  baseUrlFor: (accountHost: string | null) => string;
  /** Channel title sent on connect. */
  title: string;
}

const REFUSED = new Set([400, 403, 404]);

export function refusalReason(upstreamStatus: number): string {
  switch (upstreamStatus) {
    case 403:
      return 'amoCRM refused to connect the chat channel to this account: the channel is not approved for it yet. Ask amoCRM support to approve this account for the channel, then connect again.';
    case 404:
      return 'amoCRM does not know this chat channel. Check the channel id the backend is configured with, then connect again.';
    default:
      return "amoCRM refused the connection request as invalid; the account's chat id may be wrong. Reinstall the integration, then connect again.";
  }
}

export function createChannelGateway(opts: ChannelGatewayOptions): ChannelGateway {
  return {
    async connect(accountHost, amojoId): Promise<ChannelConnectResult> {
      try {
        const r = await opts.amojo.connect(opts.baseUrlFor(accountHost), { accountAmojoId: amojoId, title: opts.title });
        return { outcome: 'connected', scopeId: r.scopeId, title: r.title };
      } catch (err) {
        if (err instanceof AmojoError && REFUSED.has(err.upstreamStatus)) return { outcome: 'refused', reason: refusalReason(err.upstreamStatus) };
        if (err instanceof AmojoError) return { outcome: 'unavailable' };
        throw err;
      }
    },

    async disconnect(accountHost, amojoId): Promise<ChannelDisconnectResult> {
      try {
        await opts.amojo.disconnect(opts.baseUrlFor(accountHost), amojoId);
        return { outcome: 'disconnected' };
      } catch (err) {
        // A refusal means there is no connection to undo (never connected, channel gone).
        if (err instanceof AmojoError && REFUSED.has(err.upstreamStatus)) return { outcome: 'disconnected' };
        if (err instanceof AmojoError) return { outcome: 'unavailable' };
        throw err;
      }
    },
  };
}
