// @ts-check
/**
 * Rendering of the sandbox page's Telegram pane: one private chat between the emulated Telegram user and
 * the account's bot, from the Bot API emulator's records (server/sandbox/telegram/types.ts). Pure: data
 * in, elements out, actions as callbacks. Pictures and files come from the emulator's control API.
 */
import { h } from './inbox-view.js';

/** @typedef {Record<string, string>} Texts */
/**
 * @typedef {{ file_id: string, width?: number, height?: number, file_name?: string, mime_type?: string, duration?: number, emoji?: string }} FileRef
 * @typedef {{ text: string, callback_data?: string, url?: string }} KeyboardButton
 * @typedef {{ message_id: number, date: number, edit_date?: number, text?: string, caption?: string,
 *   photo?: FileRef[], document?: FileRef, voice?: FileRef, audio?: FileRef, video?: FileRef, video_note?: FileRef, sticker?: FileRef,
 *   location?: { latitude: number, longitude: number }, contact?: { phone_number: string, first_name: string, last_name?: string },
 *   reply_to_message?: TgMessage, reply_markup?: { inline_keyboard: KeyboardButton[][] } }} TgMessage
 * @typedef {{ type: string, emoji?: string }} TgReaction
 * @typedef {{ direction: 'to_bot' | 'from_bot', message: TgMessage, botReaction: TgReaction[], userReaction: TgReaction[] }} TgRecord
 * @typedef {{ onReply(m: TgMessage): void, onReact(m: TgMessage, emoji: string | null): void, onTogglePicker(id: number): void, onPress(m: TgMessage, b: KeyboardButton): void }} TgActions
 */

/** Reactions a Telegram user can pick here; all are on Telegram's list of allowed reaction emoji. */
export const TG_EMOJI = ['👍', '❤', '🔥', '😁', '🙏'];

/** @param {TgMessage} m @param {Texts} t */
export function summaryOf(m, t) {
  if (m.text) return m.text;
  if (m.caption) return m.caption;
  if (m.photo) return '[photo]';
  if (m.document) return `[${m.document.file_name ?? 'file'}]`;
  if (m.location) return `[${t.tgLocation}]`;
  if (m.contact) return `[${t.tgContact}]`;
  const kind = ['voice', 'audio', 'video', 'video_note', 'sticker'].find((k) => k in m);
  return kind ? `[${kind}]` : '';
}

/** @param {TgMessage} m @param {(fileId: string) => string} fileUrl @param {Texts} t */
function media(m, fileUrl, t) {
  const largest = m.photo?.at(-1);
  if (largest) return h('a', { href: fileUrl(largest.file_id), target: '_blank', rel: 'noopener' }, h('img', { src: fileUrl(largest.file_id), alt: '' }));
  if (m.sticker) return h('img', { class: 'sticker', src: fileUrl(m.sticker.file_id), alt: m.sticker.emoji ?? 'sticker' });
  if (m.voice || m.audio) return h('audio', { controls: true, src: fileUrl(/** @type {FileRef} */ (m.voice ?? m.audio).file_id) });
  if (m.video || m.video_note) return h('video', { controls: true, src: fileUrl(/** @type {FileRef} */ (m.video ?? m.video_note).file_id) });
  if (m.document) return h('a', { class: 'file', href: fileUrl(m.document.file_id), target: '_blank', rel: 'noopener' }, m.document.file_name ?? 'file');
  if (m.location) return h('p', { class: 'text' }, `${t.tgLocation}: ${m.location.latitude.toFixed(5)}, ${m.location.longitude.toFixed(5)}`);
  if (m.contact) return h('p', { class: 'text' }, `${t.tgContact}: ${[m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ')} ${m.contact.phone_number}`);
  return null;
}

/**
 * @param {TgRecord} r
 * @param {{ botName: string, pickerFor: number | undefined, fileUrl: (fileId: string) => string }} ctx
 * @param {Texts} t
 * @param {TgActions} actions
 */
export function renderTgMessage(r, ctx, t, actions) {
  const m = r.message;
  const isOwn = r.direction === 'to_bot';
  const body = m.text ?? m.caption;
  const keyboard = m.reply_markup?.inline_keyboard ?? [];
  const reactions = [...r.botReaction, ...r.userReaction].filter((x) => x.type === 'emoji' && x.emoji);
  const mine = r.userReaction.find((x) => x.type === 'emoji')?.emoji;
  return h(
    'li',
    { class: `msg ${isOwn ? 'out' : 'in'}`, 'data-testid': 'tg-message', 'data-direction': r.direction, 'data-message-id': String(m.message_id) },
    h(
      'div',
      { class: 'bubble' },
      h('small', { class: 'who' }, isOwn ? t.tgYou : ctx.botName),
      m.reply_to_message ? h('blockquote', { 'data-testid': 'tg-quote' }, summaryOf(m.reply_to_message, t)) : null,
      media(m, ctx.fileUrl, t),
      body ? h('p', { class: 'text' }, body) : null,
      h('small', { class: 'meta' }, m.edit_date ? `${t.edited} · ` : '', new Date(m.date * 1000).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })),
    ),
    keyboard.length > 0
      ? h(
          'div',
          { class: 'keyboard', 'data-testid': 'tg-keyboard' },
          ...keyboard.map((row) =>
            h('div', { class: 'keyboard-row' }, ...row.map((b) => h('button', { type: 'button', 'data-testid': 'tg-button', disabled: b.callback_data === undefined, onclick: () => actions.onPress(m, b) }, b.text))),
          ),
        )
      : null,
    reactions.length > 0 ? h('div', { class: 'reactions', 'data-testid': 'tg-reactions' }, ...reactions.map((x) => h('span', {}, x.emoji ?? ''))) : null,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', 'data-action': 'reply', onclick: () => actions.onReply(m) }, t.reply),
      isOwn ? null : h('button', { type: 'button', 'data-action': 'react', 'aria-expanded': String(ctx.pickerFor === m.message_id), onclick: () => actions.onTogglePicker(m.message_id) }, t.react),
    ),
    ctx.pickerFor === m.message_id
      ? h(
          'div',
          { class: 'picker', role: 'group', 'aria-label': t.react },
          ...TG_EMOJI.map((e) => h('button', { type: 'button', 'aria-pressed': String(e === mine), 'data-emoji': e, onclick: () => actions.onReact(m, e === mine ? null : e) }, e)),
        )
      : null,
  );
}
