/**
 * The contact form (name, phone, email), as the admin set it up in amoCRM: each field off, optional
 * or required. With no required field it folds away and never stands between the visitor and the
 * text box. With a required one it is a pre-chat form: open, and the visitor writes once it is saved.
 */
import type { Translate } from '../i18n.js';
import type { PrechatMode, Profile } from '../model.js';
import { h } from './dom.js';

export type PrechatModes = Record<keyof Profile, PrechatMode>;

export interface ProfileForm {
  /** Open the form (out of hours the bubble offers to leave a contact). */
  open(): void;
  /** A required field is still missing from what the visitor saved. */
  isMissing(): boolean;
  /** Details known otherwise (the site's `AmoChat.setVisitor`): shown in the fields; with none required missing, the form folds away. */
  fill(profile: Profile): void;
}

const ALL_OPTIONAL: PrechatModes = { name: 'optional', phone: 'optional', email: 'optional' };

export function buildProfileForm(slot: HTMLElement, t: Translate, initial: Profile | undefined, onSave: (profile: Profile) => void, modes: PrechatModes = ALL_OPTIONAL): ProfileForm {
  let saved = initial ?? {};
  const field = (name: keyof Profile, type: string, autocomplete: string, extra: Record<string, string> = {}): HTMLLabelElement | null =>
    modes[name] === 'off'
      ? null
      : h('label', {}, t(name), h('input', { name, type, autocomplete, value: saved[name] ?? '', maxlength: 100, required: modes[name] === 'required', ...extra }));
  const isMissing = (): boolean => (Object.keys(modes) as (keyof Profile)[]).some((k) => modes[k] === 'required' && !saved[k]);
  // The backend's rule for phones; the browser says what is wrong before anything is sent.
  const fields = [field('name', 'text', 'name'), field('phone', 'tel', 'tel', { pattern: '\\+?[0-9 \\(\\)\\-]{5,32}', inputmode: 'tel' }), field('email', 'email', 'email', { maxlength: '254' })];
  // Outside the folding part: the form folds away on save, and the thanks must stay in sight.
  const done = h('p', { role: 'status', class: 'done' });
  const intro = h('span', {}, t(isMissing() ? 'prechatIntro' : 'profileIntro'));
  const form = h('form', {}, intro, ...fields, h('button', { type: 'submit', class: 'btn' }, t('save')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    const value = (name: keyof Profile): string => (form.elements.namedItem(name) as HTMLInputElement | null)?.value.trim() ?? '';
    saved = { name: value('name'), phone: value('phone'), email: value('email') };
    onSave(saved);
    done.textContent = t('profileSaved');
    details.open = false;
  });
  const details = h('details', { class: 'profile', open: isMissing() }, h('summary', {}, t('profileToggle')), form);
  if (fields.some((f) => f)) slot.replaceChildren(details, done);
  return {
    open: () => void (details.open = true),
    isMissing,
    fill(profile) {
      saved = { ...saved, ...profile };
      for (const name of Object.keys(modes) as (keyof Profile)[]) {
        const input = form.elements.namedItem(name) as HTMLInputElement | null;
        if (input && profile[name]) input.value = profile[name];
      }
      if (isMissing()) return;
      intro.textContent = t('profileIntro');
      details.open = false;
    },
  };
}
