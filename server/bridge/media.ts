/**
 * Downloads a file a manager sent (the hook's `media` link on the amojo host, chats-api.md §5.6)
 * into our file store. A link that answers 4xx will not get better (permanent); no answer, 5xx
 * and 429 are retried by the job.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { BridgeContext } from './context.js';
import { PermanentFailure } from './errors.js';
import { baseType, contentTypeOfName, safeFileName, type Files } from './files.js';
import type { ConversationId } from './ids.js';
import type { FileRecord, MessageKind } from './records.js';

/** Exported for the shutdown deadline, which must outlast the longest job. */
export const DOWNLOAD_TIMEOUT_MS = 60_000;

export interface ManagerFileInput {
  url: string;
  fileName: string | undefined;
  kind: MessageKind;
  accountId: number;
  conversationId: ConversationId;
}

class RetryableDownloadError extends Error {
  readonly retryable = true;
}

export async function downloadManagerFile(ctx: BridgeContext, files: Files, input: ManagerFileInput): Promise<FileRecord> {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new PermanentFailure('the file link is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PermanentFailure('the file link is not http(s)');
  const res = await ctx.fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'follow' });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    const message = `the file link answered ${res.status}`;
    throw res.status >= 500 || res.status === 429 ? new RetryableDownloadError(message) : new PermanentFailure(message);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > ctx.limits.maxManagerFileBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new PermanentFailure(`the file is larger than ${ctx.limits.maxManagerFileBytes} bytes`);
  }
  if (!res.body) throw new PermanentFailure('the file link answered without a body');
  const name = safeFileName(input.fileName ?? decodeSegment(url.pathname.split('/').pop()), defaultName(input.kind));
  const headerType = baseType(res.headers.get('content-type') ?? '');
  const contentType = headerType && headerType !== 'application/octet-stream' ? headerType : (contentTypeOfName(name) ?? 'application/octet-stream');
  return files.save({
    accountId: input.accountId,
    conversationId: input.conversationId,
    name,
    contentType,
    kind: input.kind,
    source: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
    maxBytes: ctx.limits.maxManagerFileBytes,
    origin: 'manager',
  });
}

function decodeSegment(s: string | undefined): string | undefined {
  if (!s) return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function defaultName(kind: MessageKind): string {
  switch (kind) {
    case 'picture':
    case 'sticker':
      return 'picture';
    case 'voice':
      return 'voice';
    case 'video':
      return 'video';
    default:
      return 'file';
  }
}
