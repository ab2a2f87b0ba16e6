/**
 * What the admin set in amoCRM, applied to the mounted bubble: colour and side (applyLook), title, greeting,
 * working hours (out of hours the away message, and the contact form offered), and the consent
 * checkbox. Until the visitor has written once, a required contact field or an unticked consent
 * keeps the composer disabled.
 */
import { isOpenAt } from '../hours.js';
import type { Translate } from '../i18n.js';
import type { BubbleSettings } from '../model.js';
import { h } from './dom.js';
import type { LauncherView, PanelView } from './panel.js';
import type { ProfileForm } from './profile-form.js';

export interface SiteSetup {
  /** Shows the greeting or, out of hours, the away message (again at each opening). */
  refreshHours(): void;
  /** The visitor may not write yet: contact details or consent are missing. */
  blocksWriting(): boolean;
}

/**
 * The launcher's look (colour, side), drawn at load from the settings this browser kept from an earlier
 * visit (else the defaults) and again when the answer of this load arrives: one style element, replaced.
 */
export function applyLook(view: LauncherView, s: Pick<BubbleSettings, 'color' | 'position'>): void {
  view.root.parentNode?.querySelector('style[data-look]')?.remove();
  // Checked again here: the kept copy comes from localStorage, which the page's own scripts can write.
  if (s.color && /^#[0-9a-f]{6}$/i.test(s.color)) {
    // A #rrggbb the backend validated: it refuses colours under 4.5:1 with white text, so text on it stays readable.
    // As text on the dark panel the bubble keeps its own light accent.
    view.root.before(h('style', { 'data-look': '' }, `.awc{--accent:${s.color};--accent-text:${s.color}}@media (prefers-color-scheme:dark){.awc{--accent-text:#93c5fd}}`));
  }
  view.root.toggleAttribute('data-left', s.position === 'left');
}

export function setUpSite(
  view: PanelView,
  t: Translate,
  s: BubbleSettings,
  deps: { profile: ProfileForm; hasWritten(): boolean; consented: boolean; onConsent(): void; onGateChange(): void; now(): number },
): SiteSetup {
  if (s.title) view.panel.querySelector('h2')!.textContent = s.title;

  let consented = deps.consented;
  if (s.consentUrl && !consented) {
    const box = h('input', { type: 'checkbox' });
    box.addEventListener('change', () => {
      consented = box.checked;
      if (consented) deps.onConsent();
      deps.onGateChange();
    });
    // The link opens in a new tab: leaving the page would lose what the visitor is typing.
    const link = h('a', { href: s.consentUrl, target: '_blank', rel: 'noopener noreferrer' }, t('consentLink'));
    view.composerSlot.before(h('label', { class: 'consent' }, box, h('span', {}, t('consentText'), ' ', link)));
  }

  function refreshHours(): void {
    const open = isOpenAt(s.hours, deps.now());
    view.greeting.textContent = open ? (s.greeting ?? t('greeting')) : (s.awayMessage ?? t('away'));
    // "We usually reply within minutes" would contradict the away message.
    view.panel.querySelector<HTMLElement>('#awc-subtitle')!.hidden = !open;
    if (open) view.greeting.removeAttribute('data-away');
    else {
      view.greeting.setAttribute('data-away', '');
      deps.profile.open();
    }
  }
  refreshHours();

  return {
    refreshHours,
    blocksWriting: () => !deps.hasWritten() && ((!!s.consentUrl && !consented) || deps.profile.isMissing()),
  };
}
