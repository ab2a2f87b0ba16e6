/**
 * Sends webhooks as amojo does (chats-api.md §3): one POST to the channel's URL with `:scope_id`
 * replaced, `X-Signature` = hex HMAC-SHA1(channel secret, the exact body bytes), sent once, never
 * retried, given up after 5 seconds.
 */
import { AMOJO_CONTENT_TYPE, signWebhookBody } from '../../amojo/signing.js';
import { postExactBytes } from '../emulator-http.js';
import type { EmulatorState } from './emulator-state.js';
import type { HookOutcome, WebhookKind, WebhookPoster } from './types.js';

/** amoCRM waits at most 5 s for the answer (§3.3). */
export const WEBHOOK_TIMEOUT_MS = 5000;

export const fetchWebhookPoster: WebhookPoster = (url, body, headers) => postExactBytes(url, body, headers, WEBHOOK_TIMEOUT_MS);

export interface WebhookTarget {
  scopeId: string;
  secret: string;
  /** The channel's URL template, with the literal `:scope_id` marker. */
  webhookUrl: string | undefined;
}

export async function deliverWebhook(
  deps: { state: EmulatorState; now: () => number; postWebhook: WebhookPoster },
  target: WebhookTarget,
  kind: WebhookKind,
  payload: unknown,
): Promise<HookOutcome> {
  const logged = { kind, scopeId: target.scopeId, body: payload, at: deps.now() };
  if (!target.webhookUrl) {
    deps.state.logWebhook({ ...logged, error: 'the channel has no webhook URL' });
    return { hookStatus: null, hookError: 'the channel has no webhook URL' };
  }
  const url = target.webhookUrl.split(':scope_id').join(target.scopeId);
  // Serialized once: the signed bytes are the sent bytes.
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const headers = { 'Content-Type': AMOJO_CONTENT_TYPE, 'X-Signature': signWebhookBody(target.secret, body) };
  try {
    const status = await deps.postWebhook(url, body, headers);
    deps.state.logWebhook({ ...logged, url, status });
    return { hookStatus: status };
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    deps.state.logWebhook({ ...logged, url, error });
    return { hookStatus: null, hookError: error };
  }
}
