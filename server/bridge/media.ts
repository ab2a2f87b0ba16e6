/**
 * Downloads a file a manager sent (the hook's `media` link on the amojo host, chats-api.md §5.6)
 * into our file store (at most `maxManagerFileBytes`). A link that answers 4xx, or that the fetcher
 * refuses (not http(s), not a public address), will not get better (permanent); no answer, 5xx and
 * 429 are retried by the job.
 */
import type { BridgeContext } from './context.js';
import { PermanentFailure } from './errors.js';
import { baseType, contentTypeOfName, safeFileName, type Files } from './files.js';
import type { ConversationId } from './ids.js';
import type { FileRecord, MessageKind } from './records.js';

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
  const res = await ctx.fetchMedia(url);
  if (res.status < 200 || res.status > 299) {
    res.body.destroy();
    const message = `the file link answered ${res.status}`;
    throw res.status >= 500 || res.status === 429 ? new RetryableDownloadError(message) : new PermanentFailure(message);
  }
  if (res.contentLength !== undefined && res.contentLength > ctx.limits.maxManagerFileBytes) {
    res.body.destroy();
    throw new PermanentFailure(`the file is larger than ${ctx.limits.maxManagerFileBytes} bytes`);
  }
  const name = safeFileName(input.fileName ?? decodeSegment(url.pathname.split('/').pop()), defaultName(input.kind));
  const headerType = baseType(res.contentType ?? '');
  const contentType = headerType && headerType !== 'application/octet-stream' ? headerType : (contentTypeOfName(name) ?? 'application/octet-stream');
  try {
    return await files.save({
      accountId: input.accountId,
      conversationId: input.conversationId,
      name,
      contentType,
      kind: input.kind,
      source: res.body,
      declaredBytes: res.contentLength,
      maxBytes: ctx.limits.maxManagerFileBytes,
      origin: 'manager',
    });
  } catch (err) {
    // Refused before or while reading (quota, size): the connection is not left open.
    res.body.destroy();
    throw err;
  }
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
