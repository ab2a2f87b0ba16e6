/**
 * `GET /files/:id/:name` (product.md): stored files for amoCRM (it downloads visitors' `media`
 * links) and visitors (managers' files). The id is the secret; the name is cosmetic. Served with
 * the stored type, `nosniff`, a safe Content-Disposition (pictures inline, the rest as downloads),
 * range support for audio and video, and a long cache (a file id never changes content). A file
 * past retention answers 410; a range outside the file 416 with a `Content-Range` naming its size.
 */
import { Router } from 'express';
import { asFileId, type Bridge } from '../../bridge/index.js';
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
    const textType = file.contentType.startsWith('text/') ? `${file.contentType}; charset=utf-8` : file.contentType;
    res.setHeader('Content-Type', textType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', contentDisposition(isInlineType(file.contentType) ? 'inline' : 'attachment', file.name));
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.sendFile(deps.bridge.files.absolutePath(file), { maxAge: '365d', immutable: true, lastModified: false, dotfiles: 'allow' }, (err: (Error & { status?: number }) | undefined) => {
      if (!err || res.headersSent) return;
      // The long cache belongs to the file's bytes, not to an answer about a bad request.
      res.removeHeader('Cache-Control');
      res.removeHeader('ETag');
      if (err.status === 416) {
        res.setHeader('Content-Range', `bytes */${file.size}`);
        next(new RangeNotSatisfiableError('The requested range is outside the file.'));
      } else next(new NotFoundError('No such file.'));
    });
  });
  return router;
}

/** RFC 6266: an ASCII fallback plus the UTF-8 name, both quoted safely. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
