/**
 * The "pipeline for new chats" part of the settings page: per channel, the pipeline whose unsorted
 * leads receive its new chats. Loaded on request (it asks amoCRM for the account's pipelines). The
 * page says plainly that a change applies to new chats only: amoCRM keeps each existing chat, and
 * its lead, where it already is.
 */
import $ from 'jquery';
import type { RoutedChannel, Routing } from './api.js';
import type { Translate } from './i18n.js';
import type { Message } from './messages.js';

export interface RoutingModel {
  phase: 'closed' | 'loading' | 'ready' | 'saving' | 'failed';
  data: Routing | null;
  /** The channel whose change was just saved, for the confirmation line. */
  saved: RoutedChannel | null;
  error: Message | null;
}

export const PIPELINE_SELECT_ATTR = 'data-awc-pipeline';

export const initialRouting = (): RoutingModel => ({ phase: 'closed', data: null, saved: null, error: null });

function channelRow(channel: RoutedChannel, routing: RoutingModel, canChange: boolean, t: Translate): JQuery {
  const id = `awc-pipeline-${channel}`;
  const chosen = routing.data?.chosen[channel] ?? null;
  const select = $('<select></select>')
    .attr({ id, [PIPELINE_SELECT_ATTR]: channel })
    .addClass('awc-routing__select')
    .prop('disabled', !canChange || routing.phase === 'saving');
  if (chosen === null) select.append($('<option value=""></option>').text(t('routing.default_pipeline')));
  for (const p of routing.data?.pipelines ?? []) select.append($('<option></option>').attr('value', String(p.id)).text(p.name));
  select.val(chosen === null ? '' : String(chosen));
  return $('<div class="awc-routing__row"></div>').append(
    $('<label></label>').attr('for', id).addClass('awc-routing__label').text(t(channel === 'webchat' ? 'routing.webchat' : 'routing.telegram')),
    select,
  );
}

export function renderRouting(routing: RoutingModel, opts: { isAdmin: boolean; telegramAvailable: boolean }, t: Translate): JQuery {
  const box = $('<div class="awc-routing" data-awc-routing></div>').attr('data-awc-routing', routing.phase);
  box.append($('<div class="awc-routing__title"></div>').text(t('routing.title')));
  box.append($('<div class="awc-routing__hint"></div>').text(t('routing.new_chats_only')));
  if (routing.phase === 'closed' || routing.phase === 'failed') {
    box.append(
      $('<button type="button"></button>').addClass('button-input awc-button awc-button--pipelines').attr('data-awc-action', 'pipelines').text(t('buttons.pipelines')),
    );
  }
  if (routing.phase === 'loading') box.append($('<div class="awc-busy"></div>').text(t('routing.loading')));
  if (routing.data && (routing.phase === 'ready' || routing.phase === 'saving')) {
    const channels: RoutedChannel[] = opts.telegramAvailable ? ['webchat', 'telegram'] : ['webchat'];
    for (const c of channels) box.append(channelRow(c, routing, opts.isAdmin, t));
  }
  if (routing.phase === 'saving') box.append($('<div class="awc-busy"></div>').text(t('routing.saving')));
  if (routing.saved && routing.phase === 'ready') box.append($('<div class="awc-routing__saved" data-awc-routing-saved></div>').text(t('routing.saved')));
  if (routing.error) box.append($('<div class="awc-error" role="alert"></div>').attr('data-awc-error', routing.error.key).text(t(routing.error.key, routing.error.vars)));
  return box;
}
