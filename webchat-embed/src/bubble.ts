/**
 * Mounts the bubble: a host element with a shadow root, the launcher, and the panel with the composer and
 * the contact form, wired to a ChatClient. Handles opening and closing (Escape, focus return), rendering the
 * list without re-announcing old messages, the unread badge, typing lines, reply/edit context, drag and
 * drop, voice notes. On a website (index.ts) only the launcher is drawn at load; the panel is built at the
 * first opening, with the settings of this page load.
 */
import type { ChatApi } from './api.js';
import { ChatClient, type ConnectionState } from './chat-client.js';
import { createTranslator, type Locale, type Translate } from './i18n.js';
import type { BubbleSettings, ChatMessage, QuotedMessage } from './model.js';
import { canRecord, startRecording, type Recording } from './recorder.js';
import { createStateStorage, type StateStorage } from './storage.js';
import { buildComposer } from './ui/composer.js';
import { formatSize } from './ui/dom.js';
import { wireDrop } from './ui/drop-zone.js';
import { announce, buildLauncher, buildPanel, setUnread, type PanelView } from './ui/panel.js';
import { authorName, renderMessage, summary, type MessageViewContext } from './ui/message-view.js';
import { buildProfileForm, type ProfileForm } from './ui/profile-form.js';
import { applyLook, setUpSite, type SiteSetup } from './ui/site-setup.js';
import { stickToBottom, type ScrollPin } from './ui/scroll-pin.js';
import type { ComposerView } from './ui/composer.js';

export interface BubbleOptions {
  api: ChatApi;
  siteKey: string;
  locale: Locale;
  storage?: StateStorage;
  /** Where the host element goes; the page's body by default. */
  container?: HTMLElement;
  newId?: () => string;
  now?: () => number;
  /** The site's settings, when the page loaded them before mounting (index.ts): applied at once. */
  settings?: BubbleSettings;
  /** The page's one settings request, whatever its outcome (an old snippet's 404 is not asked twice). */
  settingsAnswer?: Promise<BubbleSettings>;
  /**
   * A website's load (index.ts): the launcher is drawn at once, in the look of the settings this browser
   * kept from an earlier load (else the defaults), and the panel at the first opening, once `final` has
   * settled: this load's settings, or undefined when they were refused or late (the kept copy then serves).
   * The language follows the settings: `localeFor` chooses it (`locale` is then unused).
   */
  deferred?: { final: Promise<BubbleSettings | undefined>; localeFor(s: BubbleSettings | undefined): Locale };
}

export interface Bubble {
  client: ChatClient;
  host: HTMLElement;
  shadow: ShadowRoot;
  open(): void;
  close(): void;
  readonly isOpen: boolean;
  /** The language the bubble speaks (it may change once the settings of a deferred load arrive). */
  readonly locale: Locale;
  /** Called after the panel opens or closes, however that happened (launcher, Escape, the page's script). */
  onOpenChange(l: (isOpen: boolean) => void): void;
  destroy(): void;
}

/** The tag of the host element; a custom name so that no page rule aimed at `div` or `section` matches it. */
export const HOST_TAG = 'amo-webchat';

/** Set inline with !important: the one place page CSS could reach (position, size, visibility of the host). */
const HOST_STYLE = 'all:initial!important;display:block!important;position:fixed!important;inset:auto 0 0 auto!important;width:0!important;height:0!important;z-index:2147483000!important;visibility:visible!important;opacity:1!important;transform:none!important;contain:none!important;';

/** The panel and what lives in it; absent until it is drawn. */
interface DrawnPanel {
  view: PanelView;
  composer: ComposerView;
  profileForm: ProfileForm;
  setup: SiteSetup;
  stick: ScrollPin;
}

