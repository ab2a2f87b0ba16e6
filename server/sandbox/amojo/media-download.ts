/**
 * amoCRM downloads the `media` of every imported message shortly after accepting it (chats-api.md §4.4,
 * §5.6), so a link that is not publicly downloadable fails there. With `downloadMedia` on, the emulator
 * does the same and records the outcome on the message, where tests and the sandbox page can see it.
 */
import type { MessageRecord } from './types.js';

const DOWNLOAD_TIMEOUT_MS = 10_000;

/** Downloads in the background; never throws. `message` is the live record, updated when done. */
export function downloadMessageMedia(message: MessageRecord): Promise<void> {
  const url = message.content.media;
  if (url === undefined) return Promise.resolve();
  message.mediaDownload = { url };
  return fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) })
    .then(async (res) => {
      const bytes = (await res.arrayBuffer()).byteLength;
      message.mediaDownload = { url, status: res.status, bytes };
    })
    .catch((err: unknown) => {
      message.mediaDownload = { url, error: err instanceof Error ? err.message : String(err) };
    });
}
