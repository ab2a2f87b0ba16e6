// @ts-check
/**
 * The emulated amoCRM inbox of the sandbox page. It reads the Chats API emulator's control API once a
 * second and acts as a manager through it (answer, quote, file, buttons, react, type); the emulator turns
 * each action into the signed webhook amoCRM would send to the backend. Chats of every connected channel
 * (website chat, Telegram) are listed together, as amoCRM's inbox does.
 */
import { clientOf, controlApi, h, renderChatList, renderMessage, stickToBottom, toBase64 } from './inbox-view.js';

/** @typedef {import('./inbox-view.js').Chat} Chat */
/** @typedef {import('./inbox-view.js').Message} Message */
/** @typedef {import('./inbox-view.js').Reaction} Reaction */

const config = JSON.parse(document.getElementById('sandbox-config')?.textContent ?? '{}');
/** @type {Record<string, string>} */
const t = config.texts;
const control = String(config.controlUrl);
const POLL_MS = 1000;
const TYPING_EVERY_MS = 4000;

const state = {
  /** Connected channels of the account: scope id → channel title. @type {Map<string, string>} */ scopes: new Map(),
  /** @type {Chat[]} */ chats: [],
  /** @type {Record<string, Message | undefined>} */ lastMessages: {},
  /** @type {string | undefined} */ selected: undefined,
  /** @type {Message[]} */ messages: [],
  /** @type {Reaction[]} */ reactions: [],
  /** @type {Message | undefined} */ replyTo: undefined,
  /** @type {string | undefined} */ pickerFor: undefined,
  isVisitorTyping: false,
  lastTypingSent: 0,
};

// ---- skeleton: built once, so the reply box keeps its text and focus while data refreshes ----
const root = /** @type {HTMLElement} */ (document.getElementById('inbox'));
const list = h('nav', { class: 'chats', 'aria-label': t.chats });
const header = h('header', { class: 'chat-head' });
const messages = h('ol', { class: 'messages', 'data-testid': 'inbox-messages', 'aria-live': 'polite' });
const typing = h('p', { class: 'typing', 'data-testid': 'inbox-typing', role: 'status' });
const replyBanner = h('div', { class: 'reply-banner', hidden: true });
const textarea = h('textarea', { 'data-testid': 'inbox-reply', rows: '2', 'aria-label': t.replyPlaceholder, placeholder: t.replyPlaceholder });
const withButtons = h('input', { type: 'checkbox', 'data-testid': 'inbox-with-buttons' });
const fileInput = h('input', { type: 'file', 'data-testid': 'inbox-file', hidden: true });
const problem = h('p', { class: 'problem', role: 'alert', hidden: true });
const form = h(
  'form',
  { class: 'reply' },
  replyBanner,
  textarea,
  h(
    'div',
    { class: 'reply-tools' },
    h('label', {}, withButtons, ` ${t.withButtons}`),
    h('button', { type: 'button', onclick: () => fileInput.click() }, t.attach),
    fileInput,
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'inbox-send' }, t.send),
  ),
  problem,
);
// Hidden until the first render finds a chat to show: no reply box flashes up while the page loads.
const chatPane = h('section', { class: 'chat', hidden: true }, header, messages, typing, form);
const pin = stickToBottom(messages);
const notConnected = h('p', { class: 'empty', hidden: true, 'data-testid': 'inbox-not-connected' }, t.notConnected);
root.append(notConnected, h('div', { class: 'inbox-grid' }, list, chatPane));

// ---- talking to the control API ----

const api = controlApi(control);

/** @param {() => Promise<unknown>} action */
async function act(action) {
  problem.hidden = true;
  try {
    await action();
    await refresh();
  } catch (err) {
    problem.hidden = false;
    problem.textContent = t.failed.replace('{message}', err instanceof Error ? err.message : String(err));
  }
}

/** The scope of the chat a manager action goes to. */
const scopeOfSelected = () => state.chats.find((c) => c.id === state.selected)?.scopeId ?? null;

async function findScopes() {
  /** @type {{ scopeId: string, title: string, isActive: boolean }[]} */
  const connections = await api('/connections');
  return new Map(connections.filter((c) => c.isActive).map((c) => [c.scopeId, c.title]));
}

