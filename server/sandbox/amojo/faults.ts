/**
 * Failure injection for resilience tests: answer the next calls with an error status, or answer slowly
 * (every call, or only the calls about one conversation). Applies to Chats API calls only, never to
 * attachments or the control API.
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
  /**
   * Delays only the calls that name this `conversation_id` (top level or in `payload`), as when one
   * chat's calls are slow at amojo; `ms` 0 lifts it. Other calls keep the delay set for all.
   */
  conversationId?: string;
}

interface Delay {
  ms: number;
  afterProcessing: boolean;
}

export class FaultInjector {
  #failures: FailNextOptions[] = [];
  #delay: Delay = { ms: 0, afterProcessing: false };
  #conversationDelays = new Map<string, Delay>();

  /** Queues failures; successive calls queue after each other. */
  failNext(options: FailNextOptions): void {
    if (!Number.isInteger(options.count) || options.count < 1) throw new RangeError('count must be a positive integer');
    if (!Number.isInteger(options.status) || options.status < 400 || options.status > 599) throw new RangeError('status must be 400–599');
    for (let i = 0; i < options.count; i++) this.#failures.push({ ...options, count: 1 });
  }

  setDelay(ms: number, options: DelayOptions = {}): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('delay must be a non-negative number of ms');
    const delay = { ms, afterProcessing: options.afterProcessing ?? false };
    if (options.conversationId === undefined) this.#delay = delay;
    else if (ms === 0) this.#conversationDelays.delete(options.conversationId);
    else this.#conversationDelays.set(options.conversationId, delay);
  }

  /** True while some conversation has a delay of its own: only then is a call's body looked into. */
  get delaysConversations(): boolean {
    return this.#conversationDelays.size > 0;
  }

  reset(): void {
    this.#failures = [];
    this.#delay = { ms: 0, afterProcessing: false };
    this.#conversationDelays.clear();
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

  /** Waits if a delay is set for this phase of the call (the conversation's own, else the one for all). */
  async wait(phase: 'before' | 'after', conversationId?: string): Promise<void> {
    const delay = (conversationId === undefined ? undefined : this.#conversationDelays.get(conversationId)) ?? this.#delay;
    const applies = phase === 'after' ? delay.afterProcessing : !delay.afterProcessing;
    if (delay.ms > 0 && applies) await new Promise((resolve) => setTimeout(resolve, delay.ms));
  }
}

/** The `conversation_id` a Chats API body names (new_message and edits carry it in `payload`). */
export function conversationIdOfBody(body: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const top = parsed as { conversation_id?: unknown; payload?: { conversation_id?: unknown } | null };
  const id = top.conversation_id ?? (typeof top.payload === 'object' ? top.payload?.conversation_id : undefined);
  return typeof id === 'string' ? id : undefined;
}
