/**
 * The bubble's skeleton inside the shadow root: the launcher button with its unread badge and the chat
 * panel (a non-modal dialog: the page stays usable) with header, notices, the optional contact form, the
 * message list, the typing line, the composer slot and a polite live region for announcements.
 */
import type { Translate } from '../i18n.js';
import { h, icon, ICONS } from './dom.js';
import { STYLES } from './styles.js';

/** What the page gets at load: the launcher with its badge, and the root the panel goes into later. */
export interface LauncherView {
  root: HTMLElement;
  launcher: HTMLButtonElement;
  badge: HTMLElement;
}

export interface PanelView extends LauncherView {
  panel: HTMLElement;
  closeButton: HTMLButtonElement;
  notice: HTMLElement;
  profileSlot: HTMLElement;
  list: HTMLOListElement;
  greeting: HTMLLIElement;
  typing: HTMLElement;
  composerSlot: HTMLElement;
  drop: HTMLElement;
  live: HTMLElement;
}

export function buildLauncher(shadow: ShadowRoot, t: Translate, lang: string): LauncherView {
  const style = document.createElement('style');
  style.textContent = STYLES;
  const badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: true });
  const launcher = h('button', { type: 'button', class: 'launcher', 'aria-label': t('open'), 'aria-expanded': 'false', 'aria-controls': 'awc-panel' }, icon(ICONS.chat), badge);
  const root = h('div', { class: 'awc', lang }, launcher);
  shadow.append(style, root);
  return { root, launcher, badge };
}

/** The chat panel, built at the first opening (nothing of it costs the page anything before). */
export function buildPanel(l: LauncherView, t: Translate): PanelView {
  const closeButton = h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('close'), title: t('close') }, icon(ICONS.close));
  const notice = h('div', { class: 'notice', role: 'status', hidden: true });
  const profileSlot = h('div', {});
  const greeting = h('li', { class: 'greeting' }, t('greeting'));
  // Not a live region itself: re-rendering a message (a tick, a reaction) must not be read out again.
  const list = h('ol', { class: 'messages', 'aria-label': t('messages'), tabindex: '0' }, greeting);
  const typing = h('div', { class: 'typing', role: 'status' });
  const composerSlot = h('div', { class: 'composer' });
  const drop = h('div', { class: 'drop', hidden: true, 'aria-hidden': 'true' }, t('dropHere'));
  const live = h('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'false' });
  const panel = h(
    'section',
    { id: 'awc-panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'awc-title', 'aria-describedby': 'awc-subtitle', hidden: true },
    h('header', {}, h('div', { class: 'titles' }, h('h2', { id: 'awc-title' }, t('title')), h('p', { id: 'awc-subtitle' }, t('subtitle'))), closeButton),
    notice,
    profileSlot,
    list,
    typing,
    composerSlot,
    drop,
    live,
  );
  l.root.append(panel);
  return { ...l, panel, closeButton, notice, profileSlot, list, greeting, typing, composerSlot, drop, live };
}

/** Shows the unread count on the launcher, and says it (and what the launcher does) in its name. */
export function setUnread(view: LauncherView, t: Translate, count: number, isOpen: boolean): void {
  view.badge.hidden = count === 0;
  view.badge.textContent = count > 99 ? '99+' : String(count);
  const action = t(isOpen ? 'close' : 'open');
  view.launcher.setAttribute('aria-label', count > 0 ? `${action}. ${t('unread', { n: count })}` : action);
}

/** Queues a sentence for screen readers without moving focus. */
export function announce(view: PanelView, text: string): void {
  const line = h('p', {}, text);
  view.live.append(line);
  // Keep the region short; old lines have been read by now.
  while (view.live.childElementCount > 5) view.live.firstElementChild?.remove();
}
