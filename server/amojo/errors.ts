import { UpstreamCallError } from '../errors.js';

const MAX_BODY_IN_ERROR = 500;

/** A Chats API call that did not succeed, with amojo's error body (trimmed for the message). */
export class AmojoError extends UpstreamCallError {
  constructor(
    method: string,
    path: string,
    upstreamStatus: number,
    readonly body: string,
    message?: string,
    options?: { cause?: unknown; retryAfterMs?: number | undefined },
  ) {
    super(
      'amojo',
      method,
      path,
      upstreamStatus,
      message ?? `amojo ${method} ${path} answered ${upstreamStatus || 'nothing'}${body ? `: ${body.slice(0, MAX_BODY_IN_ERROR)}` : ''}`,
      options,
    );
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
