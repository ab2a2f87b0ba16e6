import { UpstreamCallError } from '../errors.js';

const MAX_TEXT = 200;

/**
 * An amoCRM REST/OAuth call that did not succeed. Carries what amoCRM said in its
 * `application/problem+json` answer (title, detail) and the request's method and path, never
 * headers, tokens or the client secret. `retryable` decides retry vs. give up.
 */
export class AmocrmError extends UpstreamCallError {
  constructor(
    method: string,
    /** Path on the account host (query included; it never carries credentials). */
    path: string,
    upstreamStatus: number,
    readonly title: string | undefined,
    readonly detail: string | undefined,
    options?: { cause?: unknown; message?: string; retryAfterMs?: number | undefined },
  ) {
    super('amocrm', method, path, upstreamStatus, options?.message ?? describe(method, path, upstreamStatus, title, detail), options);
  }

  /** amoCRM refused our credentials: the access (or, after a refresh, the whole grant) is gone. */
  get isUnauthorized(): boolean {
    return this.upstreamStatus === 401;
  }
}

function describe(method: string, path: string, status: number, title?: string, detail?: string): string {
  const said = [title, detail].filter((s): s is string => !!s).map((s) => s.slice(0, MAX_TEXT)).join(': ');
  return `amoCRM ${method} ${path} answered ${status || 'nothing'}${said ? ` (${said})` : ''}`;
}