export function mountBubble(o: BubbleOptions): Bubble {
  const host = document.createElement(HOST_TAG);
  host.setAttribute('style', HOST_STYLE);
  const shadow = host.attachShadow({ mode: 'open' });
  // Chosen once the kept settings are read (a deferred load's language may come from them).
  let t: Translate;
  const client = new ChatClient({
    api: o.api,
    siteKey: o.siteKey,
    storage: o.storage ?? createStateStorage(o.siteKey),
    defaultName: (hint) => t('defaultName', { hint }),
    settings: o.settingsAnswer ?? (o.settings && Promise.resolve(o.settings)),
    ...(o.newId ? { newId: o.newId } : {}),
    ...(o.now ? { now: o.now } : {}),
  });
  let settings = o.settings ?? (o.deferred ? client.savedState.settings : undefined);
  let locale = o.deferred ? o.deferred.localeFor(settings) : o.locale;
  t = createTranslator(locale);
  const look = buildLauncher(shadow, t, locale);
  if (settings) applyLook(look, settings);
  let ui: DrawnPanel | undefined;
  const rendered = new Map<string, { m: ChatMessage; el: HTMLLIElement; picker: boolean; answered: boolean }>();
  // Made at the first message shown, not at load: the first Intl formatter of a page costs tens of ms.
  let formats: { time: Intl.DateTimeFormat; dateTime: Intl.DateTimeFormat } | undefined;
  let isOpen = false;
  let wantsOpen = false;
  let context: { mode: 'reply' | 'edit'; key: string } | undefined;
  let pickerFor: string | undefined;
  let recording: Recording | undefined;
  let recordTimer: ReturnType<typeof setInterval> | undefined;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let connection: ConnectionState = { isOffline: false, isUnavailable: false };
  const openListeners = new Set<(isOpen: boolean) => void>();

  /** This load's settings arrived (a deferred load): the launcher takes their look and language. */
  const settled = o.deferred?.final.then((fresh) => {
    if (fresh) {
      settings = fresh;
      applyLook(look, fresh);
    }
    const next = o.deferred!.localeFor(settings);
    if (next !== locale && !ui) {
      locale = next;
      t = createTranslator(locale);
      look.root.setAttribute('lang', locale);
      updateUnread();
    }
  });

  function drawPanel(): DrawnPanel {
    const view = buildPanel(look, t);
    const composer = buildComposer(view.composerSlot, t, canRecord(), {
      onSubmit(text) {
        if (context?.mode === 'edit') void client.edit(context.key, text);
        else {
          drawn.stick.pin();
          client.send(text, quoteOfContext());
        }
        setContext(undefined);
        composer.setText('');
      },
      onFiles(files) {
        client.sendFiles(files, quoteOfContext());
        if (context?.mode === 'reply') setContext(undefined);
      },
      // Correcting a sent message is not writing a new one: the manager is not told "typing".
      onTyping: () => context?.mode !== 'edit' && client.typing(),
      onCancelContext() {
        if (context?.mode === 'edit') composer.setText('');
        setContext(undefined);
        composer.focus();
      },
      onRecord: () => void record(),
      onStopRecording: (send) => void stopRecording(send),
    });
    const profileForm = buildProfileForm(
      view.profileSlot,
      t,
      client.savedState.profile,
      (profile) => {
        void client.saveProfile(profile);
        showNotice();
      },
      settings?.prechat,
    );
    const setup = setUpSite(view, t, settings ?? { maxFileBytes: client.maxFileBytes }, {
      profile: profileForm,
      hasWritten: () => client.hasSession,
      consented: client.savedState.consented === true,
      onConsent: () => client.consent(),
      onGateChange: () => showNotice(),
      now: o.now ?? Date.now,
    });
    const drawn: DrawnPanel = { view, composer, profileForm, setup, stick: stickToBottom(view.list) };
    view.closeButton.addEventListener('click', close);
    wireDrop(view.panel, view.drop, (files) => client.sendFiles(files, quoteOfContext()));
    return drawn;
  }

  const viewContext = (): MessageViewContext => ({
    t,
    pickerFor,
    maxFileBytes: client.maxFileBytes,
    formatTime(ms) {
      formats ??= {
        time: new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }),
        dateTime: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }),
      };
      return (new Date(ms).toDateString() === new Date().toDateString() ? formats.time : formats.dateTime).format(ms);
    },
    quotedText(quote) {
      const key = client.conversation.keyOfMsgid(quote.msgid);
      const m = key ? client.conversation.get(key) : undefined;
      return m ? { text: summary(m, t), author: m.author } : { text: '' };
    },
    onReply: (key) => setContext({ mode: 'reply', key }),
    onEdit(key) {
      setContext({ mode: 'edit', key });
      ui?.composer.setText(client.conversation.get(key)?.text ?? '');
    },
    onTogglePicker(key) {
      pickerFor = pickerFor === key ? undefined : key;
      render();
      if (pickerFor) rendered.get(key)?.el.querySelector<HTMLButtonElement>('.picker button')?.focus();
    },
    onReact(key, emoji) {
      pickerFor = undefined;
      void client.react(key, emoji);
      rendered.get(key)?.el.querySelector<HTMLButtonElement>('[data-action=react]')?.focus();
    },
    onQuickReply(text) {
      ui?.stick.pin();
      client.send(text);
    },
    onRetry: (key) => client.retry(key),
    onJumpTo(msgid) {
      const key = client.conversation.keyOfMsgid(msgid);
      const el = key ? rendered.get(key)?.el : undefined;
      if (!el) return;
      el.scrollIntoView?.({ block: 'center' });
      el.setAttribute('tabindex', '-1');
      el.focus();
      el.classList.add('flash');
      setTimeout(() => el.classList.remove('flash'), 1200);
    },
  });

  function quoteOfContext(): QuotedMessage | undefined {
    const m = context?.mode === 'reply' ? client.conversation.get(context.key) : undefined;
    return m?.msgid ? { msgid: m.msgid, text: summary(m, t), author: m.author, kind: m.kind } : undefined;
  }

  function setContext(next: typeof context): void {
    context = next;
    const m = next ? client.conversation.get(next.key) : undefined;
    ui?.composer.setContext(next && m ? { label: next.mode === 'reply' ? `${t('replyingTo')} ${authorName(m.author, m.authorName, t)}` : t('editing'), text: summary(m, t) } : undefined);
    if (next) ui?.composer.focus();
  }

  function render(): void {
    updateUnread();
    if (!ui) return; // the list is drawn with the panel
    const entries = client.conversation.list();
    // Buttons of a message the visitor has written after are answered: they no longer send.
    let lastOwn = -1;
    entries.forEach((e, i) => (lastOwn = e.author === 'visitor' ? i : lastOwn));
    const live = new Set(entries.map((e) => e.key));
    for (const [key, r] of rendered) {
      if (!live.has(key)) {
        r.el.remove();
        rendered.delete(key);
      }
    }
    const ctx = viewContext();
    let previous: Element = ui.view.greeting;
    entries.forEach(({ key }, index) => {
      const m = client.conversation.get(key)!;
      const answered = index < lastOwn;
      let r = rendered.get(key);
      if (!r || r.m !== m || r.picker !== (pickerFor === key) || r.answered !== answered) {
        const hadFocus = r?.el.contains(shadow.activeElement) ? (shadow.activeElement as HTMLElement).dataset.action : undefined;
        const el = renderMessage(key, m, ctx, answered);
        if (r) r.el.replaceWith(el);
        r = { m, el, picker: pickerFor === key, answered };
        rendered.set(key, r);
        // Keep keyboard users where they were when a message re-renders under them.
        if (hadFocus) el.querySelector<HTMLElement>(`[data-action=${hadFocus}]`)?.focus();
      }
      if (previous.nextElementSibling !== r.el) previous.after(r.el);
      previous = r.el;
    });
    // Measuring a closed panel would only force a layout; opening pins it to the bottom anyway.
    if (isOpen) ui.stick.follow();
  }

  function updateUnread(): void {
    if (isOpen && document.visibilityState !== 'hidden') client.markRead();
    setUnread(look, t, isOpen ? 0 : client.unreadCount(), isOpen);
  }

  function showNotice(): void {
    if (!ui) return;
    const { view, composer, setup } = ui;
    const text = connection.isUnavailable ? t('unavailable') : connection.isOffline ? t('offline') : '';
    view.notice.hidden = !text;
    view.notice.textContent = text;
    composer.setLimit(client.maxFileBytes);
    view.drop.textContent = `${t('dropHere')} (${t('fileLimit', { limit: formatSize(client.maxFileBytes) })})`;
    composer.setDisabled(connection.isUnavailable || setup.blocksWriting());
  }

  /** Draws the panel if it is not yet; on a deferred load, once this load's settings have settled. */
  function withPanel(then: (drawn: DrawnPanel) => void): void {
    if (ui) return then(ui);
    if (!settled) {
      ui = drawPanel();
      render();
      showNotice();
      return then(ui);
    }
    void settled.then(() => {
      if (!ui) {
        ui = drawPanel();
        render();
        showNotice();
      }
      then(ui);
    });
  }

  function open(): void {
    if (isOpen || wantsOpen) return;
    wantsOpen = true;
    withPanel(({ view, setup, stick, composer }) => {
      if (!wantsOpen || isOpen) return; // closed again before the panel was drawn
      isOpen = true;
      view.panel.hidden = false;
      look.root.setAttribute('data-open', '');
      look.launcher.setAttribute('aria-expanded', 'true');
      client.setOpen(true);
      setup.refreshHours();
      stick.pin();
      updateUnread();
      composer.focus();
      for (const l of openListeners) l(true);
    });
  }

  function close(): void {
    wantsOpen = false;
    if (!isOpen || !ui) return;
    isOpen = false;
    if (recording) void stopRecording(false);
    pickerFor = undefined;
    ui.view.panel.hidden = true;
    look.root.removeAttribute('data-open');
    look.launcher.setAttribute('aria-expanded', 'false');
    client.setOpen(false);
    updateUnread();
    look.launcher.focus();
    for (const l of openListeners) l(false);
  }

  async function record(): Promise<void> {
    if (recording || !ui) return;
    const { view, composer } = ui;
    try {
      recording = await startRecording();
    } catch {
      announce(view, t('micDenied'));
      view.notice.hidden = false;
      view.notice.textContent = t('micDenied');
      return;
    }
    const started = Date.now();
    const tick = (): void => {
      const s = Math.floor((Date.now() - started) / 1000);
      composer.setRecording(`${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`);
    };
    tick();
    recordTimer = setInterval(tick, 500);
    composer.focus();
  }

  async function stopRecording(send: boolean): Promise<void> {
    const r = recording;
    recording = undefined;
    clearInterval(recordTimer);
    ui?.composer.setRecording(undefined);
    if (!r) return;
    if (!send) return r.cancel();
    const file = await r.stop();
    if (file) client.sendFiles([file], quoteOfContext(), true);
    ui?.composer.focus();
  }

  look.launcher.addEventListener('click', () => (isOpen ? close() : open()));
  look.root.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    if (pickerFor) {
      const key = pickerFor;
      pickerFor = undefined;
      render();
      rendered.get(key)?.el.querySelector<HTMLButtonElement>('[data-action=react]')?.focus();
    } else if (recording) void stopRecording(false);
    else if (context) setContext(undefined);
    else close();
  });

  client.conversation.onChange(render);
  client.onState((s) => {
    connection = s;
    showNotice();
  });
  // Details the site gave (AmoChat.setVisitor) fill the contact form; with every required one known it steps aside.
  client.onProfile((profile) => {
    ui?.profileForm.fill(profile);
    showNotice();
  });
  client.onIncoming((_key, m) => {
    clearTimeout(typingTimer);
    if (!ui) return;
    ui.view.typing.textContent = '';
    announce(ui.view, t('newMessage', { author: authorName(m.author, m.authorName, t), text: summary(m, t) }));
  });
  client.onTyping((ms) => {
    if (!ui) return;
    const line = ui.view.typing;
    line.textContent = t('typing');
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => (line.textContent = ''), Math.min(Math.max(ms, 1000), 30_000));
  });
  client.onRejected(() => ui && announce(ui.view, t('sendFailed')));
  const onVisible = (): void => updateUnread();
  document.addEventListener('visibilitychange', onVisible);

  (o.container ?? document.body ?? document.documentElement).append(host);
  client.start();
  if (!settled) withPanel(() => undefined);
  else render();
  if (client.savedState.isOpen) open();

  return {
    client,
    host,
    shadow,
    open,
    close,
    get isOpen() {
      return isOpen;
    },
    get locale() {
      return locale;
    },
    onOpenChange: (l) => void openListeners.add(l),
    destroy() {
      client.stop();
      recording?.cancel();
      clearInterval(recordTimer);
      clearTimeout(typingTimer);
      document.removeEventListener('visibilitychange', onVisible);
      host.remove();
    },
  };
}
