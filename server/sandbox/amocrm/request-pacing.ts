/** amoCRM's limit of 7 requests per second per account (§5.5): a sliding window answered 429. */
import { ProblemError } from './problem.js';

export class RequestPacing {
  readonly #sent = new Map<number, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Records an accepted request, or throws a 429 problem (a refused request does not count). */
  admit(accountId: number): void {
    const t = this.now();
    const sent = (this.#sent.get(accountId) ?? []).filter((at) => at > t - this.windowMs);
    this.#sent.set(accountId, sent);
    if (sent.length >= this.limit) {
      const waitSec = Math.max(1, Math.ceil((sent[0]! + this.windowMs - t) / 1000));
      throw new ProblemError(
        { status: 429, title: 'Too Many Requests', detail: `more than ${this.limit} requests per second` },
        { 'Retry-After': String(waitSec) },
      );
    }
    sent.push(t);
  }

  reset(): void {
    this.#sent.clear();
  }
}
