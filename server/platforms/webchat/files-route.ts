/**
 * `GET /files/:id/:name` (product.md): stored files for amoCRM (it downloads visitors' `media`
 * links) and visitors (managers' files). The id is the secret; the name is cosmetic. Served with
 * the stored type, `nosniff`, a safe Content-Disposition (pictures inline, the rest as downloads),
 * range support for audio and video, and a long cache (a file id never changes content). The
 * bytes are streamed from the blob store, so any instance serves any file. A file past retention
 * answers 410; a range outside the file 416 with a `Content-Range` naming its size.
 */
import { pipeline } from 'node:stream/promises';
import { Router, type Request } from 'express';
import parseRange from 'range-parser';
import { asFileId, type Bridge, type ByteRange } from '../../bridge/index.js';
import { GoneError, NotFoundError, RangeNotSatisfiableError } from '../../errors.js';
import { isInlineType } from './file-types.js';
import { fileIdSchema } from './schema.js';

export function createFilesRouter(deps: { bridge: Bridge }): Router {
  const router = Router();
  router.get('/files/:id/:name', async (req, res, next) => {
    const id = fileIdSchema.safeParse(req.params['id']);
    const file = id.success ? await deps.bridge.files.lookup(asFileId(id.data)) : undefined;
    if (file === 'expired') throw new GoneError('This file was deleted: stored files are kept for a limited time.', 'file_expired');
    if (!file) throw new NotFoundError('No such file.');
    // A file id never changes content, so its hash is a strong validator that every instance agrees on.
    const etag = `"${file.sha256}"`;
    const range = requestedRange(req, file.size, etag);
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${file.size}`);
      throw new RangeNotSatisfiableError('The requested range is outside the file.');
    }
    const textType = file.contentType.startsWith('text/') ? `${file.contentType}; charset=utf-8` : file.contentType;
    res.setHeader('Content-Type', textType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', contentDisposition(isInlineType(file.contentType) ? 'inline' : 'attachment', file.name));
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    const body = req.method === 'HEAD' ? undefined : await deps.bridge.files.read(file, range);
    if (req.method !== 'HEAD' && !body) {
      // The record outlived its bytes: answer as for no file, without the file's long cache.
      for (const h of ['Cache-Control', 'ETag', 'Accept-Ranges', 'Content-Disposition']) res.removeHeader(h);
      throw new NotFoundError('No such file.');
    }
    if (range) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
    }
    res.setHeader('Content-Length', String(range ? range.end - range.start + 1 : file.size));
    if (!body) {
      res.end();
      return;
    }
    try {
      await pipeline(body, res);
    } catch (err) {
      // A client that goes away mid-download is no error; a store failure before any byte is.
      if (!res.headersSent) next(err);
    }
  });
  return router;
}

/**
 * The one byte range a request asks for, as `send` (Express's file sender) reads ranges: none
 * (the whole file) for no or a malformed `Range`, several ranges, or an `If-Range` that does not
 * name this file's ETag; `'unsatisfiable'` for a range that starts past the end.
 */
function requestedRange(req: Request, size: number, etag: string): ByteRange | 'unsatisfiable' | undefined {
  const header = req.headers.range;
  if (!header) return undefined;
  const ifRange = req.get('if-range');
  if (ifRange !== undefined && ifRange.trim() !== etag) return undefined;
  const ranges = parseRange(size, header, { combine: true });
  if (ranges === -1) return 'unsatisfiable';
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  const [only] = ranges;
  return only ? { start: only.start, end: only.end } : undefined;
}

/** RFC 6266: an ASCII fallback plus the UTF-8 name, both quoted safely. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
