/**
 * The account's bubble settings as the visitor API reads them: on every message (working hours)
 * and every settings request, so they are remembered for a few seconds per account. A change made
 * in the widget is forgotten at once (`forget`): here directly, on other instances when they hear of
 * it; the TTL bounds how long a missed notification can leave one stale.
 */
import { bubbleSettingsOf, type BubbleSettings } from './bubble-settings.js';
import type { WebchatAccounts } from './visitor-auth.js';

const SETTINGS_TTL_MS = 5000;
/** Bounded: beyond this many accounts the cache starts afresh rather than grow. */
const MAX_ACCOUNTS = 10_000;

export interface SiteSettings {
  bubble: BubbleSettings;
  /** The admin's language (`ru`, `en`, …) when known: the managers' notes are written in it. */
  language: string | null;
}

export function createSiteSettingsCache(accounts: WebchatAccounts, now: () => number) {
  const cache = new Map<number, { value: Promise<SiteSettings>; until: number }>();
  function siteSettings(accountId: number): Promise<SiteSettings> {
    const t = now();
    const hit = cache.get(accountId);
    if (hit && hit.until > t) return hit.value;
    const value = accounts.siteSettings(accountId).then((s) => ({ bubble: bubbleSettingsOf(s.webchat), language: s.language }));
    if (cache.size >= MAX_ACCOUNTS) cache.clear();
    cache.set(accountId, { value, until: t + SETTINGS_TTL_MS });
    value.catch(() => cache.delete(accountId));
    return value;
  }
  return Object.assign(siteSettings, {
    /** The account's settings changed (or, without an id, any account's may have). */
    forget: (accountId?: number) => (accountId === undefined ? cache.clear() : cache.delete(accountId)),
  });
}

export type SiteSettingsReader = ReturnType<typeof createSiteSettingsCache>;
