/**
 * Accounts as the bridge sees them (connection state, channel scopes, host, sources), remembered
 * for a second: every client message asks whether its channel is connected and every job where to
 * send, and they change rarely. A change on any instance clears the cache at once
 * (`forgetAccounts`: called for a change here and for another instance's `account` notification);
 * the TTL only bounds a missed notification, whose worst outcome is one send to a channel that was
 * just disconnected: amojo refuses it, the job retries, and the message is held again.
 */
import { targetOf } from './context.js';
import type { PlatformAdapter } from './platform.js';
import type { BridgeStore } from './ports.js';
import type { BridgeAccount, PlatformKind } from './records.js';

const TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

export function createAccountCache(store: BridgeStore, now: () => number, platforms: ReadonlyMap<PlatformKind, PlatformAdapter>) {
  // The pending read is kept too, so that a burst of messages of one account reads it once.
  const cache = new Map<number, { account: Promise<BridgeAccount | undefined>; until: number }>();

  function getAccount(accountId: number): Promise<BridgeAccount | undefined> {
    const t = now();
    const hit = cache.get(accountId);
    if (hit && hit.until > t) return hit.account;
    const account = store.accounts.get(accountId);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    const entry = { account, until: t + TTL_MS };
    cache.set(accountId, entry);
    // A failed read is not remembered.
    account.catch(() => {
      if (cache.get(accountId) === entry) cache.delete(accountId);
    });
    return account;
  }

  return {
    getAccount,
    /** Whether the channel the platform's conversations of the account use is connected. */
    async isConnected(accountId: number, platform: PlatformKind): Promise<boolean> {
      const account = await getAccount(accountId);
      return !!account && targetOf(account, platforms.get(platform)) !== undefined;
    },
    forgetAccounts(): void {
      cache.clear();
    },
  };
}
