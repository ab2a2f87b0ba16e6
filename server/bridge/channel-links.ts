/**
 * Each account's connection to a channel beyond the first (amoCRM registers one chat channel per
 * chat type, so a Telegram bot is a second channel with its own id and secret). A platform owning
 * such a channel gets a `ChannelLink`: it attaches what it connects (a bot: its id as the lookup
 * key, what it keeps as data) and the link connects the account on that channel's Chats API
 * (chats-api.md §4.1), so the platform never calls amojo. One attached thing serves one account:
 * a second account asking for it is refused (409), because it would take the first one's chats.
 */
import { ConflictError, UpstreamError, notInstalledError } from '../errors.js';
import type { ChannelGateway, ConnectionState } from './connections.js';
import type { PlatformKind } from './records.js';

export interface ChannelLinkRow {
  accountId: number;
  platform: PlatformKind;
  state: ConnectionState;
  stateReason: string | null;
  scopeId: string | null;
  title: string | null;
  lookupKey: string | null;
  /** What the platform keeps about the connection; secrets in it are the platform's to encrypt. */
  data: Record<string, unknown>;
}

/** Persistence of the links (`store/channel-links-repo.ts`). */
export interface ChannelLinkRows {
  get(accountId: number, platform: PlatformKind): Promise<ChannelLinkRow | undefined>;
  getByLookupKey(platform: PlatformKind, lookupKey: string): Promise<ChannelLinkRow | undefined>;
  getByScope(scopeId: string): Promise<ChannelLinkRow | undefined>;
  /** Inserts or replaces the account's row of the platform; false when another account holds the lookup key. */
  save(row: ChannelLinkRow): Promise<boolean>;
}

/** The account as amoCRM knows it: its host and its id in the Chats service. */
export interface LinkedAccount {
  host: string | null;
  amojoId: string;
}

export interface ChannelLinkView {
  connected: boolean;
  state: ConnectionState;
  reason: string | null;
  scopeId: string | null;
  title: string;
  lookupKey: string | null;
  data: Record<string, unknown>;
}

export interface ChannelLink {
  status(accountId: number): Promise<ChannelLinkView>;
  /** The account holding `lookupKey`, connected or not. */
  findByLookupKey(lookupKey: string): Promise<(ChannelLinkView & { accountId: number }) | undefined>;
  /** Refuses (409) a key another account holds; the data is stored before amojo is asked, so a refusal can be retried. */
  connect(accountId: number, attach: { lookupKey: string; data: Record<string, unknown> }): Promise<ChannelLinkView>;
  /** Disconnects the channel and forgets the attached thing and its data. */
  disconnect(accountId: number): Promise<ChannelLinkView>;
}

export interface ChannelLinksOptions {
  rows: ChannelLinkRows;
  /** The account's Chats API identity; throws when the integration is not installed. */
  accountOf(accountId: number): Promise<LinkedAccount | undefined>;
  onChange?: (accountId: number) => void;
}

export function createChannelLinks(opts: ChannelLinksOptions) {
  const changed = (accountId: number): void => opts.onChange?.(accountId);

  return {
    /** The link of one platform's channel (its gateway signs with that channel's secret). */
    forPlatform(platform: PlatformKind, channel: ChannelGateway, defaultTitle: string): ChannelLink {
      const view = (row: ChannelLinkRow | undefined): ChannelLinkView => {
        const connected = row?.state === 'connected';
        return {
          connected,
          state: row?.state ?? 'not_connected',
          reason: row?.state === 'error' ? row.stateReason : null,
          scopeId: connected ? (row?.scopeId ?? null) : null,
          title: row?.title ?? defaultTitle,
          lookupKey: row?.lookupKey ?? null,
          data: row?.data ?? {},
        };
      };

      return {
        status: async (accountId) => view(await opts.rows.get(accountId, platform)),

        async findByLookupKey(lookupKey) {
          const row = await opts.rows.getByLookupKey(platform, lookupKey);
          return row ? { ...view(row), accountId: row.accountId } : undefined;
        },

        async connect(accountId, attach) {
          const holder = await opts.rows.getByLookupKey(platform, attach.lookupKey);
          if (holder && holder.accountId !== accountId) throw new ConflictError('Another account already uses this.', 'already_in_use');
          const account = await opts.accountOf(accountId);
          if (!account) throw notInstalledError();
          const current = await opts.rows.get(accountId, platform);
          const base: ChannelLinkRow = {
            accountId,
            platform,
            state: current?.state === 'connected' ? 'connected' : (current?.state ?? 'not_connected'),
            stateReason: null,
            scopeId: current?.scopeId ?? null,
            title: current?.title ?? null,
            lookupKey: attach.lookupKey,
            data: attach.data,
          };
          if (!(await opts.rows.save(base))) throw new ConflictError('Another account already uses this.', 'already_in_use');
          const result = await channel.connect(account.host, account.amojoId);
          if (result.outcome === 'unavailable') throw new UpstreamError('The chat service did not answer; try again later.', 'upstream_error');
          if (result.outcome === 'refused') {
            await opts.rows.save({ ...base, state: 'error', stateReason: result.reason, scopeId: null });
            changed(accountId);
            throw new UpstreamError(result.reason, 'channel_not_approved');
          }
          await opts.rows.save({ ...base, state: 'connected', scopeId: result.scopeId, title: result.title ?? defaultTitle });
          changed(accountId);
          return view(await opts.rows.get(accountId, platform));
        },

        async disconnect(accountId) {
          const row = await opts.rows.get(accountId, platform);
          if (!row) return view(undefined);
          const account = await opts.accountOf(accountId).catch(() => undefined);
          if (account && row.state === 'connected') {
            const result = await channel.disconnect(account.host, account.amojoId);
            if (result.outcome === 'unavailable') throw new UpstreamError('The chat service did not answer; try again later.', 'upstream_error');
          }
          const next: ConnectionState = row.state === 'not_connected' ? 'not_connected' : 'disconnected';
          await opts.rows.save({ ...row, state: next, stateReason: null, scopeId: null, lookupKey: null, data: {} });
          changed(accountId);
          return view(await opts.rows.get(accountId, platform));
        },
      };
    },
  };
}

export type ChannelLinks = ReturnType<typeof createChannelLinks>;
