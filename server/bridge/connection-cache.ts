/**
 * Connection states of accounts, remembered for a second: every client message asks, and they
 * change rarely. A change on any instance clears the cache at once (`forgetAccounts`: called for a
 * change here and for another instance's `account` notification); the TTL only bounds a missed
 * notification, and the worst outcome of a stale answer is a send job that finds the account
 * disconnected and holds the message again.
 */
import { targetOf } from './context.js';
import type { PlatformAdapter } from './platform.js';
import type { BridgeStore } from './ports.js';
import type { PlatformKind } from './records.js';

const TTL_MS = 1000;

export function createConnectionCache(store: BridgeStore, now: () => number, platforms: ReadonlyMap<PlatformKind, PlatformAdapter>) {
  const cache = new Map<string, { connected: boolean; until: number }>();
  return {
    /** Whether the channel the platform's conversations of the account use is connected. */
    async isConnected(accountId: number, platform: PlatformKind): Promise<boolean> {
      const t = now();
      const key = `${accountId}:${platform}`;
      const hit = cache.get(key);
      if (hit && hit.until > t) return hit.connected;
      const account = await store.accounts.get(accountId);
      const connected = !!account && targetOf(account, platforms.get(platform)) !== undefined;
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { connected, until: t + TTL_MS });
      return connected;
    },
    forgetAccounts(): void {
      cache.clear();
    },
  };
}
