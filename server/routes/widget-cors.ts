/**
 * CORS for the widget API (widget-and-oauth.md §4): the widget runs on the account's own origin
 * (`https://<sub>.amocrm.ru|amocrm.com|kommo.com`) and sends the custom `X-Auth-Token` header, so
 * browsers preflight every call. Only those origins (and, in the sandbox, the backend's own page)
 * get CORS headers; a preflight from anywhere else is refused.
 */
import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors.js';

const AMO_ORIGIN = /^https:\/\/[a-z0-9-]+\.(?:amocrm\.ru|amocrm\.com|kommo\.com)$/i;

export const WIDGET_CORS_HEADERS = 'X-Auth-Token, Content-Type, X-Requested-With';
export const WIDGET_CORS_METHODS = 'GET, POST, PUT, OPTIONS';
const MAX_AGE_SEC = 600;

export function isWidgetOrigin(origin: string, extraOrigins: readonly string[] = []): boolean {
  return AMO_ORIGIN.test(origin) || extraOrigins.includes(origin);
}

export function widgetCors(extraOrigins: readonly string[] = []): RequestHandler {
  return (req, res, next) => {
    // Answers differ by Origin, so caches must key on it.
    res.vary('Origin');
    const origin = req.get('origin');
    const allowed = origin !== undefined && isWidgetOrigin(origin, extraOrigins);
    if (allowed) res.setHeader('Access-Control-Allow-Origin', origin);
    if (req.method !== 'OPTIONS') {
      next();
      return;
    }
    if (!allowed) throw new ForbiddenError('This origin may not call the widget API.', 'origin_not_allowed');
    res.setHeader('Access-Control-Allow-Methods', WIDGET_CORS_METHODS);
    res.setHeader('Access-Control-Allow-Headers', WIDGET_CORS_HEADERS);
    res.setHeader('Access-Control-Max-Age', String(MAX_AGE_SEC));
    res.status(204).end();
  };
}
