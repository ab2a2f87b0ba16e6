/**
 * One message as a list item: author, quote, attachment, text, time, delivery ticks, reactions, actions and
 * quick-reply buttons. Pure rendering: every interaction is a callback, so the controller owns all state.
 */
import type { Translate } from '../i18n.js';
import type { Author, ChatMessage, DeliveryState, QuotedMessage } from '../model.js';
import { formatSize, h, icon, ICONS } from './dom.js';

export const REACTION_EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

export interface MessageViewContext {
  t: Translate;
  formatTime(ms: number): string;
  /** Text of a quoted message when the quote itself carries none. */
  quotedText(quote: QuotedMessage): { text: string; author?: Author | undefined };
  /** The key of the message whose reaction picker is open. */
  pickerFor: string | undefined;
  /** The backend's file limit, stated when a file is refused for its size. */
  maxFileBytes: number;
  onReply(key: string): void;
  onEdit(key: string): void;
  onTogglePicker(key: string): void;
  onReact(key: string, emoji: string | null): void;
  onQuickReply(text: string): void;
  onRetry(key: string): void;
  onJumpTo(msgid: string): void;
}

const TICKS: Record<DeliveryState, string> = { pending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

/** `isAnswered`: the visitor wrote after this message, so its quick replies are spent. */
export function renderMessage(key: string, m: ChatMessage, ctx: MessageViewContext, isAnswered = false): HTMLLIElement {
  const { t } = ctx;
  const isOwn = m.author === 'visitor';
  const authorLabel = authorName(m.author, m.authorName, t);
  const bubble = h(
    'div',
    { class: 'bubble' },
    isOwn ? h('span', { class: 'sr-only' }, `${authorLabel}: `) : h('span', { class: 'author' }, authorLabel),
    m.replyTo ? renderQuote(m.replyTo, ctx) : null,
    renderAttachment(m, t),
    m.text ? h('p', { class: 'text' }, m.text) : null,
    h(
      'div',
      { class: 'meta' },
      m.editedAt ? h('span', { class: 'edited' }, t('edited')) : null,
      h('time', { datetime: new Date(m.createdAt).toISOString() }, ctx.formatTime(m.createdAt)),
      isOwn && m.state ? h('span', { class: 'ticks', role: 'img', 'data-state': m.state, 'aria-label': t(m.state), title: t(m.state) }, TICKS[m.state]) : null,
    ),
  );
  const li = h('li', { class: `msg${isOwn ? ' own' : ''}${m.state === 'failed' ? ' failed' : ''}`, 'data-key': key, 'data-msgid': m.msgid, 'data-author': m.author, 'data-kind': m.kind }, bubble);
  if (m.state === 'failed') {
    // Only an outage can end differently next time; a size, type or revoked-code refusal would repeat.
    const retry = !m.msgid && m.error === 'sendInterrupted' ? h('button', { type: 'button', onclick: () => ctx.onRetry(key) }, t('retry')) : null;
    const reason = t(m.error ?? 'sendFailed', { size: formatSize(m.attachment?.size), limit: formatSize(ctx.maxFileBytes) });
    li.append(h('p', { class: 'error', role: 'alert' }, `${t('failed')}. ${reason}`, retry));
  }
  if (m.reactions.length > 0) li.append(renderReactions(key, m, ctx));
  if (m.msgid) li.append(renderActions(key, m, ctx));
  if (ctx.pickerFor === key) li.append(renderPicker(key, m, ctx));
  if (!isOwn && m.buttons) li.append(renderQuickReplies(m, ctx, isAnswered));
  return li;
}

export function authorName(author: Author, name: string | undefined, t: Translate): string {
  if (author === 'visitor') return t('you');
  return name || t(author === 'bot' ? 'bot' : 'manager');
}

/** A short description of a message for quotes and announcements. */
export function summary(m: { kind?: string | undefined; text: string }, t: Translate): string {
  if (m.text) return m.text;
  if (m.kind === 'picture' || m.kind === 'sticker') return t('picture');
  if (m.kind === 'voice' || m.kind === 'audio') return t('voice');
  if (m.kind === 'video') return t('video');
  return m.kind && m.kind !== 'text' ? t('file') : '';
}

function renderQuote(quote: QuotedMessage, ctx: MessageViewContext): HTMLElement {
  const known = ctx.quotedText(quote);
  const text = summary({ kind: quote.kind, text: quote.text || known.text }, ctx.t);
  const author = quote.author ?? known.author;
  return h(
    'button',
    { type: 'button', class: 'quote', 'aria-label': `${ctx.t('jumpToQuote')}: ${text}`, onclick: () => ctx.onJumpTo(quote.msgid) },
    author ? h('b', {}, authorName(author, undefined, ctx.t)) : null,
    h('span', {}, text),
  );
}

function renderAttachment(m: ChatMessage, t: Translate): HTMLElement | null {
  const a = m.attachment;
  if (!a) return null;
  // A file refused before upload, after a reload: its local preview is gone, its name stays.
  if (!a.url) return h('span', { class: 'file' }, icon(ICONS.file), h('span', {}, a.name, a.size !== undefined ? h('small', {}, formatSize(a.size)) : null));
  if (m.kind === 'picture' || m.kind === 'sticker') {
    return h('a', { class: 'picture', href: a.url, target: '_blank', rel: 'noopener noreferrer' }, h('img', { src: a.thumbnail ?? a.url, alt: a.name || t('picture'), loading: 'lazy' }));
  }
  if (m.kind === 'voice' || m.kind === 'audio') return h('audio', { controls: true, preload: 'metadata', src: a.url, 'aria-label': t('voice') });
  if (m.kind === 'video') return h('video', { controls: true, preload: 'metadata', src: a.url, 'aria-label': t('video') });
  return h(
    'a',
    { class: 'file', href: a.url, target: '_blank', rel: 'noopener noreferrer', download: a.name },
    icon(ICONS.file),
    h('span', {}, a.name, a.size !== undefined ? h('small', {}, formatSize(a.size)) : null),
  );
}

function renderReactions(key: string, m: ChatMessage, ctx: MessageViewContext): HTMLElement {
  return h(
    'div',
    { class: 'reactions' },
    ...m.reactions.map((r) =>
      r.author === 'visitor'
        ? h('button', { type: 'button', 'aria-pressed': 'true', 'aria-label': ctx.t('removeReaction', { emoji: r.emoji }), onclick: () => ctx.onReact(key, null) }, r.emoji)
        : h('span', { role: 'img', 'aria-label': ctx.t('reactionBy', { emoji: r.emoji, author: authorName(r.author, undefined, ctx.t) }) }, r.emoji),
    ),
  );
}

function renderActions(key: string, m: ChatMessage, ctx: MessageViewContext): HTMLElement {
  const { t } = ctx;
  const isEditable = m.author === 'visitor' && m.kind === 'text' && m.state !== 'failed';
  return h(
    'div',
    { class: 'actions' },
    h('button', { type: 'button', class: 'icon-btn', 'data-action': 'reply', 'aria-label': t('reply'), title: t('reply'), onclick: () => ctx.onReply(key) }, icon(ICONS.reply)),
    isEditable ? h('button', { type: 'button', class: 'icon-btn', 'data-action': 'edit', 'aria-label': t('edit'), title: t('edit'), onclick: () => ctx.onEdit(key) }, icon(ICONS.edit)) : null,
    h(
      'button',
      { type: 'button', class: 'icon-btn', 'data-action': 'react', 'aria-label': t('react'), title: t('react'), 'aria-haspopup': 'true', 'aria-expanded': String(ctx.pickerFor === key), onclick: () => ctx.onTogglePicker(key) },
      icon(ICONS.smile),
    ),
  );
}

function renderPicker(key: string, m: ChatMessage, ctx: MessageViewContext): HTMLElement {
  const mine = m.reactions.find((r) => r.author === 'visitor')?.emoji;
  return h(
    'div',
    { class: 'picker', role: 'group', 'aria-label': ctx.t('react') },
    ...REACTION_EMOJI.map((emoji) =>
      h(
        'button',
        { type: 'button', 'aria-pressed': String(mine === emoji), 'aria-label': mine === emoji ? ctx.t('removeReaction', { emoji }) : ctx.t('reactWith', { emoji }), onclick: () => ctx.onReact(key, mine === emoji ? null : emoji) },
        emoji,
      ),
    ),
  );
}

function renderQuickReplies(m: ChatMessage, ctx: MessageViewContext, isAnswered: boolean): HTMLElement {
  return h(
    'div',
    { class: 'quick' },
    ...(m.buttons ?? []).map((row) =>
      h(
        'div',
        {},
        ...row.map((b) =>
          b.url
            ? h('a', { href: b.url, target: '_blank', rel: 'noopener noreferrer', 'aria-label': ctx.t('openLink', { text: b.text }) }, b.text)
            : h('button', { type: 'button', 'data-quick-reply': b.text, disabled: isAnswered, onclick: () => ctx.onQuickReply(b.text) }, b.text),
        ),
      ),
    ),
  );
}
