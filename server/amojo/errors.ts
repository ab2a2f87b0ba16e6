import { AppError } from '../errors.js';

const MAX_BODY_IN_ERROR = 500;

/**
 * A Chats API call that did not succeed. Carries the status, amojo's error body (trimmed) and the
 * request's method and path, never headers or the secret. `retryable` decides retry vs. park.
 */
export class AmojoError extends AppError {
  readonly status = 502;
  readonly code: string;
  readonly retryable: boolean;
  constructor(
    readonly method: string,
    readonly path: string,
    /** HTTP status from amojo, or 0 when no answer came (network error, timeout). */
    readonly upstreamStatus: number,
    readonly body: string,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? `amojo ${method} ${path} answered ${upstreamStatus || 'nothing'}${body ? `: ${body.slice(0, MAX_BODY_IN_ERROR)}` : ''}`, options);
    this.retryable = upstreamStatus === 0 || upstreamStatus === 429 || upstreamStatus >= 500;
    this.code = upstreamStatus === 0 ? 'amojo_unreachable' : `amojo_${upstreamStatus}`;
  }

  /** amojo's error body as JSON when it is JSON (its schema is unconfirmed, so nothing relies on fields). */
  get bodyJson(): unknown {
    try {
      return this.body ? JSON.parse(this.body) : undefined;
    } catch {
      return undefined;
    }
  }
}
