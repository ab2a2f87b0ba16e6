/**
 * Entry of `embed.js`. The site's snippet is one tag:
 *   <script src="https://<backend>/webchat/embed.js" data-site-key="…" async></script>
 * with an optional `data-lang` (`ru`, `en`, `es`, `pt`) that overrides the language set in amoCRM and
 * the detected one, an optional `data-sound="on"` that plays a short tone when the manager answers (off
 * by default), and an optional `data-store="always"` that lets the bubble keep its state on the device
 * before the visitor first opens it (by default nothing is written until then).
 * The launcher is drawn as soon as the page's body exists, without waiting for the network: in the look
 * of the settings this browser kept from its last load (colour, side, language), else the defaults. The
 * site's settings (set in amoCRM) are asked once per page load meanwhile (the browser caches the answer
 * for a minute); the launcher takes them when they come, and the panel, built at the first opening, is
 * drawn with them.
 * The backend's address is taken from this script's own `src`, so the same file works behind any host or
 * path prefix. Loading the script twice puts one bubble on the page.
 */
import { createHttpApi } from './api.js';
import { mountBubble, type Bubble } from './bubble.js';
import { chooseLocale, createTranslator, localeOf } from './i18n.js';
import type { BubbleSettings } from './model.js';
import { createNotifier } from './notify.js';
import { createPublicApi, runQueued, type AmoChatApi } from './public-api.js';
import { createStateStorage } from './storage.js';

interface EmbedGlobal {
  /** The mounted bubble (internal: the page's scripts use `AmoChat`). */
  amoWebchat?: Bubble | 'loading';
  /** The site owner's API (public-api.ts); before the bubble loads, a queue of calls the page made. */
  AmoChat?: AmoChatApi | unknown[];
}

const EMBED_PATH = /\/webchat\/embed\.js(?:[?#].*)?$/;
/** A backend that does not answer its settings in this time gets a bubble with its own defaults. */
const SETTINGS_WAIT_MS = 3000;

function findOwnScript(): HTMLScriptElement | undefined {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.siteKey) return current;
  // `currentScript` is null when the tag was injected by a tag manager after load; find ourselves by URL.
  return [...document.querySelectorAll<HTMLScriptElement>('script[data-site-key]')].find((s) => EMBED_PATH.test(s.src));
}

function boot(): void {
  const g = window as unknown as EmbedGlobal;
  if (g.amoWebchat) return;
  const script = findOwnScript();
  const siteKey = script?.dataset.siteKey?.trim();
  if (!script || !siteKey) {
    console.warn('[webchat] embed.js needs data-site-key on its <script> tag');
    return;
  }
  g.amoWebchat = 'loading';
  const baseUrl = script.src.replace(EMBED_PATH, '');
  const api = createHttpApi(baseUrl);
  const loaded = api.loadSettings(siteKey);
  // Refused (an old snippet: 404) or slow: the panel is drawn with the kept copy or the defaults; the chat
  // client reads the same request's outcome (unavailable, or the maximum file size when it arrives late).
  const final = Promise.race([loaded.catch(() => undefined), new Promise<undefined>((r) => setTimeout(r, SETTINGS_WAIT_MS))]);
  const bodyReady = new Promise<void>((r) => (document.body ? r() : document.addEventListener('DOMContentLoaded', () => r(), { once: true })));
  void bodyReady.then(() => {
    // `data-lang="es"` (or `pt-BR`, …) on the tag fixes the language; then the one set in amoCRM; else detected.
    const localeFor = (s: BubbleSettings | undefined) => chooseLocale(localeOf(script.dataset.lang) ?? s?.language);
    const storage = createStateStorage(siteKey, undefined, script.dataset.store !== 'always');
    void final.then((s) => s?.storeBeforeOpen && storage.allowWrites?.());
    const bubble = mountBubble({ api, siteKey, locale: localeFor(undefined), storage, settingsAnswer: loaded, deferred: { final, localeFor } });
    g.amoWebchat = bubble;
    const notifier = createNotifier({ t: (key, vars) => createTranslator(bubble.locale)(key, vars), sound: script.dataset.sound === 'on', unread: () => bubble.client.unreadCount() });
    bubble.client.onIncoming(() => notifier.incoming(bubble.isOpen && document.visibilityState === 'visible'));
    const publicApi = createPublicApi(bubble);
    const queued = g.AmoChat;
    g.AmoChat = publicApi;
    runQueued(publicApi, queued);
    window.dispatchEvent(new CustomEvent('amochat:ready', { detail: publicApi }));
  });
}

boot();
