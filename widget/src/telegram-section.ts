/**
 * The Telegram part of the settings page: whether the account's bot is attached (its public username,
 * from the status answer), a field where an admin pastes the bot token from @BotFather, and Disconnect.
 * The token lives only in the field and in the one request that sends it: the model forgets it as the
 * request leaves, and nothing the backend answers contains it.
 */
import $ from 'jquery';
import { BackendError, type TelegramInfo } from './api.js';
import type { Translate } from './i18n.js';
import { describeFailure, type Message, type MessageKey } from './messages.js';

export interface TelegramModel {
  phase: 'idle' | 'connecting' | 'disconnecting';
  /** Disconnect was pressed: the section asks first (people writing to the bot stop reaching the CRM). */
  confirmingDisconnect: boolean;
  /** What the admin has typed into the token field so far, kept across redraws until it is sent. */
  draft: string;
  error: Message | null;
}

export type TelegramAction = 'telegram_connect' | 'telegram_disconnect' | 'telegram_disconnect_confirmed' | 'telegram_cancel';

export const TELEGRAM_TOKEN_ATTR = 'data-awc-telegram-token';

export const initialTelegram = (): TelegramModel => ({ phase: 'idle', confirmingDisconnect: false, draft: '', error: null });

/**
 * `<bot id>:<secret>` (telegram.md §1). The secret's length is not documented [unconfirmed]: anything of
 * 20 or more URL-safe characters is sent, and Telegram itself (getMe, on the backend) has the last word.
 */
const TOKEN_SHAPE = /^[1-9][0-9]{0,19}:[A-Za-z0-9_-]{20,}$/;

/** Checks a pasted token before it is sent; null when it is worth asking Telegram. */
export function tokenProblem(token: string): Message | null {
  if (token === '') return { key: 'errors.telegram_token_missing' };
  if (!TOKEN_SHAPE.test(token)) return { key: 'errors.telegram_token_malformed' };
  return null;
}

/** The refusals of `POST`/`DELETE /widget/telegram` (product.md), then the widget API's common ones. */
export function describeTelegramFailure(error: unknown): Message {
  const e = error instanceof BackendError ? error : new BackendError(0, null, null);
  if (e.httpStatus === 400) return { key: e.code === 'telegram_token_invalid' ? 'errors.telegram_token_invalid' : 'errors.telegram_token_malformed' };
  // 409 means "this bot serves another account"; the install problems keep their own sentences.
  if (e.httpStatus === 409 && e.code !== 'not_installed' && e.code !== 'reauthorization_required') return { key: 'errors.telegram_bot_in_use' };
  // A backend without the Telegram platform has no such route.
  if (e.httpStatus === 404) return { key: 'errors.telegram_unavailable' };
  return describeFailure(e);
}

const BUTTON_LABEL: Record<TelegramAction, MessageKey> = {
  telegram_connect: 'buttons.telegram_connect',
  telegram_disconnect: 'buttons.telegram_disconnect',
  telegram_disconnect_confirmed: 'buttons.telegram_disconnect',
  telegram_cancel: 'buttons.cancel',
};

function button(action: TelegramAction, t: Translate, disabled: boolean): JQuery {
  return $('<button type="button"></button>')
    .addClass(`button-input awc-button awc-button--${action}`)
    .attr('data-awc-action', action)
    .prop('disabled', disabled)
    .text(t(BUTTON_LABEL[action]));
}

const line = (className: string, text: string): JQuery => $('<div></div>').addClass(className).text(text);

function tokenForm(model: TelegramModel, t: Translate, busy: boolean): JQuery {
  const id = 'awc-telegram-token';
  // A password field: the token is a full credential for the bot, not something to leave readable on screen.
  const input = $('<input type="password" autocomplete="off" spellcheck="false">')
    .attr({ id, [TELEGRAM_TOKEN_ATTR]: '', placeholder: '123456789:AA…' })
    .addClass('awc-telegram__token')
    .prop('disabled', busy)
    .val(model.draft);
  return $('<div class="awc-telegram__form"></div>').append(
    $('<label></label>').attr('for', id).addClass('awc-telegram__label').text(t('telegram.token_label')),
    $('<div class="awc-telegram__row"></div>').append(input, button('telegram_connect', t, busy)),
    line('awc-telegram__hint', t('telegram.token_hint')),
  );
}

export function renderTelegram(info: TelegramInfo, model: TelegramModel, opts: { isAdmin: boolean }, t: Translate): JQuery {
  const state = info.connected ? 'connected' : 'not_connected';
  const box = $('<div class="awc-telegram"></div>').attr('data-awc-telegram', state);
  box.append(line('awc-telegram__title', t('telegram.title')));
  box.append(
    line(`awc-state awc-state--${state}`, t(info.connected ? 'telegram.state_connected' : 'telegram.state_not_connected'))
      .attr('data-awc-telegram-state', state)
      .attr('role', 'status'),
  );
  const username = info.botUsername ?? '';
  if (info.connected && username) box.append(line('awc-detail', t('telegram.bot', { username })).attr('data-awc-telegram-bot', username));
  box.append(line('awc-hint', info.connected ? t('telegram.hint_connected', { username: username || '…' }) : t('telegram.hint_not_connected')));

  const busy = model.phase !== 'idle';
  if (busy) box.append(line('awc-busy', t(model.phase === 'connecting' ? 'busy.telegram_connecting' : 'busy.telegram_disconnecting')).attr('data-awc-busy', model.phase));
  if (model.error) box.append(line('awc-error', t(model.error.key, model.error.vars)).attr({ 'data-awc-error': model.error.key, role: 'alert' }));

  if (!opts.isAdmin) return box.append(line('awc-note', t('telegram.admins_only')).attr('data-awc-note', 'telegram'));
  if (!info.connected) return box.append(tokenForm(model, t, busy));
  if (!model.confirmingDisconnect) return box.append($('<div class="awc-actions"></div>').append(button('telegram_disconnect', t, busy)));
  // Asked in the page, not with a browser dialog (marketplace review refuses alert/confirm).
  return box.append(
    $('<div class="awc-confirm" role="alertdialog" data-awc-confirm="telegram"></div>').append(
      line('awc-confirm__text', t('telegram.disconnect_confirm')),
      $('<div class="awc-actions"></div>').append(button('telegram_disconnect_confirmed', t, busy), button('telegram_cancel', t, busy)),
    ),
  );
}
