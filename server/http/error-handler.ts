/**
 * The one place errors become HTTP answers: `{"error": code, "message": sentence}`. Messages of
 * 5xx errors are not sent (they may name internals); they are logged with the request.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, RateLimitedError, ServiceUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';

interface BodyParserError {
  type?: string;
  status?: number;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const parserErr = err as BodyParserError;
    if (parserErr?.type === 'entity.too.large') {
      res.status(413).json({ error: 'payload_too_large', message: 'The request body is too large.' });
      return;
    }
    if (parserErr?.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'invalid_json', message: 'The request body is not valid JSON.' });
      return;
    }
    if (err instanceof ServiceUnavailableError) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      res.status(err.status).json({ error: err.code, message: err.message });
      return;
    }
    if (err instanceof AppError && err.status < 500) {
      if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      res.status(err.status).json({ error: err.code, message: err.message });
      return;
    }
    const status = err instanceof AppError ? err.status : 500;
    const code = err instanceof AppError ? err.code : 'internal_error';
    logger.error({ err, method: req.method, url: req.path }, 'request failed');
    res.status(status).json({ error: code, message: status === 502 ? 'An upstream service failed; try again later.' : 'Internal error.' });
  };
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not_found', message: 'No such route.' });
};
