/**
 * `GET /webchat/embed.js`: the chat bubble script for websites (product.md), as `npm run build` wrote it
 * to dist/embed/embed.js. Nothing is built here: the file is read once, at the first request, and kept in
 * memory with its gzip form and ETag. While it is missing the route answers 503 and logs what to run;
 * it looks again at the next request, so a build finished meanwhile is picked up without a restart.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import type { Logger } from '../../log.js';
import { missingBuildMessage } from '../../http/built-files.js';

export interface EmbedRouteOptions {
  logger: Logger;
  /** The build's output folder, holding embed/embed.js. */
  distDir: string;
}

interface Bundle {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** A website caches the script briefly; the ETag makes the revalidation cheap. */
const CACHE_CONTROL = 'public, max-age=300';

export function createEmbedRouter(options: EmbedRouteOptions): Router {
  const file = join(options.distDir, 'embed/embed.js');
  const logger = options.logger.child({ module: 'webchat-embed' });
  let bundle: Promise<Bundle> | undefined;
  let isMissingLogged = false;

  async function load(): Promise<Bundle> {
    const body = await readFile(file);
    return { body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
  }

  function current(): Promise<Bundle> {
    bundle ??= load().catch((err: unknown) => {
      bundle = undefined;
      throw err;
    });
    return bundle;
  }

  const router = Router();
  router.get('/webchat/embed.js', async (req: Request, res: Response) => {
    let b: Bundle;
    try {
      b = await current();
    } catch (err) {
      // Logged once per missing spell, not once per visitor's page view.
      if (!isMissingLogged) logger.error({ err }, missingBuildMessage('the chat bubble', file));
      isMissingLogged = true;
      res.status(503).json({ error: 'embed_unavailable', message: 'The chat script is not built on this server.' });
      return;
    }
    isMissingLogged = false;
    res.set({
      'Content-Type': 'application/javascript; charset=utf-8',
      'Cache-Control': CACHE_CONTROL,
      ETag: b.etag,
      Vary: 'Accept-Encoding',
      // Any website may load it, also pages that send COEP / use crossorigin="anonymous".
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.get('if-none-match') === b.etag) {
      res.status(304).end();
      return;
    }
    const isGzip = /\bgzip\b/.test(req.get('accept-encoding') ?? '');
    if (isGzip) res.set('Content-Encoding', 'gzip');
    res.send(isGzip ? b.gzip : b.body);
  });
  return router;
}
