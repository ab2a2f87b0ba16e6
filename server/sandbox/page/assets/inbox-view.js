// @ts-check
/**
 * Rendering of the emulated amoCRM inbox: the chat list and one chat's messages, from the Chats API
 * emulator's records (server/sandbox/amojo/types.ts). Pure: data in, elements out, actions as callbacks.
 * Also the small helpers every pane of the page shares (`h`, `toBase64`, `stickToBottom`, `controlApi`).
 */

/** @typedef {Record<string, string>} Texts */
/**
 * @typedef {{ amojoId: string, kind: string, name: string, phone?: string, email?: string }} Participant
 * @typedef {{ id: string, scopeId: string, conversationId?: string, clientAmojoId: string, participants: Participant[], createdAt: number, lead?: { pipelineName: string | null } }} Chat
 * @typedef {{ type: string, text: string, media?: string, thumbnail?: string, fileName?: string, fileSize?: number }} Content
 * @typedef {{ amojoMsgId: string, msgid?: string, chatId: string, direction: 'incoming'|'outgoing', content: Content,
 *   replyTo?: { amojoMsgId?: string, described?: Record<string, unknown> }, edits: unknown[], deliveryStatuses: { status: number }[],
 *   msecTimestamp: number }} Message
 * @typedef {{ amojoMsgId: string, type: 'react'|'unreact', emoji?: string, origin: 'integration'|'crm', userId: string, at: number }} Reaction
 */

