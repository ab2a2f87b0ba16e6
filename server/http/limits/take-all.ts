/**
 * A request passes several limits (per conversation, per address, per site) or none: when one
 * refuses, the points the others took are given back, so a refused request spends nothing and one
 * client hammering its own limit cannot use up a bucket it shares with others.
 */
import { RateLimitedError } from '../../errors.js';
import type { Limiter } from './limiter.js';

export type LimitCheck = readonly [Limiter, string];

/** What a passed `takeAll` took, to give back when a later check of the same request refuses. */
export interface Taken {
  giveBack(): Promise<void>;
}

const NOTHING: Taken = { giveBack: async () => undefined };

/**
 * Takes one point from each limit in order (put the narrowest first: a client refused there
 * never touches the shared ones). On a refusal gives back what this call and `earlier` took and
 * throws RateLimitedError (429 with Retry-After).
 */
export async function takeAll(checks: readonly LimitCheck[], earlier: Taken = NOTHING): Promise<Taken> {
  const taken: LimitCheck[] = [];
  const giveBack = async (): Promise<void> => {
    await Promise.all(taken.map(([limiter, key]) => limiter.refund(key)));
    taken.length = 0;
    await earlier.giveBack();
  };
  for (const check of checks) {
    const decision = await check[0].consume(check[1]);
    if (!decision.ok) {
      await giveBack();
      throw new RateLimitedError('Too many requests; try again later.', decision.retryAfterSeconds);
    }
    taken.push(check);
  }
  return { giveBack };
}
