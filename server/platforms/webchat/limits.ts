/**
 * Abuse limits of the public website-chat API. Every action that becomes a Chats API call is
 * limited per conversation; everything per client address and per site (account) as well.
 * Keys are bounded values only: the parsed client address (`http/client-address.ts`), a
 * conversation id, an account id, never text a visitor sent. Defaults suit a human in a chat
 * bubble; an office behind one NAT address shares the per-address buckets, which is why they
 * are generous. Benchmarks raise them.
 */
import { memoryLimiters, streamCapacity, type LimitRule, type Limiter, type LimiterFactory } from '../../http/limits/index.js';

export interface WebchatLimits {
  sessions: { perIp: LimitRule; perSite: LimitRule };
  /** Messages; edits take from `perConversation` too. */
  messages: { perIp: LimitRule; perSite: LimitRule; perConversation: LimitRule };
  uploads: { perIp: LimitRule; perSite: LimitRule; perConversation: LimitRule };
  typing: { perIp: LimitRule; perSite: LimitRule; perConversation: LimitRule };
  reactions: { perConversation: LimitRule };
  reads: { perConversation: LimitRule };
  /** Per address: reactions, read receipts, edits, message lists, opening event streams. */
  actions: { perIp: LimitRule };
  /** Open event streams. */
  streams: StreamLimits;
  /** Largest upload, in bytes (413 beyond); decimal, as the bubble states it and file managers show sizes. */
  maxUploadBytes: number;
  /** Keys each in-memory limiter holds at most (`http/limits/memory-limiter.ts`). */
  maxKeysPerLimiter: number;
}

export interface StreamLimits {
  /** Tabs of one visitor; the oldest is closed beyond this. */
  perConversation: number;
  /** From one client address (an office shares one): more are answered 429. */
  perIp: number;
  /** Of one account's visitors (its site key is public): more are answered 429. */
  perAccount: number;
  /** In this process, from its file-descriptor limit: more are answered 503. */
  total: number;
}

/** Rules that are not a rate: the stream caps, the upload size, the key bound. */
type Scalars = 'streams' | 'maxUploadBytes' | 'maxKeysPerLimiter';

export const DEFAULT_WEBCHAT_LIMITS: Omit<WebchatLimits, 'streams'> & { streams: Pick<StreamLimits, 'perConversation' | 'perIp'> } = {
  sessions: { perIp: { burst: 20, perMinute: 10 }, perSite: { burst: 300, perMinute: 600 } },
  messages: { perIp: { burst: 60, perMinute: 120 }, perSite: { burst: 600, perMinute: 3000 }, perConversation: { burst: 20, perMinute: 60 } },
  uploads: { perIp: { burst: 10, perMinute: 20 }, perSite: { burst: 100, perMinute: 300 }, perConversation: { burst: 10, perMinute: 20 } },
  // The bubble reports typing at most every 3 s.
  typing: { perIp: { burst: 60, perMinute: 240 }, perSite: { burst: 600, perMinute: 6000 }, perConversation: { burst: 10, perMinute: 30 } },
  reactions: { perConversation: { burst: 20, perMinute: 60 } },
  reads: { perConversation: { burst: 60, perMinute: 240 } },
  actions: { perIp: { burst: 120, perMinute: 600 } },
  streams: { perConversation: 5, perIp: 50 },
  maxUploadBytes: 20_000_000,
  maxKeysPerLimiter: 10_000,
};

type RuleGroups = Omit<WebchatLimits, Scalars>;
export type WebchatLimiters = { [G in keyof RuleGroups]: { [R in keyof RuleGroups[G]]: Limiter } };

/** One limiter per rule, named `<group>.<rule>` (the key prefix of a shared store). */
export function createLimiters(limits: WebchatLimits, make: LimiterFactory = memoryLimiters({ maxKeys: limits.maxKeysPerLimiter })): WebchatLimiters {
  const group = <G extends keyof RuleGroups>(name: G) =>
    Object.fromEntries(Object.entries(limits[name]).map(([rule, value]) => [rule, make(`webchat.${name}.${rule}`, value as LimitRule)])) as WebchatLimiters[G];
  return {
    sessions: group('sessions'),
    messages: group('messages'),
    uploads: group('uploads'),
    typing: group('typing'),
    reactions: group('reactions'),
    reads: group('reads'),
    actions: group('actions'),
  };
}

/** Each limiter by name, with the keys it holds (memory backends). */
export function limiterKeys(limiters: WebchatLimiters): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const [group, rules] of Object.entries(limiters)) for (const [rule, limiter] of Object.entries(rules as Record<string, Limiter>)) out[`${group}.${rule}`] = limiter.heldKeys?.();
  return out;
}

/** Rules to replace, each whole (benchmarks and tests). */
export type WebchatLimitOverrides = { [K in Exclude<keyof WebchatLimits, 'maxUploadBytes' | 'maxKeysPerLimiter'>]?: Partial<WebchatLimits[K]> } & {
  maxUploadBytes?: number;
  maxKeysPerLimiter?: number;
};

export { NO_LIMIT } from '../../http/limits/index.js';

export function mergeLimits(o: WebchatLimitOverrides = {}, fdStreamCapacity: () => number = streamCapacity): WebchatLimits {
  const d = DEFAULT_WEBCHAT_LIMITS;
  const total = o.streams?.total ?? fdStreamCapacity();
  return {
    sessions: { ...d.sessions, ...o.sessions },
    messages: { ...d.messages, ...o.messages },
    uploads: { ...d.uploads, ...o.uploads },
    typing: { ...d.typing, ...o.typing },
    reactions: { ...d.reactions, ...o.reactions },
    reads: { ...d.reads, ...o.reads },
    actions: { ...d.actions, ...o.actions },
    // One account's visitors hold at most half the streams, so a flood aimed at one site leaves room for the others.
    streams: { ...d.streams, perAccount: Math.max(1, Math.ceil(total / 2)), ...o.streams, total },
    maxUploadBytes: o.maxUploadBytes ?? d.maxUploadBytes,
    maxKeysPerLimiter: o.maxKeysPerLimiter ?? d.maxKeysPerLimiter,
  };
}
