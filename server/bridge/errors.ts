/**
 * The bridge's two error kinds. `BridgeRefusal`: a client asked for something the bridge will not
 * do (the platform maps the reason to its API's answer). `PermanentFailure`: a job cannot succeed by
 * retrying (`retryable: false`, which the job runner's policy reads), so it is parked at once.
 */

export const REFUSAL_REASONS = ['not_found', 'invalid', 'conflict', 'forbidden'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export class BridgeRefusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** The input field at fault, when one is. */
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class PermanentFailure extends Error {
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** True when an error says repeating cannot help (amojo 4xx, PermanentFailure). */
export function isPermanent(err: unknown): boolean {
  return !!err && typeof err === 'object' && 'retryable' in err && (err as { retryable: unknown }).retryable === false;
}

/** Error text safe for logs and for the message row (no bodies beyond the first line). */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0]!.slice(0, 300);
}

/** The account's stored files already fill its quota: nothing more is kept until retention frees room. */
export class StorageQuotaExceeded extends PermanentFailure {
  constructor(readonly quotaBytes: number) {
    super(`the account's file storage is full (quota ${Math.round(quotaBytes / (1024 * 1024))} MB)`);
  }
}

/** A try failed and a later one may succeed; `retryAfterMs` is how long the far side asked to wait. */
export class RetryLater extends Error {
  readonly retryable = true;
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = new.target.name;
  }
}
