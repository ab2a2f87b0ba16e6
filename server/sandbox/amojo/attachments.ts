/**
 * Files managers send from the emulated inbox. Hooks link to them like amojo's CDN links
 * (`<base>/attachments/<id>/<name>`): unsigned GETs, ids unguessable.
 */
import { Router } from 'express';

export interface StoredAttachment {
  id: string;
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

export class AttachmentStore {
  readonly #files = new Map<string, StoredAttachment>();

  add(file: StoredAttachment): StoredAttachment {
    this.#files.set(file.id, file);
    return file;
  }

  get(id: string): StoredAttachment | undefined {
    return this.#files.get(id);
  }

  clear(): void {
    this.#files.clear();
  }
}

/** Path of an attachment below the emulator's base URL. */
export const attachmentPath = (file: StoredAttachment): string => `/attachments/${file.id}/${encodeURIComponent(file.fileName)}`;

export function createAttachmentRouter(store: AttachmentStore): Router {
  const router = Router();
  router.get('/attachments/:id/:name', (req, res) => {
    const file = store.get(req.params.id);
    if (!file || file.fileName !== req.params.name) {
      res.status(404).end();
      return;
    }
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Length', String(file.bytes.length));
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.end(file.bytes);
  });
  return router;
}
