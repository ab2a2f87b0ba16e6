/**
 * Every i18n key the script reads at runtime. The locale files (widget/i18n/*.json) must define each one;
 * a test checks that, and the build checks that every locale has the same keys.
 */
import type { BackendError } from './api.js';

export const MESSAGE_KEYS = [
  'panel.title',
  'panel.loading',
  'panel.install_first',
  'panel.admins_only',
  'panel.channel',
  'panel.snippet_label',
  'panel.snippet_hint',
  'panel.copied',
  'panel.copy_failed',
  'state.connected',
  'state.not_connected',
  'state.disconnected',
  'state.error',
  'hint.connected',
  'hint.not_connected',
  'hint.disconnected',
  'hint.error_no_reason',
  'buttons.connect',
  'buttons.reconnect',
  'buttons.disconnect',
  'buttons.copy',
  'buttons.retry',
  'buttons.rotate',
  'panel.rotate_confirm',
  'busy.rotating',
  'busy.connecting',
  'busy.disconnecting',
  'errors.unreachable',
  'errors.session_expired',
  'errors.not_admin',
  'errors.account_mismatch',
  'errors.not_installed',
  'errors.reinstall_required',
  'errors.amojo_id_in_use',
  'errors.channel_not_approved',
  'errors.upstream',
  'errors.rate_limited',
  'errors.bad_response',
  'errors.no_amojo_id',
  'errors.generic',
  'errors.generic_no_message',
  'routing.title',
  'routing.new_chats_only',
  'routing.webchat',
  'routing.telegram',
  'routing.default_pipeline',
  'routing.loading',
  'routing.saving',
  'routing.saved',
  'buttons.pipelines',
  'buttons.cancel',
  'buttons.bubble',
  'buttons.save',
  'buttons.rotate_secret',
  'buttons.erase',
  'buttons.confirm',
  'bubble.title',
  'bubble.loading',
  'bubble.color',
  'bubble.color_hint',
  'bubble.position',
  'bubble.position_right',
  'bubble.position_left',
  'bubble.title_field',
  'bubble.default_text_hint',
  'bubble.greeting',
  'bubble.away_message',
  'bubble.language',
  'bubble.language_auto',
  'bubble.prechat',
  'bubble.field_name',
  'bubble.field_phone',
  'bubble.field_email',
  'bubble.mode_off',
  'bubble.mode_optional',
  'bubble.mode_required',
  'bubble.hours',
  'bubble.hours_hint',
  'bubble.hours_on',
  'bubble.timezone',
  'bubble.from',
  'bubble.to',
  'bubble.add_range',
  'bubble.remove_range',
  'bubble.range_incomplete',
  'bubble.range_order',
  'bubble.range_overlap',
  'bubble.privacy',
  'bubble.consent',
  'bubble.consent_url',
  'bubble.store_before_open',
  'bubble.store_before_open_hint',
  'bubble.saving',
  'bubble.saved',
  'days.mon',
  'days.tue',
  'days.wed',
  'days.thu',
  'days.fri',
  'days.sat',
  'days.sun',
  'identity.title',
  'identity.label',
  'identity.hint',
  'identity.rotate_confirm',
  'identity.rotated',
  'erase.title',
  'erase.hint',
  'erase.by',
  'erase.by_email',
  'erase.by_phone',
  'erase.by_user_id',
  'erase.value',
  'erase.empty',
  'erase.busy',
  'erase.confirm',
  'erase.done',
  'erase.none',
  'telegram.title',
  'telegram.state_connected',
  'telegram.state_not_connected',
  'telegram.bot',
  'telegram.hint_connected',
  'telegram.hint_not_connected',
  'telegram.token_label',
  'telegram.token_hint',
  'telegram.admins_only',
  'telegram.disconnect_confirm',
  'buttons.telegram_connect',
  'buttons.telegram_disconnect',
  'busy.telegram_connecting',
  'busy.telegram_disconnecting',
  'errors.telegram_token_missing',
  'errors.telegram_token_malformed',
  'errors.telegram_token_invalid',
  'errors.telegram_bot_in_use',
  'errors.telegram_unavailable',
] as const;

export type MessageKey = (typeof MESSAGE_KEYS)[number];

/** A sentence to show: an i18n key plus the values for its `{placeholders}`. */
export interface Message {
  key: MessageKey;
  vars?: Record<string, string>;
}

/**
 * Turns a failed backend call into a sentence a non-technical admin can act on
 * (error codes as the backend documents them; anything unknown keeps the server's own sentence).
 */
export function describeFailure(error: BackendError): Message {
  const { httpStatus, code, serverMessage } = error;
  if (httpStatus === 0) return { key: 'errors.unreachable' };
  if (httpStatus >= 200 && httpStatus < 300) return { key: 'errors.bad_response' };
  if (httpStatus === 401) return { key: 'errors.session_expired' };
  if (httpStatus === 403 && (code === null || code === 'forbidden' || code === 'not_admin')) return { key: 'errors.not_admin' };
  if (httpStatus === 409 && code === 'amojo_id_mismatch') return { key: 'errors.account_mismatch' };
  // 412 from this version on; 409 from older backends.
  if (code === 'not_installed') return { key: 'errors.not_installed' };
  if (code === 'reauthorization_required') return { key: 'errors.reinstall_required' };
  if (httpStatus === 409 && code === 'amojo_id_in_use') return { key: 'errors.amojo_id_in_use' };
  if (code === 'channel_not_approved') return { key: 'errors.channel_not_approved' };
  if (code === 'upstream_error') return { key: 'errors.upstream' };
  if (httpStatus === 429) return { key: 'errors.rate_limited' };
  // A gateway in front of the backend answers these without our JSON body when the backend is down.
  if (code === null && (httpStatus === 502 || httpStatus === 503 || httpStatus === 504)) {
    return { key: 'errors.unreachable' };
  }
  if (serverMessage) return { key: 'errors.generic', vars: { message: serverMessage } };
  return { key: 'errors.generic_no_message', vars: { status: String(httpStatus) } };
}
