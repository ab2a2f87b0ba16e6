/**
 * `POST /webchat/v1/files`: one file per multipart request (field name free; an optional `voice`
 * field set to `1`/`true` marks an audio file as a voice note). Size limit → 413, type outside the
 * allow-list (or an "image" whose bytes are not one) → 415. The file belongs to the visitor's
 * conversation; a message then refers to it by `file_id`.
 */
import busboy from 'busboy';
import { Router, type Request } from 'express';
import type { Readable } from 'node:stream';
import { baseType, cleanName, kindOfContentType, type Bridge, type FileRecord } from '../../bridge/index.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../errors.js';
import { corsForAnyOrigin } from './cors.js';
import { isAllowedType, looksLikeImage } from './file-types.js';
import type { WebchatLimiters } from './limits.js';
import { clientIp, limit, mapBridgeErrors } from './routes.js';
import type { VisitorAuth } from './visitor-auth.js';

export function createUploadRouter(deps: { bridge: Bridge; authenticate: VisitorAuth; limiters: WebchatLimiters; maxBytes: number; idleTimeoutMs: number }): Router {
  const router = Router();
  router.use('/files', corsForAnyOrigin);

  router.post('/files', async (req, res) => {
    const conversation = await deps.authenticate(req);
    await limit([deps.limiters.uploads.perConversation, conversation.id], [deps.limiters.uploads.perIp, clientIp(req)], [deps.limiters.uploads.perSite, `account:${conversation.accountId}`]);
    if (!/^multipart\/form-data/i.test(req.get('content-type') ?? '')) {
      throw new UnsupportedMediaTypeError('Send the file as multipart/form-data.');
    }
    // A declared length far beyond the limit is refused before reading anything.
    const declaredBytes = Number(req.get('content-length') ?? 0) || 0;
    if (declaredBytes > deps.maxBytes + 64 * 1024) {
      res.setHeader('Connection', 'close');
      throw new PayloadTooLargeError(`The file is larger than ${deps.maxBytes} bytes.`);
    }
    // A client that stops sending mid-file is cut off; the upload then fails like an abort.
    req.setTimeout(deps.idleTimeoutMs, () => req.destroy());
    res.on('finish', () => req.setTimeout(0));
    let file: FileRecord;
    try {
      file = await receiveOne(req, (stream, info, voice) => {
        const type = baseType(info.mimeType);
        if (!isAllowedType(type)) throw new UnsupportedMediaTypeError(`Files of type ${type || 'unknown'} are not accepted.`);
        return deps.bridge.files.save({
          accountId: conversation.accountId,
          conversationId: conversation.id,
          name: info.filename ?? 'file',
          contentType: type,
          kind: kindOfContentType(type, voice),
          source: type.startsWith('image/') ? checkedImage(stream, type) : stream,
          maxBytes: deps.maxBytes,
          declaredBytes,
          origin: 'client',
        });
      });
    } catch (err) {
      // The rest of the body is not read: close the connection after the answer.
      res.setHeader('Connection', 'close');
      throw err;
    }
    res.status(201).json({ file_id: file.id, url: deps.bridge.files.url(file), name: file.name, size: file.size, content_type: file.contentType, type: file.kind });
  });

  router.use(mapBridgeErrors);
  return router;
}

type FileHandler = (stream: Readable, info: { filename: string | undefined; mimeType: string }, voice: boolean) => Promise<FileRecord>;

/**
 * Parses the multipart body; the first file part goes to `handle` (fields before it are read).
 * Settles as soon as that file is stored or refused; on refusal the rest of the body is discarded.
 */
function receiveOne(req: Request, handle: FileHandler): Promise<FileRecord> {
  return new Promise<FileRecord>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fields: 5, fieldSize: 1024, parts: 8 } });
    } catch {
      reject(new ValidationError('The multipart body is malformed.'));
      return;
    }
    let voice = false;
    let hasFile = false;
    let fileStream: Readable | undefined;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(bb);
      req.resume();
      // A file being written stops at once: the blob store then closes its handle and removes the partial file.
      // (Destroyed without an error: nobody else listens for one, and the reader sees a premature close.)
      fileStream?.destroy();
      bb.destroy();
      reject(err);
    };
    bb.on('field', (name, value) => {
      if (name === 'voice' || name === 'kind') voice = value === '1' || value === 'true' || value === 'voice';
    });
    bb.on('file', (_name, stream, info) => {
      if (hasFile) {
        stream.resume();
        return;
      }
      hasFile = true;
      fileStream = stream;
      let saving: Promise<FileRecord>;
      try {
        saving = handle(stream, { filename: formFileName(info.filename), mimeType: info.mimeType }, voice);
      } catch (err) {
        saving = Promise.reject(err);
      }
      saving.then(
        (file) => {
          settled = true;
          resolve(file);
        },
        (err: unknown) => {
          stream.resume();
          fail(err);
        },
      );
    });
    bb.on('error', () => fail(new ValidationError('The multipart body is malformed.')));
    bb.on('close', () => {
      if (!hasFile) fail(new ValidationError('file: no file in the request', 'file'));
    });
    // The client went away (closed the page, lost its network) or the socket timed out and was destroyed.
    req.on('close', () => {
      if (!req.complete) fail(new ValidationError('The upload was interrupted.'));
    });
    req.on('error', () => fail(new ValidationError('The upload was interrupted.')));
    req.pipe(bb);
  });
}

/** Browsers escape `"`, CR and LF in multipart file names as %22, %0D, %0A (WHATWG form-data). */
function formFileName(name: string | undefined): string | undefined {
  return name === undefined ? undefined : cleanName(name.replace(/%22/g, '"').replace(/%0D|%0A/gi, ' '));
}

/** Passes the bytes through, refusing an "image" whose first bytes are not that image format. */
async function* checkedImage(stream: Readable, type: string): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    if (first && !looksLikeImage(type, chunk)) throw new UnsupportedMediaTypeError(`The file is not a ${type} image.`);
    first = false;
    yield chunk;
  }
}