export const EMOJI = ['👍', '❤️', '😂', '😮', '🙏'];

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | boolean | undefined | ((e: Event) => void)>} [attrs]
 * @param {(Node | string | null | undefined | false)[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** @param {Chat} chat */
export function clientOf(chat) {
  return chat.participants.find((p) => p.kind === 'client') ?? { amojoId: chat.clientAmojoId, kind: 'client', name: '?' };
}

/**
 * The website chat ends a message's text with the page it was written on (`🔗 <title> — <url>`, see
 * server/bridge/page-line.ts). amoCRM shows that line as part of the text; the emulated inbox sets it apart
 * in small print so that it reads as what it is.
 * @param {string} text
 * @returns {[string, string | undefined]} the visitor's text and the page line
 */
export function splitPageLine(text) {
  const m = /^(?:([\s\S]*)\n\n)?(🔗 [^\n]+)$/u.exec(text);
  return m ? [m[1] ?? '', m[2]] : [text, undefined];
}

/** @param {Content} c @param {Texts} t */
function summary(c, t) {
  return splitPageLine(c.text)[0] || (c.type === 'text' ? '' : `[${c.fileName ?? c.type}]`) || t.visitor;
}

/**
 * @param {Chat[]} chats
 * @param {Record<string, Message | undefined>} lastMessages
 * @param {string | undefined} selected
 * @param {Texts} t
 * @param {(chatId: string) => void} onSelect
 * @param {Map<string, string>} [channels] scope id → channel title, when the list mixes channels
 */
export function renderChatList(chats, lastMessages, selected, t, onSelect, channels = new Map()) {
  if (chats.length === 0) return h('p', { class: 'empty' }, t.noChats);
  return h(
    'ul',
    { class: 'chat-list', 'aria-label': t.chats },
    ...chats.map((chat) => {
      const last = lastMessages[chat.id];
      return h(
        'li',
        {},
        h(
          'button',
          { type: 'button', 'data-testid': 'inbox-chat', 'data-chat-id': chat.id, 'aria-current': chat.id === selected ? 'true' : undefined, onclick: () => onSelect(chat.id) },
          h('b', {}, clientOf(chat).name),
          channels.has(chat.scopeId) ? h('small', { class: 'channel', 'data-testid': 'inbox-chat-channel' }, channels.get(chat.scopeId)) : '',
          h('span', {}, last ? summary(last.content, t) : ''),
          // Which pipeline amoCRM put the chat's lead in (its source's, fixed when the lead was made).
          chat.lead?.pipelineName ? h('small', { 'data-testid': 'inbox-chat-pipeline' }, `${t.pipeline}: ${chat.lead.pipelineName}`) : '',
        ),
      );
    }),
  );
}

/**
 * The reactions on a message as they stand now: the last react/unreact of each person wins.
 * @param {Reaction[]} reactions
 * @param {string} amojoMsgId
 */
export function currentReactions(reactions, amojoMsgId) {
  /** @type {Map<string, Reaction>} */
  const byPerson = new Map();
  for (const r of reactions) if (r.amojoMsgId === amojoMsgId) byPerson.set(`${r.origin}:${r.userId}`, r);
  return [...byPerson.values()].filter((r) => r.type === 'react' && r.emoji);
}

/**
 * @typedef {{ onReply(m: Message): void, onReact(m: Message, emoji: string | null): void, onTogglePicker(id: string): void }} MessageActions
 * @param {Message} m
 * @param {Message[]} all
 * @param {Reaction[]} reactions
 * @param {string | undefined} pickerFor
 * @param {Texts} t
 * @param {MessageActions} actions
 */
export function renderMessage(m, all, reactions, pickerFor, t, actions) {
  const c = m.content;
  const [text, pageLine] = splitPageLine(c.text);
  const isOwn = m.direction === 'outgoing';
  const quoted = m.replyTo?.amojoMsgId ? all.find((x) => x.amojoMsgId === m.replyTo?.amojoMsgId) : undefined;
  const quotedText = quoted ? summary(quoted.content, t) : typeof m.replyTo?.described?.['text'] === 'string' ? String(m.replyTo.described['text']) : '';
  const status = isOwn ? m.deliveryStatuses.at(-1)?.status : undefined;
  const statusText = status === 2 ? t.read : status === 1 ? t.delivered : status === -1 ? t.notDelivered : '';
  const mine = currentReactions(reactions, m.amojoMsgId);
  const managerReaction = mine.find((r) => r.origin === 'crm')?.emoji;
  return h(
    'li',
    { class: `msg ${isOwn ? 'out' : 'in'}`, 'data-testid': 'inbox-message', 'data-amojo-id': m.amojoMsgId, 'data-direction': m.direction, 'data-status': status === undefined ? undefined : String(status) },
    h(
      'div',
      { class: 'bubble' },
      h('small', { class: 'who' }, isOwn ? t.manager : t.visitor),
      m.replyTo ? h('blockquote', { 'data-testid': 'inbox-quote' }, quotedText) : null,
      media(c),
      text ? h('p', { class: 'text' }, text) : null,
      pageLine ? h('small', { class: 'page', 'data-testid': 'inbox-page' }, pageLine) : null,
      h(
        'small',
        { class: 'meta' },
        m.edits.length > 0 ? `${t.edited} · ` : '',
        new Date(m.msecTimestamp).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' }),
        statusText ? h('span', { class: 'status', 'data-testid': 'inbox-status' }, ` · ${statusText}`) : null,
      ),
    ),
    mine.length > 0 ? h('div', { class: 'reactions', 'data-testid': 'inbox-reactions' }, ...mine.map((r) => h('span', { title: r.origin === 'crm' ? t.manager : t.visitor }, r.emoji ?? ''))) : null,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', 'data-action': 'reply', onclick: () => actions.onReply(m) }, t.reply),
      h('button', { type: 'button', 'data-action': 'react', 'aria-expanded': String(pickerFor === m.amojoMsgId), onclick: () => actions.onTogglePicker(m.amojoMsgId) }, t.react),
    ),
    pickerFor === m.amojoMsgId
      ? h(
          'div',
          { class: 'picker', role: 'group', 'aria-label': t.react },
          ...EMOJI.map((e) => h('button', { type: 'button', 'aria-pressed': String(e === managerReaction), 'data-emoji': e, onclick: () => actions.onReact(m, e === managerReaction ? null : e) }, e)),
        )
      : null,
  );
}

/** @param {Content} c */
function media(c) {
  if (!c.media) return null;
  if (c.type === 'picture' || c.type === 'sticker') return h('a', { href: c.media, target: '_blank', rel: 'noopener' }, h('img', { src: c.thumbnail ?? c.media, alt: c.fileName ?? '' }));
  if (c.type === 'voice' || c.type === 'audio') return h('audio', { controls: true, src: c.media });
  if (c.type === 'video') return h('video', { controls: true, src: c.media });
  return h('a', { class: 'file', href: c.media, target: '_blank', rel: 'noopener' }, c.fileName ?? 'file');
}

/**
 * A file picked in a pane, as the base64 its emulator takes (the data URL without its prefix).
 * @param {File} file
 * @returns {Promise<string>}
 */
export function toBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/**
 * Keeps the chat at its newest message while its reader reads there, decided from their own scrolling
 * before content grows; pictures get their height only once loaded, so each load follows again.
 * @param {HTMLElement} list
 */
export function stickToBottom(list) {
  let isPinned = true;
  /** Where we last put the list; a scroll event that did not move above it is ours or a clamp. */
  let ownTop = 0;
  const follow = () => {
    if (!isPinned) return;
    list.scrollTop = list.scrollHeight;
    ownTop = list.scrollTop;
  };
  list.addEventListener('scroll', () => {
    isPinned = list.scrollHeight - list.scrollTop - list.clientHeight < 40 || list.scrollTop >= ownTop - 1;
    if (isPinned) ownTop = list.scrollTop;
  }, { passive: true });
  list.addEventListener('load', follow, true);
  list.addEventListener('loadedmetadata', follow, true);
  return {
    follow,
    /** Back to the newest message now. */
    pin() {
      isPinned = true;
      follow();
    },
    /** Back to the newest message at the next `follow` (when the list is drawn again). */
    pinned() {
      isPinned = true;
    },
  };
}

/**
 * Calls an emulator's control API: GET without a body, POST with a JSON one; a refusal throws its message.
 * @param {string} control the API's root
 */
export function controlApi(control) {
  /** @param {string} path @param {unknown} [body] */
  return async function api(path, body) {
    const res = await fetch(`${control}${path}`, body === undefined ? { cache: 'no-store' } : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.message ?? `HTTP ${res.status}`);
    return data;
  };
}
