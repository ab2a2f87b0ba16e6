/** Mounts the bubble in jsdom against a FakeApi, with deterministic ids, and small query helpers. */
import { mountBubble, type Bubble } from '../../../webchat-embed/src/bubble.js';
import type { Locale } from '../../../webchat-embed/src/i18n.js';
import { FakeApi, flush } from './fake-api.js';

export const SITE_KEY = 'site-test-1';

export interface TestBubble {
  bubble: Bubble;
  api: FakeApi;
  $<T extends Element = HTMLElement>(selector: string): T;
  $$<T extends Element = HTMLElement>(selector: string): T[];
  /** The rendered messages, in order. */
  items(): HTMLLIElement[];
  texts(): string[];
  type(text: string): void;
  send(text: string): Promise<void>;
}

let ids = 0;

export function mountTest(options: { api?: FakeApi; locale?: Locale } = {}): TestBubble {
  const api = options.api ?? new FakeApi();
  const bubble = mountBubble({ api, siteKey: SITE_KEY, locale: options.locale ?? 'en', newId: () => `c-${++ids}` });
  const $ = <T extends Element>(selector: string): T => {
    const el = bubble.shadow.querySelector<T>(selector);
    if (!el) throw new Error(`nothing matches ${selector}`);
    return el;
  };
  const $$ = <T extends Element>(selector: string): T[] => [...bubble.shadow.querySelectorAll<T>(selector)];
  const t: TestBubble = {
    bubble,
    api,
    $,
    $$,
    items: () => $$<HTMLLIElement>('li.msg'),
    texts: () => $$<HTMLLIElement>('li.msg').map((li) => li.querySelector('.text')?.textContent ?? ''),
    type(text) {
      const box = $<HTMLTextAreaElement>('textarea');
      box.value = text;
      box.dispatchEvent(new Event('input', { bubbles: true }));
    },
    async send(text) {
      t.type(text);
      $<HTMLFormElement>('form.row').requestSubmit();
      await flush(20);
    },
  };
  return t;
}

export function key(target: EventTarget, k: string, init: KeyboardEventInit = {}): void {
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true, cancelable: true, ...init }));
}
