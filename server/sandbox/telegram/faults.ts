/**
 * Failure injection for resilience tests: the next calls of a method (or of any method) are refused
 * with a given error, never answered, or cut off by closing the connection. A faulted call touches no
 * state. Applies to Bot API calls only, never to downloads or the control API.
 */
import { TelegramApiError } from './api-errors.js';

export type FaultKind = 'error' | 'hang' | 'drop';

export interface FaultOptions {
  /** Method name, any case; absent = any method. */
  method?: string;
  /** How many of the next matching calls are faulted. */
  count: number;
  kind: FaultKind;
  /** For `error`: the code and description answered, e.g. 500 "Internal Server Error". */
  errorCode?: number;
  description?: string;
  /** For `error`: sent as `parameters.retry_after`. */
  retryAfter?: number;
}

export type Fault = { kind: 'error'; error: TelegramApiError } | { kind: 'hang' } | { kind: 'drop' };

interface QueuedFault {
  method?: string;
  fault: Fault;
}

/** Queued faults beyond this are refused, so a runaway test cannot grow memory. */
const MAX_QUEUED = 10_000;

export class FaultInjector {
  #queue: QueuedFault[] = [];

  add(options: FaultOptions): void {
    if (!Number.isInteger(options.count) || options.count < 1) throw new RangeError('count must be a positive integer');
    if (this.#queue.length + options.count > MAX_QUEUED) throw new RangeError(`at most ${MAX_QUEUED} faults may be queued`);
    const fault = toFault(options);
    const method = options.method?.toLowerCase();
    for (let i = 0; i < options.count; i++) this.#queue.push(method === undefined ? { fault } : { method, fault });
  }

  /** The fault for this call, if one is queued for its method or for any method; consumes it. */
  take(method: string): Fault | undefined {
    const name = method.toLowerCase();
    const at = this.#queue.findIndex((q) => q.method === undefined || q.method === name);
    if (at < 0) return undefined;
    return this.#queue.splice(at, 1)[0]?.fault;
  }

  reset(): void {
    this.#queue = [];
  }
}

function toFault(o: FaultOptions): Fault {
  if (o.kind !== 'error') return { kind: o.kind };
  const code = o.errorCode ?? 500;
  if (!Number.isInteger(code) || code < 400 || code > 599) throw new RangeError('errorCode must be 400–599');
  const description = o.description ?? (code === 429 ? `Too Many Requests: retry after ${o.retryAfter ?? 1}` : 'Internal Server Error');
  const retryAfter = o.retryAfter ?? (code === 429 ? 1 : undefined);
  return { kind: 'error', error: new TelegramApiError(code, description, retryAfter === undefined ? undefined : { retry_after: retryAfter }) };
}
