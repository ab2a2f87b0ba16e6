/**
 * Entry of `embed.js`. The site's snippet is one tag:
 *   <script src="https://<backend>/webchat/embed.js" data-site-key="…" async></script>
 * with an optional `data-lang` (`ru`, `en`, `es`, `pt`) that overrides the detected language and an optional
 * `data-sound="on"` that plays a short tone when the manager answers (off by default).
 * The backend's address is taken from this script's own `src`, so the same file works behind any host or
 * path prefix. Loading the script twice puts one bubble on the page.
 */
import { createHttpApi } from './api.js';
import { mountBubble, type Bubble } from './bubble.js';
import { chooseLocale, createTranslator } from './i18n.js';
import { createNotifier } from './notify.js';
import { createPublicApi, runQueued, type AmoChatApi } from './public-api.js';

interface EmbedGlobal {
  /** The mounted bubble (internal: the page's scripts use `AmoChat`). */
  amoWebchat?: Bubble | 'loading';
  /** The site owner's API (public-api.ts); before the bubble loads, a queue of calls the page made. */
  AmoChat?: AmoChatApi | unknown[];
}

const EMBED_PATH = /\/webchat\/embed\.js(?:[?#].*)?$/;

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
  // `data-lang="es"` (or `pt-BR`, …) on the tag fixes the language; `auto` or anything unknown detects it.
  const locale = chooseLocale(script.dataset.lang);
  const start = (): void => {
    const bubble = mountBubble({ api: createHttpApi(baseUrl), siteKey, locale });
    g.amoWebchat = bubble;
    const notifier = createNotifier({ t: createTranslator(locale), sound: script.dataset.sound === 'on', unread: () => bubble.client.unreadCount() });
    bubble.client.onIncoming(() => notifier.incoming(bubble.isOpen && document.visibilityState === 'visible'));
    const api = createPublicApi(bubble);
    const queued = g.AmoChat;
    g.AmoChat = api;
    runQueued(api, queued);
    window.dispatchEvent(new CustomEvent('amochat:ready', { detail: api }));
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
}

boot();
