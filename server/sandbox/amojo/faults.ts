/**
 * Failure injection for resilience tests: answer the next calls with an error status, or answer slowly.
 * Applies to Chats API calls only, never to attachments or the control API.
 */
import type { ApiReply } from './api-errors.js';

export interface FailNextOptions {
  /** How many of the next API calls fail. */
  count: number;
  /** Status to answer, e.g. 500, 503 or 429. */
  status: number;
  /** Sent as `Retry-After` (seconds). */
  retryAfterSeconds?: number;
}

export interface DelayOptions {
  /**
   * When true the call is carried out first and only its answer is late, as when amojo accepted a
   * message but the answer is lost to a client timeout. Default false: the wait comes first.
   */
  afterProcessing?: boolean;
}

export class FaultInjector {
  #failures: FailNextOptions[] = [];
  #delayMs = 0;
  #afterProcessing = false;

  /** Queues failures; successive calls queue after each other. */
  failNext(options: FailNextOptions): void {
    if (!Number.isInteger(options.count) || options.count < 1) throw new RangeError('count must be a positive integer');
    if (!Number.isInteger(options.status) || options.status < 400 || options.status > 599) throw new RangeError('status must be 400–599');
    for (let i = 0; i < options.count; i++) this.#failures.push({ ...options, count: 1 });
  }

  setDelay(ms: number, options: DelayOptions = {}): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('delay must be a non-negative number of ms');
    this.#delayMs = ms;
    this.#afterProcessing = options.afterProcessing ?? false;
  }

  reset(): void {
    this.#failures = [];
    this.#delayMs = 0;
    this.#afterProcessing = false;
  }

  /** The injected answer for this call, if one is queued; consumes it. */
  takeFailure(): ApiReply | undefined {
    const f = this.#failures.shift();
    if (!f) return undefined;
    const reply: ApiReply = {
      status: f.status,
      body: { error_code: f.status, error_type: 'injected_failure', error_description: `injected failure ${f.status}` },
    };
    if (f.retryAfterSeconds !== undefined) reply.headers = { 'Retry-After': String(f.retryAfterSeconds) };
    return reply;
  }

  /** Waits if a delay is set for this phase of the call. */
  async wait(phase: 'before' | 'after'): Promise<void> {
    const applies = phase === 'after' ? this.#afterProcessing : !this.#afterProcessing;
    if (this.#delayMs > 0 && applies) await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
  }
}
