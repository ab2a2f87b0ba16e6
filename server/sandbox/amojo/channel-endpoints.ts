/**
 * Connect and disconnect (chats-api.md §4.1, §4.2): the channel ↔ account link whose id,
 * `{channel_id}_{account_id}`, is the scope of every other call.
 */
import { forbidden, parseBody, type ApiReply } from './api-errors.js';
import type { ModelContext } from './chat-model.js';
import type { ChannelState } from './emulator-state.js';
import { connectSchema, disconnectSchema } from './schemas.js';
import type { ConnectionRecord } from './types.js';

export const scopeIdOf = (channelId: string, accountId: string): string => `${channelId}_${accountId}`;

/** Idempotent: connecting again reactivates the same scope and keeps its chats. */
export function connectChannel(ctx: ModelContext, channel: ChannelState, body: unknown): ApiReply {
  const input = parseBody(connectSchema, body);
  // A private channel admits only the accounts approved at registration. amojo's status for this is
  // undocumented; 403 is the emulator's choice (the request is understood but not permitted).
  if (channel.allowedAccounts && !channel.allowedAccounts.includes(input.account_id)) {
    throw forbidden('account_not_allowed', `account ${input.account_id} may not connect to this private channel`);
  }
  const scopeId = scopeIdOf(channel.id, input.account_id);
  const existing = ctx.state.connection(scopeId);
  const connection: ConnectionRecord = {
    scopeId,
    channelId: channel.id,
    accountId: input.account_id,
    title: input.title ?? channel.title ?? channel.code ?? 'Chat channel',
    hookApiVersion: input.hook_api_version,
    isTimeWindowDisabled: input.is_time_window_disabled ?? false,
    isActive: true,
    connectedAt: existing?.isActive ? existing.connectedAt : ctx.now(),
  };
  ctx.state.saveConnection(connection);
  return {
    status: 200,
    body: {
      account_id: connection.accountId,
      scope_id: scopeId,
      title: connection.title,
      hook_api_version: connection.hookApiVersion,
      is_time_window_disabled: connection.isTimeWindowDisabled,
    },
  };
}

/** 200 with no body, also for an account that was never connected (nothing left to undo). */
export function disconnectChannel(ctx: ModelContext, channel: ChannelState, body: unknown): ApiReply {
  const input = parseBody(disconnectSchema, body);
  const connection = ctx.state.connection(scopeIdOf(channel.id, input.account_id));
  if (connection) connection.isActive = false;
  return { status: 200 };
}