let lastRendered = '';
async function refresh() {
  state.scopes = await findScopes();
  if (state.scopes.size === 0) {
    notConnected.hidden = false;
    state.chats = [];
  } else {
    notConnected.hidden = true;
    /** @type {Chat[][]} */
    const perScope = await Promise.all([...state.scopes.keys()].map((scopeId) => api(`/scopes/${scopeId}/chats`)));
    state.chats = perScope.flat().sort((a, b) => b.createdAt - a.createdAt);
    const all = await Promise.all(state.chats.map((c) => api(`/chats/${c.id}/messages`)));
    state.chats.forEach((c, i) => (state.lastMessages[c.id] = all[i].at(-1)));
    if (!state.chats.some((c) => c.id === state.selected)) state.selected = state.chats[0]?.id;
    const index = state.chats.findIndex((c) => c.id === state.selected);
    state.messages = index >= 0 ? all[index] : [];
    state.reactions = await api('/reactions');
    /** @type {{ chatId: string, origin: string, at: number, durationMs: number }[]} */
    const typingEvents = await api('/typing');
    state.isVisitorTyping = typingEvents.some((e) => e.chatId === state.selected && e.origin === 'integration' && e.at + e.durationMs > Date.now());
  }
  // Re-render only on change: rebuilding under the manager's pointer would swallow clicks.
  const snapshot = JSON.stringify([state.chats, state.lastMessages, state.selected, state.messages, state.reactions, state.pickerFor, [...state.scopes]]);
  if (snapshot !== lastRendered) {
    lastRendered = snapshot;
    render();
  }
  typing.textContent = state.isVisitorTyping ? t.typing : '';
}

function render() {
  // The channel is named only when there is more than one to tell apart.
  const channels = state.scopes.size > 1 ? state.scopes : new Map();
  list.replaceChildren(renderChatList(state.chats, state.lastMessages, state.selected, t, (id) => select(id), channels));
  const chat = state.chats.find((c) => c.id === state.selected);
  chatPane.hidden = !chat;
  if (!chat) return;
  const client = clientOf(chat);
  header.replaceChildren(h('b', {}, client.name), h('span', {}, [client.phone, client.email].filter(Boolean).join(' · ')));
  const actions = {
    /** @param {Message} m */
    onReply(m) {
      state.replyTo = m;
      replyBanner.hidden = false;
      replyBanner.replaceChildren(`${t.replyingTo}: ${m.content.text || m.content.fileName || m.content.type} `, h('button', { type: 'button', onclick: clearReply }, t.cancel));
      textarea.focus();
    },
    /** @param {Message} m @param {string | null} emoji */
    onReact(m, emoji) {
      state.pickerFor = undefined;
      void act(() => api(`/scopes/${scopeOfSelected()}/reactions`, emoji === null ? { amojoMsgId: m.amojoMsgId, unreact: true } : { amojoMsgId: m.amojoMsgId, emoji }));
    },
    /** @param {string} id */
    onTogglePicker(id) {
      state.pickerFor = state.pickerFor === id ? undefined : id;
      lastRendered = '';
      render();
      /** @type {HTMLElement | null} */ (messages.querySelector(`[data-amojo-id="${id}"] .picker button`))?.focus();
    },
  };
  messages.replaceChildren(...state.messages.map((m) => renderMessage(m, state.messages, state.reactions, state.pickerFor, t, actions)));
  pin.follow();
}

/** @param {string} id */
function select(id) {
  state.selected = id;
  pin.pin();
  clearReply();
  void refresh();
}

function clearReply() {
  state.replyTo = undefined;
  replyBanner.hidden = true;
}

/** @param {{ text?: string, file?: File }} input */
function send(input) {
  const body = {
    ...(input.text ? { text: input.text } : {}),
    ...(state.replyTo ? { replyTo: state.replyTo.amojoMsgId } : {}),
    ...(withButtons.checked ? { markup: { mode: 'inline', buttons: [[{ text: t.buttonYes }, { text: t.buttonNo }]] } } : {}),
  };
  return act(async () => {
    const file = input.file ? { fileName: input.file.name, contentType: input.file.type || 'application/octet-stream', base64: await toBase64(input.file) } : undefined;
    await api(`/scopes/${scopeOfSelected()}/chats/${state.selected}/messages`, { ...body, ...(file ? { file } : {}) });
    clearReply();
    withButtons.checked = false;
  });
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = textarea.value.trim();
  if (!text || !state.selected) return;
  textarea.value = '';
  void send({ text });
});
textarea.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  }
});
textarea.addEventListener('input', () => {
  const scopeId = scopeOfSelected();
  if (!state.selected || !scopeId || Date.now() - state.lastTypingSent < TYPING_EVERY_MS) return;
  state.lastTypingSent = Date.now();
  void api(`/scopes/${scopeId}/chats/${state.selected}/typing`, {}).catch(() => undefined);
});
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  fileInput.value = '';
  if (file && state.selected) void send({ file, text: textarea.value.trim() || undefined }).then(() => (textarea.value = ''));
});

async function loop() {
  try {
    await refresh();
  } catch {
    // The server restarted or is busy; the next round tries again.
  }
  setTimeout(loop, POLL_MS);
}
void loop();
