/**
 * Draws the settings panel from a plain model. Re-drawn whole on every change: the panel is small, and
 * a pure model → DOM step keeps the states easy to test. All text goes in with `.text()`, never as HTML,
 * so nothing the backend sends can inject markup into the CRM page.
 */
import $ from 'jquery';
import type { ConnectionState, ConnectionStatus } from './api.js';
import type { Translate } from './i18n.js';
import type { Message, MessageKey } from './messages.js';
import { renderRouting, type RoutingModel } from './pipeline-picker.js';
import { renderTelegram, type TelegramAction, type TelegramModel } from './telegram-section.js';

export type PanelPhase = 'install_first' | 'loading' | 'load_failed' | 'ready' | 'connecting' | 'disconnecting' | 'rotating';
export type PanelAction = 'connect' | 'reconnect' | 'disconnect' | 'copy' | 'retry' | 'rotate' | 'rotate_confirmed' | 'cancel' | 'pipelines' | TelegramAction;
type WebchatAction = Exclude<PanelAction, TelegramAction>;

export interface PanelModel {
  phase: PanelPhase;
  /** Last status the backend reported; kept while an action runs or after it fails. */
  status: ConnectionStatus | null;
  isAdmin: boolean;
  /** The latest failure, shown as a sentence until the next action. */
  error: Message | null;
  copy: 'idle' | 'copied' | 'failed';
  /** "New code" was pressed: the panel asks before the old code stops working. */
  confirmingRotate: boolean;
  routing: RoutingModel;
  telegram: TelegramModel;
}

const ACTIONS_BY_STATE: Record<ConnectionState, WebchatAction[]> = {
  connected: ['reconnect', 'disconnect'],
  not_connected: ['connect'],
  disconnected: ['reconnect'],
  error: ['reconnect', 'disconnect'],
};

const HINT_BY_STATE: Record<Exclude<ConnectionState, 'error'>, MessageKey> = {
  connected: 'hint.connected',
  not_connected: 'hint.not_connected',
  disconnected: 'hint.disconnected',
};

const BUTTON_LABEL: Record<WebchatAction, MessageKey> = {
  connect: 'buttons.connect',
  reconnect: 'buttons.reconnect',
  disconnect: 'buttons.disconnect',
  copy: 'buttons.copy',
  retry: 'buttons.retry',
  rotate: 'buttons.rotate',
  rotate_confirmed: 'buttons.rotate',
  cancel: 'buttons.cancel',
  pipelines: 'buttons.pipelines',
};

type BusyPhase = 'connecting' | 'disconnecting' | 'rotating';

function isBusy(model: PanelModel): boolean {
  return model.phase === 'connecting' || model.phase === 'disconnecting' || model.phase === 'rotating';
}

function line(className: string, text: string): JQuery {
  return $('<div></div>').addClass(className).text(text);
}

function button(action: WebchatAction, t: Translate, disabled: boolean): JQuery {
  return $('<button type="button"></button>')
    .addClass(`button-input awc-button awc-button--${action}`)
    .attr('data-awc-action', action)
    .prop('disabled', disabled)
    .text(t(BUTTON_LABEL[action]));
}

function actionsFor(model: PanelModel): WebchatAction[] {
  if (model.phase === 'load_failed') return ['retry'];
  if (!model.isAdmin || !model.status) return [];
  const actions = ACTIONS_BY_STATE[model.status.state];
  // Disconnect only makes sense when there is a channel to take down.
  if (model.status.state === 'error' && !model.status.connected && !model.status.scopeId) {
    return actions.filter((a) => a !== 'disconnect');
  }
  return actions;
}

function stateBlock(status: ConnectionStatus, t: Translate): JQuery[] {
  const badge = line(`awc-state awc-state--${status.state}`, t(`state.${status.state}`))
    .attr('data-awc-state', status.state)
    .attr('role', 'status');
  const parts = [badge];
  if (status.connected && status.title) parts.push(line('awc-detail', t('panel.channel', { title: status.title })));
  const hint = status.state === 'error' ? (status.reason ?? t('hint.error_no_reason')) : t(HINT_BY_STATE[status.state]);
  parts.push(line('awc-hint', hint).attr('data-awc-hint', ''));
  return parts;
}

function snippetBlock(snippet: string, model: PanelModel, t: Translate): JQuery {
  const box = $('<div class="awc-snippet"></div>');
  const id = 'awc-snippet-code';
  box.append($('<label></label>').attr('for', id).addClass('awc-snippet__label').text(t('panel.snippet_label')));
  box.append(
    $('<textarea readonly rows="4" spellcheck="false"></textarea>')
      .attr({ id, 'data-awc-snippet': '' })
      .addClass('awc-snippet__code')
      .val(snippet),
  );
  const row = $('<div class="awc-snippet__row"></div>').append(button('copy', t, false));
  // A new code is for admins only (e.g. the snippet ended up on a site it should not be on).
  if (model.isAdmin && !model.confirmingRotate) row.append(button('rotate', t, isBusy(model)));
  if (model.copy === 'copied') row.append(line('awc-copy-result', t('panel.copied')).attr('data-awc-copy', 'copied'));
  if (model.copy === 'failed') row.append(line('awc-copy-result', t('panel.copy_failed')).attr('data-awc-copy', 'failed'));
  box.append(row);
  // Asked in the page, not with a browser dialog (marketplace review refuses alert/confirm).
  if (model.isAdmin && model.confirmingRotate) {
    box.append(
      $('<div class="awc-confirm" role="alertdialog" data-awc-confirm></div>').append(
        line('awc-confirm__text', t('panel.rotate_confirm')),
        $('<div class="awc-actions"></div>').append(button('rotate_confirmed', t, false), button('cancel', t, false)),
      ),
    );
  }
  box.append(line('awc-snippet__hint', t('panel.snippet_hint')));
  return box;
}

/** Builds the panel's content (the caller owns the root element). */
export function renderPanel(model: PanelModel, t: Translate): JQuery[] {
  const out: JQuery[] = [line('awc-title', t('panel.title'))];

  if (model.phase === 'install_first') {
    out.push(line('awc-hint', t('panel.install_first')).attr('data-awc-state', 'install_first'));
    return out;
  }
  if (model.phase === 'loading') {
    out.push(line('awc-state awc-state--loading', t('panel.loading')).attr('data-awc-state', 'loading'));
  }
  if (model.status) out.push(...stateBlock(model.status, t));
  if (isBusy(model)) {
    out.push(line('awc-busy', t(`busy.${model.phase as BusyPhase}`)).attr('data-awc-busy', model.phase));
  }
  if (model.error) {
    out.push(line('awc-error', t(model.error.key, model.error.vars)).attr({ 'data-awc-error': model.error.key, role: 'alert' }));
  }

  const busy = isBusy(model);
  const actions = actionsFor(model);
  if (actions.length > 0) {
    out.push($('<div class="awc-actions"></div>').append(actions.map((a) => button(a, t, busy))));
  }
  if (model.status && !model.isAdmin) out.push(line('awc-note', t('panel.admins_only')).attr('data-awc-note', ''));
  if (model.status?.connected && model.status.webchat) {
    out.push(snippetBlock(model.status.webchat.snippet, model, t));
  }
  if (model.status?.telegram) out.push(renderTelegram(model.status.telegram, model.telegram, { isAdmin: model.isAdmin }, t));
  if (model.status?.connected || model.status?.telegram?.connected) {
    out.push(renderRouting(model.routing, { isAdmin: model.isAdmin, telegramAvailable: model.status.telegram !== null }, t));
  }
  return out;
}
