/**
 * The application's error types. Exactly one place maps them to HTTP (`http/error-handler.ts`)
 * and exactly one maps them to jobs (retry or park, `bridge/job-runner.ts` via `isRetryable`;
 * when, `net/retry.ts`).
 */

export abstract class AppError extends Error {
  abstract readonly status: number;
  /** Stable machine code for the JSON error body. */
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that fails validation: 400 (or 413/415 through the subclasses below). */
export class ValidationError extends AppError {
  readonly status: number = 400;
  readonly code: string = 'invalid_request';
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

export class AuthError extends AppError {
  readonly status = 401;
  constructor(message: string, readonly code: string = 'unauthorized') {
    super(message);
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  constructor(message: string, readonly code: string = 'forbidden') {
    super(message);
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  constructor(message: string, readonly code: string = 'not_found') {
    super(message);
  }
}

export class GoneError extends AppError {
  readonly status = 410;
  constructor(message: string, readonly code: string = 'gone') {
    super(message);
  }
}

export class RangeNotSatisfiableError extends AppError {
  readonly status = 416;
  readonly code = 'range_not_satisfiable';
}

/** An account's file storage is full: 413 with a sentence the visitor can act on. */
export class StorageQuotaError extends AppError {
  readonly status = 413;
  readonly code = 'storage_quota_exceeded';
}

export class ConflictError extends AppError {
  readonly status = 409;
  constructor(message: string, readonly code: string = 'conflict') {
    super(message);
  }
}

/** The request is fine but the account is not ready for it (no working amoCRM grant): 412. */
export class PreconditionFailedError extends AppError {
  readonly status = 412;
  constructor(message: string, readonly code: string = 'precondition_failed') {
    super(message);
  }
}

/** The account has no amoCRM tokens (never installed, or uninstalled): only an install helps. */
export function notInstalledError(): PreconditionFailedError {
  return new PreconditionFailedError(
    'The integration is not installed in this amoCRM account: install it again from the amoCRM / Kommo marketplace, then press Connect.',
    'not_installed',
  );
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly code = 'rate_limited';
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** The process is at a capacity limit (open streams): 503 with Retry-After; the message is safe to send. */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'server_busy';
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** A dependency (amojo, amoCRM) failed in a way the caller cannot fix: 502. */
export class UpstreamError extends AppError {
  readonly status = 502;
  constructor(message: string, readonly code: string = 'upstream_error', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A call to amoCRM or amojo that did not succeed: carries the request's method and path and the
 * upstream status (0 when no answer came), never headers, tokens or secrets. Network failures,
 * 429 and 5xx are worth repeating; other answers are not.
 */
export abstract class UpstreamCallError extends AppError {
  readonly status = 502;
  readonly code: string;
  readonly retryable: boolean;
  /** The upstream's Retry-After, in ms: the job's next try waits that long. */
  readonly retryAfterMs: number | undefined;
  constructor(
    service: 'amojo' | 'amocrm',
    readonly method: string,
    readonly path: string,
    /** HTTP status from upstream, or 0 when no answer came (network error, timeout). */
    readonly upstreamStatus: number,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options?.retryAfterMs;
    this.retryable = upstreamStatus === 0 || upstreamStatus === 429 || upstreamStatus >= 500;
    this.code = upstreamStatus === 0 ? `${service}_unreachable` : `${service}_${upstreamStatus}`;
  }
}

/** Errors that declare whether repeating the same operation later can succeed. */
export interface RetryableErrorLike {
  readonly retryable: boolean;
}

/** Unknown errors (bugs, network glitches that escaped typing) are retried; typed ones decide. */
export function isRetryable(err: unknown): boolean {
  if (err && typeof err === 'object' && 'retryable' in err && typeof (err as RetryableErrorLike).retryable === 'boolean') {
    return (err as RetryableErrorLike).retryable;
  }
  if (err instanceof AppError) return err.status >= 500 || err.status === 429;
  return true;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
