/**
 * Connection states of accounts, remembered for a second: every client message asks, and they
 * change rarely. A change on any instance clears the cache at once (`forgetAccounts`: called for a
 * change here and for another instance's `account` notification); the TTL only bounds a missed
 * notification, and the worst outcome of a stale answer is a send job that finds the account
 * disconnected and holds the message again.
 */
import { targetOf } from './context.js';
import type { BridgeStore } from './ports.js';

const TTL_MS = 1000;

export function createConnectionCache(store: BridgeStore, now: () => number) {
  const cache = new Map<number, { connected: boolean; until: number }>();
  return {
    async isConnected(accountId: number): Promise<boolean> {
      const t = now();
      const hit = cache.get(accountId);
      if (hit && hit.until > t) return hit.connected;
      const account = await store.accounts.get(accountId);
      const connected = !!account && targetOf(account) !== undefined;
      if (cache.size > 10_000) cache.clear();
      cache.set(accountId, { connected, until: t + TTL_MS });
      return connected;
    },
    forgetAccounts(): void {
      cache.clear();
    },
  };
}
