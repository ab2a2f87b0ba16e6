// @ts-check
/**
 * The sandbox page's Telegram pane: a small Telegram app in which you are the emulated user writing to
 * the account's bot. It reads the Bot API emulator's control API once a second and acts through it
 * (write, send a file, quote, react, press a button); the emulator turns each action into the update
 * Telegram would POST to the bot's webhook, which the backend set when the bot was connected.
 */
import { controlApi, h, stickToBottom, toBase64 } from './inbox-view.js';
import { renderTgMessage, summaryOf } from './telegram-view.js';

/** @typedef {import('./telegram-view.js').TgRecord} TgRecord */
/** @typedef {import('./telegram-view.js').TgMessage} TgMessage */

const config = JSON.parse(document.getElementById('sandbox-config')?.textContent ?? '{}');
/** @type {Record<string, string>} */
const t = config.texts;
/** @type {{ controlUrl: string, botId: number, botUsername: string, userId: number }} */
const tg = config.telegram;
const control = String(tg.controlUrl);
const bot = `/bots/${tg.botId}`;
const POLL_MS = 1000;
/** Telegram shows a chat action for 5 seconds or until the bot's next message (telegram.md §5). */
const TYPING_SHOWN_MS = 5000;

const state = {
  /** @type {TgRecord[]} */ records: [],
  botName: tg.botUsername,
  isConnected: false,
  isBotTyping: false,
  /** @type {TgMessage | undefined} */ replyTo: undefined,
  /** @type {number | undefined} */ pickerFor: undefined,
};

// ---- skeleton: built once, so the composer keeps its text and focus while data refreshes ----
const root = /** @type {HTMLElement} */ (document.getElementById('telegram'));
const status = h('p', { class: 'tg-status', 'data-testid': 'tg-status', role: 'status' });
const messages = h('ol', { class: 'messages', 'data-testid': 'tg-messages', 'aria-live': 'polite' });
const typing = h('p', { class: 'typing', 'data-testid': 'tg-typing', role: 'status' });
const replyBanner = h('div', { class: 'reply-banner', hidden: true });
const textarea = h('textarea', { 'data-testid': 'tg-input', rows: '2', 'aria-label': t.tgPlaceholder, placeholder: t.tgPlaceholder });
const fileInput = h('input', { type: 'file', 'data-testid': 'tg-file', hidden: true });
const problem = h('p', { class: 'problem', role: 'alert', hidden: true });
const form = h(
  'form',
  { class: 'reply' },
  replyBanner,
  textarea,
  h(
    'div',
    { class: 'reply-tools' },
    h('button', { type: 'button', onclick: () => fileInput.click() }, t.attach),
    fileInput,
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'tg-send' }, t.send),
  ),
  problem,
);
root.append(status, messages, typing, form);

const pin = stickToBottom(messages);
const follow = pin.follow;

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

/** @param {string} fileId */
const fileUrl = (fileId) => `${control}/files/${encodeURIComponent(fileId)}`;

let lastRendered = '';
async function refresh() {
  /** @type {{ user: { first_name: string, username?: string }, webhookUrl?: string }} */
  const info = await api(bot);
  state.botName = info.user.first_name;
  // The backend sets the webhook when the bot is connected in the widget and deletes it on disconnect.
  state.isConnected = typeof info.webhookUrl === 'string' && info.webhookUrl !== '';
  state.records = await api(`${bot}/chats/${tg.userId}/messages`);
  /** @type {{ chatId: number, action: string, at: number }[]} */
  const actions = await api(`${bot}/chat-actions`);
  const lastAction = actions.filter((a) => a.chatId === tg.userId && a.action === 'typing').at(-1);
  const lastFromBot = state.records.filter((r) => r.direction === 'from_bot').at(-1);
  // Message dates are whole seconds: a message of the action's second or later ends it.
  state.isBotTyping = !!lastAction && lastAction.at + TYPING_SHOWN_MS > Date.now() && (!lastFromBot || lastFromBot.message.date < Math.floor(lastAction.at / 1000));

  status.textContent = (state.isConnected ? t.tgConnected : t.tgNotConnected).replace('{bot}', info.user.username ?? tg.botUsername);
  status.dataset['connected'] = String(state.isConnected);
  typing.textContent = state.isBotTyping ? t.tgTyping.replace('{bot}', state.botName) : '';
  // Re-render only on change: rebuilding under the pointer would swallow clicks.
  const snapshot = JSON.stringify([state.records, state.pickerFor, state.botName]);
  if (snapshot !== lastRendered) {
    lastRendered = snapshot;
    render();
  }
}

function render() {
  const actions = {
    /** @param {TgMessage} m */
    onReply(m) {
      state.replyTo = m;
      replyBanner.hidden = false;
      replyBanner.replaceChildren(`${t.replyingTo}: ${summaryOf(m, t)} `, h('button', { type: 'button', onclick: clearReply }, t.cancel));
      textarea.focus();
    },
    /** @param {TgMessage} m @param {string | null} emoji */
    onReact(m, emoji) {
      state.pickerFor = undefined;
      void act(() => api(`${bot}/reactions`, { userId: tg.userId, messageId: m.message_id, emoji: emoji === null ? [] : [emoji] }));
    },
    /** @param {number} id */
    onTogglePicker(id) {
      state.pickerFor = state.pickerFor === id ? undefined : id;
      lastRendered = '';
      render();
    },
    /** @param {TgMessage} m @param {{ callback_data?: string }} b */
    onPress(m, b) {
      if (b.callback_data !== undefined) void act(() => api(`${bot}/button-presses`, { userId: tg.userId, messageId: m.message_id, data: b.callback_data }));
    },
  };
  if (state.records.length === 0) {
    messages.replaceChildren(h('li', { class: 'empty' }, t.tgEmpty));
    return;
  }
  const ctx = { botName: state.botName, pickerFor: state.pickerFor, fileUrl };
  messages.replaceChildren(...state.records.map((r) => renderTgMessage(r, ctx, t, actions)));
  follow();
}

function clearReply() {
  state.replyTo = undefined;
  replyBanner.hidden = true;
}

/** @param {{ text?: string, file?: File }} input */
function send(input) {
  const reply = state.replyTo ? { replyToMessageId: state.replyTo.message_id } : {};
  // Whoever writes wants to see their message: back to the newest one (at the next draw).
  pin.pinned();
  return act(async () => {
    /** @type {Record<string, unknown>} */
    let content;
    if (input.file) {
      const file = { base64: await toBase64(input.file), fileName: input.file.name, ...(input.file.type ? { mimeType: input.file.type } : {}) };
      const caption = input.text ? { caption: input.text } : {};
      // Pictures go as photos (Telegram recompresses them), anything else as a document.
      content = /^image\/(png|jpeg|webp)$/.test(input.file.type) ? { photo: { file }, ...caption } : { document: { fileName: input.file.name, file }, ...caption };
    } else {
      content = { text: input.text };
    }
    await api(`${bot}/messages`, { userId: tg.userId, ...reply, ...content });
    clearReply();
  });
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = textarea.value.trim();
  if (!text) return;
  textarea.value = '';
  void send({ text });
});
textarea.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  }
});
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  fileInput.value = '';
  if (file) void send({ file, text: textarea.value.trim() || undefined }).then(() => (textarea.value = ''));
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
