/**
 * The one place errors become HTTP answers: `{"error": code, "message": sentence}`. A client's
 * mistake (our 4xx errors, and the 4xx errors Express's body parsers and router raise: a bogus
 * charset, a broken gzip body, malformed JSON, a bad percent-encoding) is answered with its 4xx and
 * logged at warn without a stack; it is not our failure. Messages of 5xx errors are not sent (they
 * may name internals); they are logged with the request and its stack.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, RateLimitedError, ServiceUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';

/** What body-parser, raw-body, zlib and the router attach to their errors (http-errors style). */
interface HttpLibraryError {
  type?: unknown;
  code?: unknown;
  status?: unknown;
}

interface ClientError {
  status: number;
  code: string;
  message: string;
}

const LIBRARY_ERRORS: Record<string, Omit<ClientError, 'status'>> = {
  'entity.too.large': { code: 'payload_too_large', message: 'The request body is too large.' },
  'entity.parse.failed': { code: 'invalid_json', message: 'The request body is not valid JSON.' },
  'charset.unsupported': { code: 'unsupported_charset', message: 'The charset of the request body is not supported; send UTF-8.' },
  'encoding.unsupported': { code: 'unsupported_encoding', message: 'The Content-Encoding of the request body is not supported.' },
  'request.aborted': { code: 'request_aborted', message: 'The request body was not sent completely.' },
  'request.size.invalid': { code: 'invalid_body_length', message: 'The request body does not match its Content-Length.' },
};

/** A library error whose status says the client is at fault, as our JSON error; else undefined. */
function libraryClientError(err: unknown): ClientError | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const { type, code, status } = err as HttpLibraryError;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const known = typeof type === 'string' ? LIBRARY_ERRORS[type] : undefined;
  if (known) return { status, ...known };
  // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR…): the body was not the encoding it declared.
  if (typeof code === 'string' && code.startsWith('Z_')) return { status, code: 'invalid_body_encoding', message: 'The request body is not valid for its Content-Encoding.' };
  return { status, code: 'bad_request', message: 'The request is malformed.' };
}

/** The request path for a log line; a file link's id is its secret and is left out. */
function loggedPath(path: string): string {
  return path.replace(/^\/files\/[^/]+/, '/files/:id');
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof ServiceUnavailableError) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      logger.warn({ method: req.method, url: loggedPath(req.path), status: err.status, error: err.code }, 'service busy');
      res.status(err.status).json({ error: err.code, message: err.message });
      return;
    }
    const client = err instanceof AppError ? (err.status < 500 ? { status: err.status, code: err.code, message: err.message } : undefined) : libraryClientError(err);
    if (client) {
      if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      logger.warn({ method: req.method, url: loggedPath(req.path), status: client.status, error: client.code }, 'client error');
      res.status(client.status).json({ error: client.code, message: client.message });
      return;
    }
    const status = err instanceof AppError ? err.status : 500;
    const code = err instanceof AppError ? err.code : 'internal_error';
    logger.error({ err, method: req.method, url: loggedPath(req.path) }, 'request failed');
    res.status(status).json({ error: code, message: status === 502 ? 'An upstream service failed; try again later.' : 'Internal error.' });
  };
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not_found', message: 'No such route.' });
};
