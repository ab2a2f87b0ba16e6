/**
 * Abuse limits of the public website-chat API. Per IP and per site (account) everywhere, plus per
 * conversation for messages. Defaults suit a human in a chat bubble; an office behind one NAT
 * address shares the per-IP buckets, which is why they are generous. Benchmarks raise them.
 */
import type { BucketRule } from './rate-limit.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';

export interface WebchatLimits {
  sessions: { perIp: BucketRule; perSite: BucketRule };
  messages: { perIp: BucketRule; perSite: BucketRule; perConversation: BucketRule };
  uploads: { perIp: BucketRule; perSite: BucketRule };
  typing: { perIp: BucketRule; perSite: BucketRule };
  /** Reactions, read receipts, edits, message lists, event streams. */
  actions: { perIp: BucketRule };
  /** Largest upload, in bytes (413 beyond); decimal, as the bubble states it and file managers show sizes. */
  maxUploadBytes: number;
}

export const DEFAULT_WEBCHAT_LIMITS: WebchatLimits = {
  sessions: { perIp: { burst: 20, perMinute: 10 }, perSite: { burst: 300, perMinute: 600 } },
  messages: { perIp: { burst: 60, perMinute: 120 }, perSite: { burst: 600, perMinute: 3000 }, perConversation: { burst: 20, perMinute: 60 } },
  uploads: { perIp: { burst: 10, perMinute: 20 }, perSite: { burst: 100, perMinute: 300 } },
  typing: { perIp: { burst: 60, perMinute: 240 }, perSite: { burst: 600, perMinute: 6000 } },
  actions: { perIp: { burst: 120, perMinute: 600 } },
  maxUploadBytes: 20_000_000,
};

export type WebchatLimiters = {
  sessions: { perIp: RateLimiter; perSite: RateLimiter };
  messages: { perIp: RateLimiter; perSite: RateLimiter; perConversation: RateLimiter };
  uploads: { perIp: RateLimiter; perSite: RateLimiter };
  typing: { perIp: RateLimiter; perSite: RateLimiter };
  actions: { perIp: RateLimiter };
};

export function createLimiters(limits: WebchatLimits, now: () => number): WebchatLimiters {
  const make = (r: BucketRule) => createRateLimiter(r, now);
  return {
    sessions: { perIp: make(limits.sessions.perIp), perSite: make(limits.sessions.perSite) },
    messages: { perIp: make(limits.messages.perIp), perSite: make(limits.messages.perSite), perConversation: make(limits.messages.perConversation) },
    uploads: { perIp: make(limits.uploads.perIp), perSite: make(limits.uploads.perSite) },
    typing: { perIp: make(limits.typing.perIp), perSite: make(limits.typing.perSite) },
    actions: { perIp: make(limits.actions.perIp) },
  };
}

/** Rules to replace, each whole (benchmarks and tests). */
export type WebchatLimitOverrides = { [K in Exclude<keyof WebchatLimits, 'maxUploadBytes'>]?: Partial<WebchatLimits[K]> } & { maxUploadBytes?: number };

/** A rule that never refuses (load tests from one address). */
export const NO_LIMIT: BucketRule = { burst: 1e9, perMinute: 1e9 };

export function mergeLimits(o: WebchatLimitOverrides = {}): WebchatLimits {
  const d = DEFAULT_WEBCHAT_LIMITS;
  return {
    sessions: { ...d.sessions, ...o.sessions },
    messages: { ...d.messages, ...o.messages },
    uploads: { ...d.uploads, ...o.uploads },
    typing: { ...d.typing, ...o.typing },
    actions: { ...d.actions, ...o.actions },
    maxUploadBytes: o.maxUploadBytes ?? d.maxUploadBytes,
  };
}
