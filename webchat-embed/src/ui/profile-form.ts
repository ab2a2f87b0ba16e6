/**
 * The optional contact form (name, phone, email). It folds away and never stands between the visitor and
 * the text box: writing works whether or not it is ever filled in.
 */
import type { Translate } from '../i18n.js';
import type { Profile } from '../model.js';
import { h } from './dom.js';

export function buildProfileForm(slot: HTMLElement, t: Translate, initial: Profile | undefined, onSave: (profile: Profile) => void): void {
  const field = (name: keyof Profile, type: string, autocomplete: string, extra: Record<string, string> = {}): HTMLInputElement =>
    h('input', { name, type, autocomplete, value: initial?.[name] ?? '', maxlength: 100, ...extra });
  const name = field('name', 'text', 'name');
  // The backend's rule for phones; the browser says what is wrong before anything is sent.
  const phone = field('phone', 'tel', 'tel', { pattern: '\\+?[0-9 \\(\\)\\-]{5,32}', inputmode: 'tel' });
  const email = field('email', 'email', 'email', { maxlength: '254' });
  // Outside the folding part: the form folds away on save, and the thanks must stay in sight.
  const done = h('p', { role: 'status', class: 'done' });
  const form = h(
    'form',
    {},
    h('span', {}, t('profileIntro')),
    h('label', {}, t('name'), name),
    h('label', {}, t('phone'), phone),
    h('label', {}, t('email'), email),
    h('button', { type: 'submit', class: 'btn' }, t('save')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    onSave({ name: name.value.trim(), phone: phone.value.trim(), email: email.value.trim() });
    done.textContent = t('profileSaved');
    details.open = false;
  });
  const details = h('details', { class: 'profile' }, h('summary', {}, t('profileToggle')), form);
  slot.replaceChildren(details, done);
}
