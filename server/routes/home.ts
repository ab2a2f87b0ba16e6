/** `GET /`: a short status page (the sandbox page replaces it in sandbox mode). */
import { Router } from 'express';
import type { Services } from '../services.js';

export function createHomeRouter(services: Services): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const { config } = services;
    const mode = config.sandbox ? 'sandbox (built-in emulators, no amoCRM credentials)' : 'production';
    res.type('html').send(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(config.channel.title)}</title>` +
        `<body style="font-family:system-ui;margin:2rem;max-width:40rem">` +
        `<h1>${escapeHtml(config.channel.title)}: chat channel for amoCRM / Kommo</h1>` +
        `<p>The backend is running in <b>${mode}</b> mode.</p>` +
        `<p>Webhook URL to give amoCRM support for the channel: <code>${escapeHtml(config.publicUrl)}/amojo/webhook/:scope_id</code></p>` +
        `<p>OAuth redirect URI of the integration: <code>${escapeHtml(config.oauth.redirectUri)}</code></p>` +
        `</body></html>`,
    );
  });
  return router;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
