/**
 * `GET /webchat/embed.js`: the chat bubble script for websites (product.md). Served from
 * dist/embed/embed.js; when that file is missing (a fresh checkout started without `npm run build`), or
 * in sandbox mode older than its sources, it is built here first, once, while requests wait for it.
 * The build tool is imported only then, so a deployment with a built file never loads webpack.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import type { Logger } from '../../log.js';

export interface EmbedRouteOptions {
  logger: Logger;
  /** Repository root (holds dist/ and webchat-embed/); found from this file by default. */
  rootDir?: string;
  /** Rebuild when a source is newer than the built file (sandbox / development). */
  isRebuildOnChange?: boolean;
  /** Start building at once rather than at the first request. */
  isWarmStart?: boolean;
}

interface Bundle {
  body: Buffer;
  gzip: Buffer;
  etag: string;
  mtimeMs: number;
}

const DEFAULT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** A website caches the script briefly; the ETag makes the revalidation cheap. */
const CACHE_CONTROL = 'public, max-age=300';
/** How often (at most) the sources are compared with the built file in rebuild-on-change mode. */
const STALE_CHECK_MS = 1000;

export function createEmbedRouter(options: EmbedRouteOptions): Router {
  const rootDir = options.rootDir ?? DEFAULT_ROOT;
  const file = join(rootDir, 'dist/embed/embed.js');
  const logger = options.logger.child({ module: 'webchat-embed' });
  let bundle: Bundle | undefined;
  let pending: Promise<Bundle> | undefined;
  let checkedAt = 0;
  /** Newest source time already built from: a source dated in the future must not rebuild forever. */
  let builtFrom = 0;

  async function load(): Promise<Bundle> {
    const [body, info] = await Promise.all([readFile(file), stat(file)]);
    return { body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha1').update(body).digest('base64url')}"`, mtimeMs: info.mtimeMs };
  }

  async function isStale(mtimeMs: number): Promise<boolean> {
    if (!options.isRebuildOnChange) return false;
    const { newestSourceMtime } = await import('../../../scripts/embed/sources.js');
    const newest = await newestSourceMtime(rootDir).catch(() => 0);
    if (newest <= Math.max(mtimeMs, builtFrom)) return false;
    builtFrom = newest;
    return true;
  }

  async function produce(): Promise<Bundle> {
    const info = await stat(file).catch(() => undefined);
    if (!info || (await isStale(info.mtimeMs))) {
      logger.info(info ? 'chat bubble sources changed; rebuilding embed.js' : 'embed.js not built yet; building it now');
      const { buildEmbed } = await import('../../../scripts/embed/build.js');
      const result = await buildEmbed({ rootDir, typeCheck: false });
      logger.info({ bytes: result.bytes, gzipBytes: result.gzipBytes, ms: result.ms }, 'embed.js built');
    }
    return load();
  }

  function current(): Promise<Bundle> {
    const now = Date.now();
    if (bundle && (!options.isRebuildOnChange || now - checkedAt < STALE_CHECK_MS)) return Promise.resolve(bundle);
    checkedAt = now;
    pending ??= (bundle && !options.isRebuildOnChange ? Promise.resolve(bundle) : produce())
      .then((b) => (bundle = b))
      .finally(() => (pending = undefined));
    return pending;
  }

  if (options.isWarmStart) {
    current().catch((err: unknown) => logger.error({ err }, 'could not build embed.js'));
  }

  const router = Router();
  router.get('/webchat/embed.js', async (req: Request, res: Response) => {
    let b: Bundle;
    try {
      b = await current();
    } catch (err) {
      logger.error({ err }, 'embed.js is not available');
      res.status(503).json({ error: 'embed_unavailable', message: 'The chat script is not built; run npm run build.' });
      return;
    }
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
