/**
 * The lifecycle of one account's channel connection, as explicit states:
 *
 *   not_connected ──connect──▶ connected ──disconnect──▶ disconnected ──connect──▶ connected
 *         │                       ▲
 *         └──connect refused──▶ error (with a reason) ──connect──┘
 *
 * Connecting needs the account's amojo_id as amoCRM gives it for the account's own tokens (a
 * claim alone would let any account take over another's chats), is idempotent, and is redone on
 * every install. This file imports nothing
 * from other server folders: the store, the Chats API and amoCRM come in as the small
 * interfaces below, and errors are those of `../errors.js`.
 */
import { ConflictError, UpstreamError, notInstalledError } from '../errors.js';

export const CONNECTION_STATES = ['not_connected', 'connected', 'disconnected', 'error'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/** The account fields the lifecycle reads (the accounts row has these names). */
export interface ConnectionAccount {
  id: number;
  host: string | null;
  amojo_id: string | null;
  connection_state: ConnectionState;
  state_reason: string | null;
  scope_id: string | null;
  title: string | null;
  site_key: string | null;
  refresh_token: string | null;
}

export interface ConnectionFields {
  scope_id?: string | null;
  amojo_id?: string | null;
  title?: string | null;
  state_reason?: string | null;
}

export interface ConnectionAccounts {
  get(id: number): Promise<ConnectionAccount | undefined>;
  getByAmojoId(amojoId: string): Promise<ConnectionAccount | undefined>;
  upsert(id: number, patch: { host?: string }): Promise<ConnectionAccount>;
  setConnection(id: number, state: ConnectionState, fields: ConnectionFields): Promise<ConnectionAccount>;
  forgetTokens(id: number): Promise<void>;
}

export type ChannelConnectResult =
  | { outcome: 'connected'; scopeId: string; title: string | undefined }
  /** The Chats API understood and said no (channel not approved for the account, unknown channel). */
  | { outcome: 'refused'; reason: string }
  /** No answer, or a server-side failure: nothing is known to have changed. */
  | { outcome: 'unavailable' };

export type ChannelDisconnectResult = { outcome: 'disconnected' } | { outcome: 'unavailable' };

/** The Chats API side of a connection (chats-api.md §4.1, §4.2). */
export interface ChannelGateway {
  connect(accountHost: string | null, amojoId: string): Promise<ChannelConnectResult>;
  /** "Already disconnected" counts as disconnected. */
  disconnect(accountHost: string | null, amojoId: string): Promise<ChannelDisconnectResult>;
}

/** Reads the account from amoCRM with its stored tokens (widget-and-oauth.md §6.1). */
export interface AccountDirectory {
  getAccount(accountId: number): Promise<{ amojoId: string | null }>;
}

export interface ConnectionsOptions {
  accounts: ConnectionAccounts;
  channel: ChannelGateway;
  directory: AccountDirectory;
  /** Title shown when the Chats API has not named the connection. */
  defaultTitle: string;
  /** Called after every change of a connection (caches keyed by scope must forget). */
  onChange?: (accountId: number) => void;
  /** Runs once the account is connected, before the answer (what a platform prepares for it, e.g. a site key). */
  onConnected?: (accountId: number) => Promise<void>;
}

export interface ConnectRequest {
  /** The amojo_id the caller claims (the widget's `APP.constant('account').amojo_id`). */
  amojoId?: string | undefined;
  /** Set when `amojoId` was just read from amoCRM by the caller (install): no second read. */
  amojoIdFromAmocrm?: boolean;
  /** Account host when known from a verified source (token `iss`, install `referer`). */
  host?: string | undefined;
}

export interface ConnectionView {
  state: ConnectionState;
  /** Why the account is in `error`, as a sentence for the admin; null otherwise. */
  reason: string | null;
  /** The connection's scope while connected. */
  scopeId: string | null;
  title: string;
  /** The account's website-chat key while connected (the accounts row keeps it). */
  siteKey: string | null;
}

export type Connections = ReturnType<typeof createConnections>;

export function createConnections(opts: ConnectionsOptions) {
  const { accounts } = opts;
  const changed = (accountId: number): void => opts.onChange?.(accountId);

  function view(row: ConnectionAccount | undefined): ConnectionView {
    const connected = row?.connection_state === 'connected';
    return {
      state: row?.connection_state ?? 'not_connected',
      reason: row?.connection_state === 'error' ? (row.state_reason ?? null) : null,
      scopeId: connected ? (row?.scope_id ?? null) : null,
      title: row?.title ?? opts.defaultTitle,
      siteKey: connected ? (row?.site_key ?? null) : null,
    };
  }

  /**
   * Reading the account with its tokens proves both that they work and which amojo account is
   * the account's own; what the widget claims is only compared with that.
   */
  async function resolveAmojoId(accountId: number, row: ConnectionAccount | undefined, req: ConnectRequest): Promise<string> {
    if (req.amojoId && req.amojoIdFromAmocrm) return req.amojoId;
    if (!row?.refresh_token) throw notInstalledError();
    const fromAmocrm = (await opts.directory.getAccount(accountId)).amojoId;
    if (!fromAmocrm) throw new UpstreamError('amoCRM did not give the account amojo_id.', 'upstream_error');
    if (req.amojoId && req.amojoId.toLowerCase() !== fromAmocrm.toLowerCase()) {
      throw new ConflictError('The amojo_id sent does not belong to this account.', 'amojo_id_mismatch');
    }
    return fromAmocrm;
  }

  /**
   * One amojo account is one connection: a second account holding it would receive the first
   * one's chats. A holder without tokens never showed amoCRM's word for it (a claim accepted by
   * an older version, or an account since uninstalled); amoCRM has just given it to this account,
   * so the holder lets go.
   */
  async function claimAmojoId(accountId: number, amojoId: string): Promise<void> {
    const holder = await accounts.getByAmojoId(amojoId);
    if (!holder || holder.id === accountId) return;
    if (holder.refresh_token) throw new ConflictError('This amojo_id is already connected for another account.', 'amojo_id_in_use');
    await accounts.setConnection(holder.id, holder.connection_state === 'not_connected' ? 'not_connected' : 'disconnected', { amojo_id: null, scope_id: null });
  }

  return {
    async status(accountId: number): Promise<ConnectionView> {
      return view(await accounts.get(accountId));
    },

    /** Connects (or reconnects) the channel; idempotent. */
    async connect(accountId: number, req: ConnectRequest = {}): Promise<ConnectionView> {
      let row = await accounts.get(accountId);
      const amojoId = await resolveAmojoId(accountId, row, req);
      await claimAmojoId(accountId, amojoId);
      if (req.host && row?.host !== req.host) row = await accounts.upsert(accountId, { host: req.host });
      const host = req.host ?? row?.host ?? null;

      const result = await opts.channel.connect(host, amojoId);
      if (result.outcome === 'unavailable') {
        throw new UpstreamError('The chat service did not answer; try again later.', 'upstream_error');
      }
      if (result.outcome === 'refused') {
        await accounts.setConnection(accountId, 'error', { amojo_id: amojoId, state_reason: result.reason });
        changed(accountId);
        throw new UpstreamError(result.reason, 'channel_not_approved');
      }
      await accounts.setConnection(accountId, 'connected', { amojo_id: amojoId, scope_id: result.scopeId, title: result.title ?? opts.defaultTitle });
      await opts.onConnected?.(accountId);
      changed(accountId);
      return view(await accounts.get(accountId));
    },

    /** Disconnects the channel; conversations and the site key are kept for a later reconnect. */
    async disconnect(accountId: number): Promise<ConnectionView> {
      const row = await accounts.get(accountId);
      if (!row) return view(undefined);
      if (row.amojo_id) {
        const result = await opts.channel.disconnect(row.host, row.amojo_id);
        if (result.outcome === 'unavailable') {
          throw new UpstreamError('The chat service did not answer; try again later.', 'upstream_error');
        }
      }
      const next: ConnectionState = row.connection_state === 'not_connected' ? 'not_connected' : 'disconnected';
      const after = await accounts.setConnection(accountId, next, {});
      changed(accountId);
      return view(after);
    },

    /**
     * The integration was removed from the account: disconnect (best effort: amoCRM disconnects
     * the channel itself on uninstall), forget the tokens, keep the conversation history.
     */
    async uninstall(accountId: number): Promise<{ channelDisconnected: boolean }> {
      const row = await accounts.get(accountId);
      if (!row) return { channelDisconnected: true };
      let channelDisconnected = true;
      if (row.amojo_id) {
        channelDisconnected = (await opts.channel.disconnect(row.host, row.amojo_id)).outcome === 'disconnected';
      }
      await accounts.forgetTokens(accountId);
      if (row.connection_state !== 'not_connected') await accounts.setConnection(accountId, 'disconnected', {});
      changed(accountId);
      return { channelDisconnected };
    },
  };
}
