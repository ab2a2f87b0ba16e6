/**
 * The bubble configured from amoCRM, in Chromium, cross-origin on a page of its own against the real
 * backend in sandbox mode: a setting saved in the widget reaches the bubble's next load (one cached
 * settings request per load), out of hours it shows the away message and the message still reaches
 * amoCRM marked, and nothing is written to the visitor's device before the chat is first opened.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import { browserTestsEnabled, launchBrowser } from '../support/browser.js';
import { widget } from '../support/amocrm.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { serveHostPages, type HostPages } from './support/host-pages.js';
import { ARTIFACTS, BubbleDriver, writtenText } from './support/sandbox.js';

describe.runIf(browserTestsEnabled())('the bubble as configured in amoCRM', () => {
  let started: Promise<{ browser: Browser; backend: TestBackend; host: HostPages; siteKey: string }> | undefined;
  const world = () =>
    (started ??= (async () => {
      const browser = await launchBrowser();
      const backend = await startTestBackend();
      await backend.services.sandbox!.installDefaultAccount();
      const siteKey = (await backend.services.store.accounts.listConnected())[0]!.site_key!;
      const page = (extra = '', before = '') =>
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head><body><h1>Shop</h1>${before}` +
        `<script async src="${backend.url}/webchat/embed.js" data-site-key="${siteKey}"${extra}></script></body></html>`;
      // A logged-in customer: the site queues what it knows before the bubble has loaded.
      const known = `<script>window.AmoChat = [['setVisitor', { name: 'Anna Petrova', email: 'anna@example.com' }]];</script>`;
      const host = await serveHostPages({ '/shop.html': page(), '/shop-stores.html': page(' data-store="always"'), '/account.html': page('', known) });
      return { browser, backend, host, siteKey };
    })());
  afterAll(async () => {
    const w = await started?.catch(() => undefined);
    await Promise.allSettled([w?.browser.close(), w?.backend.stop(), w?.host.close()]);
  });

  const saveSettings = async (webchat: Record<string, unknown>) => {
    const { backend } = await world();
    const res = await widget(backend, 'PUT', '/widget/settings', { body: { webchat }, mint: { accountId: SANDBOX_ACCOUNT.id } });
    expect(res.status).toBe(200);
  };

  /** A visitor's browser: its own HTTP cache and storage. */
  async function visitor(): Promise<{ context: BrowserContext; load(path?: string): Promise<{ settingsAnswers: Array<{ cacheControl: string | undefined }> }>; page: import('playwright-core').Page }> {
    const { browser, host } = await world();
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    return {
      context,
      page,
      async load(path = '/shop.html') {
        const settingsAnswers: Array<{ cacheControl: string | undefined }> = [];
        const onResponse = (r: import('playwright-core').Response) => {
          if (r.url().includes('/webchat/v1/settings')) settingsAnswers.push({ cacheControl: r.headers()['cache-control'] });
        };
        page.on('response', onResponse);
        await page.goto(`${host.url}${path}`);
        await page.waitForSelector('amo-webchat button.launcher');
        page.off('response', onResponse);
        return { settingsAnswers };
      },
    };
  }

  it('shows a setting saved in the widget at the next load, from one cached settings request', async () => {
    const first = await visitor();
    try {
      const before = await first.load();
      expect(before.settingsAnswers).toEqual([{ cacheControl: 'public, max-age=60' }]);
      await new BubbleDriver(first.page).open();
      expect(await first.page.textContent('amo-webchat h2')).toBe('Chat with us');

      await saveSettings({ title: 'Ask Shop', greeting: 'Hola, ¿en qué podemos ayudar?', color: '#7c2d12', position: 'left', language: 'es' });

      // A visitor loading the site after the cache time (a fresh browser cache here) gets the new bubble.
      const later = await visitor();
      try {
        const after = await later.load();
        expect(after.settingsAnswers).toHaveLength(1);
        await new BubbleDriver(later.page).open();
        expect(await later.page.textContent('amo-webchat h2')).toBe('Ask Shop');
        expect(await later.page.textContent('amo-webchat .greeting')).toBe('Hola, ¿en qué podemos ayudar?');
        expect(await later.page.getAttribute('amo-webchat textarea', 'placeholder')).toBe('Escribe un mensaje…');
        expect(await later.page.$eval('amo-webchat header', (el) => getComputedStyle(el).backgroundColor)).toBe('rgb(124, 45, 18)');
        const launcher = await later.page.$eval('amo-webchat button.launcher', (el) => el.getBoundingClientRect().left);
        expect(launcher).toBeLessThan(100);
        await later.page.screenshot({ path: join(ARTIFACTS, 'e2e-bubble-configured.png') });
      } finally {
        await later.context.close();
      }
    } finally {
      await first.context.close();
      await saveSettings({ title: null, greeting: null, color: '#2563eb', position: 'right', language: 'auto' });
    }
  }, 120_000);

  it('out of hours shows the away message and offers the contact form; the message reaches amoCRM marked', async () => {
    const { backend } = await world();
    // Closed every day: whatever the time of the run, it is out of hours.
    await saveSettings({ hours: { timezone: 'Europe/Moscow', days: {} }, away_message: 'We are closed now, leave your contacts.' });
    const v = await visitor();
    try {
      await v.load();
      const bubble = new BubbleDriver(v.page);
      await bubble.open();
      expect(await v.page.textContent('amo-webchat .greeting')).toBe('We are closed now, leave your contacts.');
      expect(await v.page.$eval('amo-webchat details.profile', (el) => (el as HTMLDetailsElement).open)).toBe(true);
      await bubble.send('Are you open tomorrow?');
      const amojo = backend.services.sandbox!.amojo;
      const scopeId = (await backend.services.store.accounts.listConnected())[0]!.scope_id!;
      await expect
        .poll(() => amojo.chats(scopeId).flatMap((c) => amojo.messages(c.id)).map((m) => writtenText(m.content.text ?? '')).find((t) => t.endsWith('Are you open tomorrow?')), { timeout: 20_000 })
        .toMatch(/^🌙 .+\nAre you open tomorrow\?$/);
      // The visitor sees their own words only.
      await bubble.waitForMessage('visitor', 'Are you open tomorrow?');
      await v.page.screenshot({ path: join(ARTIFACTS, 'e2e-bubble-away.png') });
    } finally {
      await v.context.close();
      await saveSettings({ hours: null, away_message: null });
    }
  }, 120_000);

  it('draws the launcher before the settings answer, in the look this browser kept from its last load', async () => {
    await saveSettings({ color: '#7c2d12', position: 'left' });
    const launcherLook = (page: import('playwright-core').Page) =>
      page.$eval('amo-webchat button.launcher', (el) => ({ background: getComputedStyle(el).backgroundColor, isLeft: el.getBoundingClientRect().left < 100 }));
    /** The next load of `page` with its settings request held until `release()`. */
    const holdSettings = async (page: import('playwright-core').Page) => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      await page.route('**/webchat/v1/settings?*', async (route) => {
        await held;
        await route.continue();
      });
      return release;
    };
    const returning = await visitor();
    const fresh = await visitor();
    try {
      await returning.load();
      await new BubbleDriver(returning.page).open(); // opening lets the bubble keep its state, the settings with it
      await expect.poll(() => returning.page.evaluate(() => localStorage.getItem(localStorage.key(0) ?? '') ?? '')).toContain('#7c2d12');
      const release = await holdSettings(returning.page);
      await returning.load();
      expect(await launcherLook(returning.page)).toEqual({ background: 'rgb(124, 45, 18)', isLeft: true });
      release();
      await returning.page.waitForSelector('amo-webchat #awc-panel:not([hidden])'); // it was left open
      expect(await returning.page.$eval('amo-webchat header', (el) => getComputedStyle(el).backgroundColor)).toBe('rgb(124, 45, 18)');

      // A browser with nothing kept: the defaults at once, the site's look when the answer comes; a click
      // made meanwhile opens the panel then.
      const releaseFresh = await holdSettings(fresh.page);
      await fresh.load();
      expect(await launcherLook(fresh.page)).toEqual({ background: 'rgb(37, 99, 235)', isLeft: false });
      await fresh.page.click('amo-webchat button.launcher');
      expect(await fresh.page.$('amo-webchat #awc-panel')).toBeNull();
      releaseFresh();
      await fresh.page.waitForSelector('amo-webchat #awc-panel:not([hidden])');
      expect(await launcherLook(fresh.page)).toEqual({ background: 'rgb(124, 45, 18)', isLeft: true });
    } finally {
      await Promise.all([returning.context.close(), fresh.context.close()]);
      await saveSettings({ color: '#2563eb', position: 'right' });
    }
  }, 120_000);

  it('fills the pre-chat form with what the site knows of the visitor, and skips it when nothing required is missing', async () => {
    await saveSettings({ prechat: { name: 'required', email: 'required', phone: 'optional' } });
    const formOf = (v: { page: import('playwright-core').Page }) =>
      v.page.evaluate(() => {
        const root = document.querySelector('amo-webchat')!.shadowRoot!;
        const value = (name: string) => root.querySelector<HTMLInputElement>(`input[name=${name}]`)?.value;
        return { name: value('name'), email: value('email'), phone: value('phone'), isOpen: root.querySelector<HTMLDetailsElement>('details.profile')!.open, canWrite: !root.querySelector('textarea')!.disabled };
      });
    const queued = await visitor();
    const later = await visitor();
    try {
      // Given before the bubble loaded (queued): the form is filled and folded away, the visitor can write.
      await queued.load('/account.html');
      await new BubbleDriver(queued.page).open();
      expect(await formOf(queued)).toEqual({ name: 'Anna Petrova', email: 'anna@example.com', phone: '', isOpen: false, canWrite: true });

      // Given while the form is already asking: it fills in and steps aside.
      await later.load();
      await new BubbleDriver(later.page).open();
      expect(await formOf(later)).toEqual({ name: '', email: '', phone: '', isOpen: true, canWrite: false });
      await later.page.evaluate(() => (window as unknown as { AmoChat: { setVisitor(p: object): Promise<void> } }).AmoChat.setVisitor({ name: 'Boris', email: 'boris@example.com', phone: 42 }));
      expect(await formOf(later)).toEqual({ name: 'Boris', email: 'boris@example.com', phone: '', isOpen: false, canWrite: true });
      // Only part of what is required: the form keeps asking for the rest.
      const partial = await visitor();
      try {
        await partial.load();
        await new BubbleDriver(partial.page).open();
        await partial.page.evaluate(() => (window as unknown as { AmoChat: { setVisitor(p: object): Promise<void> } }).AmoChat.setVisitor({ email: 'vera@example.com' }));
        expect(await formOf(partial)).toEqual({ name: '', email: 'vera@example.com', phone: '', isOpen: true, canWrite: false });
      } finally {
        await partial.context.close();
      }
    } finally {
      await Promise.all([queued.context.close(), later.context.close()]);
      await saveSettings({ prechat: { name: 'optional', email: 'optional', phone: 'optional' } });
    }
  }, 120_000);

  it('writes nothing to the visitor\'s device before the chat is first opened', async () => {
    const { backend } = await world();
    const v = await visitor();
    try {
      await v.load();
      // The bubble is up and has asked its settings; a write of its state (as closing does) stays in memory.
      await v.page.evaluate(() => (window as unknown as { amoWebchat: { client: { setOpen(o: boolean): void } } }).amoWebchat.client.setOpen(false));
      expect(await v.page.evaluate(() => ({ storage: localStorage.length, session: sessionStorage.length, cookie: document.cookie }))).toEqual({ storage: 0, session: 0, cookie: '' });
      expect(await v.context.cookies([backend.url])).toEqual([]);
      await new BubbleDriver(v.page).open();
      await expect.poll(() => v.page.evaluate(() => localStorage.length)).toBe(1);
      expect(await v.context.cookies()).toEqual([]);
    } finally {
      await v.context.close();
    }
  }, 120_000);

  it('keeps its state on the device from the start when the snippet says data-store="always"', async () => {
    const v = await visitor();
    try {
      await v.load('/shop-stores.html');
      // The bubble writes once it has something to keep; opening is not needed.
      await v.page.evaluate(() => (window as unknown as { amoWebchat: { client: { setOpen(o: boolean): void } } }).amoWebchat.client.setOpen(false));
      expect(await v.page.evaluate(() => localStorage.length)).toBe(1);
    } finally {
      await v.context.close();
    }
  }, 120_000);
});
