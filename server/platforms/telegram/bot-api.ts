/**
 * The Bot API through grammY's `Api` (webhook mode only: no polling is ever started), rooted at
 * TELEGRAM_API_BASE_URL. Failures are sorted here, once, into what the bridge understands: wait
 * (429 with `retry_after`, 5xx, no answer) or never (403 blocked, 400 refused, 401 bad token).
 * grammY's error texts name the method, never the token.
 */
import { Api, GrammyError, HttpError } from 'grammy';
import type { DeliveryResult } from '../../bridge/index.js';

export type BotApi = Api;

export function botApi(apiRoot: string, token: string): BotApi {
  return new Api(token, { apiRoot });
}

/** Where a bot's file is downloaded (the URL holds the token: never handed to anybody). */
export function fileDownloadUrl(apiRoot: string, token: string, filePath: string): string {
  return `${apiRoot}/file/bot${token}/${filePath.split('/').map(encodeURIComponent).join('/')}`;
}

/** True when Telegram refused the token itself (getMe on a pasted token). */
export function isTokenRefused(err: unknown): boolean {
  return err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404);
}

/** A failed send as a delivery outcome. */
export function failureOf(err: unknown): Extract<DeliveryResult, { outcome: 'retry' | 'failed' }> {
  if (err instanceof GrammyError) {
    const retryAfter = err.parameters.retry_after;
    if (err.error_code === 429) return { outcome: 'retry', reason: 'Telegram asked to slow down', afterMs: (retryAfter ?? 1) * 1000 };
    if (err.error_code >= 500) return { outcome: 'retry', reason: `Telegram answered ${err.error_code}` };
    if (err.error_code === 403) {
      const blocked = /blocked/i.test(err.description);
      return {
        outcome: 'failed',
        reason: blocked ? 'The Telegram user has blocked the bot: the message was not delivered.' : `Telegram refused the message: ${err.description}`,
      };
    }
    if (err.error_code === 401) return { outcome: 'failed', reason: 'The Telegram bot token is no longer valid: connect the bot again in the widget settings.' };
    return { outcome: 'failed', reason: `Telegram refused the message: ${err.description}` };
  }
  if (err instanceof HttpError) return { outcome: 'retry', reason: 'Telegram did not answer' };
  return { outcome: 'retry', reason: err instanceof Error ? err.message.slice(0, 200) : 'unknown error' };
}
