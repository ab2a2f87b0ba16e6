/**
 * The website-chat API is called from any website, so CORS is open to every origin. Nothing
 * relies on cookies (tokens travel in headers or the event-stream query), so `*` is safe.
 */
import type { RequestHandler } from 'express';

export const corsForAnyOrigin: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  if (req.method !== 'OPTIONS') {
    next();
    return;
  }
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Last-Event-ID');
  res.setHeader('Access-Control-Max-Age', '600');
  res.status(204).end();
};
