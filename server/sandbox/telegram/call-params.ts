/**
 * The parameters of one Bot API call, from wherever the client put them (telegram.md §1): the query
 * string, then a JSON, form-urlencoded or multipart/form-data body (later sources win). Query and form
 * values arrive as strings (objects JSON-encoded), JSON values typed; the method schemas accept both.
 * Multipart file parts are kept apart, by field name, for `InputFile` parameters.
 */
import busboy from 'busboy';
import type { Request, Response } from 'express';
import { rawBody } from '../../http/raw-body.js';
import { PayloadTooLargeError } from '../../errors.js';
import { TelegramApiError, badRequest } from './api-errors.js';

export interface Upload {
  fieldName: string;
  fileName?: string;
  mimeType: string;
  bytes: Buffer;
}

export interface CallParams {
  values: Record<string, unknown>;
  files: Map<string, Upload>;
}

/** JSON and form bodies carry no files: a megabyte is far above any valid call. */
const MAX_PLAIN_BODY_BYTES = 1024 * 1024;

const tooLarge = (): TelegramApiError => new TelegramApiError(413, 'Request Entity Too Large');

export async function readCallParams(req: Request, res: Response, maxUploadBytes: number): Promise<CallParams> {
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(req.query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') values[name] = first;
  }
  const type = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'multipart/form-data') return readMultipart(req, values, maxUploadBytes);
  if (type !== 'application/json' && type !== 'application/x-www-form-urlencoded') return { values, files: new Map() };

  const body = await readPlainBody(req, res);
  if (type === 'application/x-www-form-urlencoded') {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) values[name] = value;
  } else if (body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON"); // [unconfirmed wording]
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('the JSON body must be an object');
    Object.assign(values, parsed);
  }
  return { values, files: new Map() };
}

function readPlainBody(req: Request, res: Response): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    rawBody(MAX_PLAIN_BODY_BYTES)(req, res, (err?: unknown) => {
      if (err instanceof PayloadTooLargeError) reject(tooLarge());
      else if (err) reject(badRequest(err instanceof Error ? err.message : 'unreadable body'));
      else resolve(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    });
  });
}

function readMultipart(req: Request, values: Record<string, unknown>, maxUploadBytes: number): Promise<CallParams> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fileSize: maxUploadBytes, files: 10, fields: 100, fieldSize: MAX_PLAIN_BODY_BYTES } });
    } catch {
      reject(badRequest('the multipart body is malformed'));
      return;
    }
    const files = new Map<string, Upload>();
    let failure: TelegramApiError | undefined;
    const fail = (err: TelegramApiError) => {
      failure ??= err;
    };
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(tooLarge());
      values[name] = value;
    });
    bb.on('file', (fieldName, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        if (!failure) chunks.push(c);
      });
      stream.on('limit', () => fail(tooLarge()));
      stream.on('end', () => {
        if (failure) return;
        files.set(fieldName, { fieldName, ...(info.filename ? { fileName: info.filename } : {}), mimeType: info.mimeType, bytes: Buffer.concat(chunks) });
      });
    });
    bb.on('error', () => {
      req.unpipe(bb);
      req.resume();
      reject(badRequest('the multipart body is malformed'));
    });
    bb.on('close', () => (failure ? reject(failure) : resolve({ values, files })));
    req.on('aborted', () => reject(badRequest('the request was interrupted')));
    req.pipe(bb);
  });
}
