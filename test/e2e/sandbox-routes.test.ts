/**
 * The sandbox page's routes over HTTP (no browser): what `GET /` serves in sandbox mode and in production,
 * the demo website's snippet, the widget host, and the assets and vendor scripts they load.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createAmojoClient } from '../../server/amojo/client.js';
import { SANDBOX_CHANNEL, SANDBOX_TELEGRAM_CHANNEL } from '../../server/config/index.js';
import { startTestBackend, type TestBackend } from '../support/server.js';

describe('sandbox page routes', () => {
  const backends: TestBackend[] = [];
  afterAll(async () => void (await Promise.all(backends.map((b) => b.stop()))));
  const start = async (env?: Record<string, string>) => {
    const b = await startTestBackend(env ? { env } : {});
    backends.push(b);
    return b;
  };

  it('serves the four-pane page at / in sandbox mode, in the visitor’s language', async () => {
    const b = await start();
    const en = await (await fetch(`${b.url}/`)).text();
    expect(en).toContain('<html lang="en">');
    for (const id of ['pane-site', 'pane-inbox', 'pane-widget', 'pane-telegram']) expect(en).toContain(`id="${id}"`);
    expect(en).toContain('src="/sandbox/page/assets/telegram.js"');
    expect(en).toContain('src="/sandbox/page/demo?lang=en"');
    const ru = await (await fetch(`${b.url}/`, { headers: { 'Accept-Language': 'ru-RU,ru;q=0.9' } })).text();
    expect(ru).toContain('<html lang="ru">');
    expect(ru).toContain('Входящие amoCRM (эмулятор)');
    expect(await (await fetch(`${b.url}/?lang=en`, { headers: { 'Accept-Language': 'ru' } })).text()).toContain('<html lang="en">');
  });

  it('puts the chat snippet on the demo website once the channel is connected', async () => {
    const b = await start();
    expect(await (await fetch(`${b.url}/sandbox/page/state.json`)).json()).toEqual({ connected: false, site_key: null, scope_id: null });
    const waiting = await (await fetch(`${b.url}/sandbox/page/demo`)).text();
    expect(waiting).toContain('class="waiting"');
    expect(waiting).not.toContain('/webchat/embed.js');

    await b.services.sandbox!.installDefaultAccount();
    const state = (await (await fetch(`${b.url}/sandbox/page/state.json`)).json()) as { connected: boolean; site_key: string; scope_id: string };
    expect(state.connected).toBe(true);
    const demo = await (await fetch(`${b.url}/sandbox/page/demo`)).text();
    expect(demo).toContain(`<script async src="/webchat/embed.js" data-site-key="${state.site_key}"></script>`);
  });

  it('hosts the widget with the emulated account, RequireJS and jQuery', async () => {
    const b = await start();
    const host = await (await fetch(`${b.url}/sandbox/page/widget`)).text();
    const config = JSON.parse(/<script type="application\/json" id="host-config">(.*?)<\/script>/.exec(host)![1]!) as { account: { amojoId: string }; tokenUrl: string };
    expect(config.account.amojoId).toBe(b.services.sandbox!.amocrm.account(b.services.sandbox!.amocrm.defaultAccountId()).amojoId);
    expect(config.tokenUrl).toBe('/sandbox/amocrm/_emulator/one-time-tokens');
    for (const path of ['/sandbox/page/vendor/require.js', '/sandbox/page/vendor/jquery.js', '/sandbox/page/assets/inbox.js', '/sandbox/page/assets/widget-host.js', '/sandbox/page/widget-files/script.js']) {
      const res = await fetch(`${b.url}${path}`);
      expect([path, res.status, /^(text|application)\/javascript\b/i.test(res.headers.get('content-type') ?? '')]).toEqual([path, 200, true]);
    }
  }, 120_000);

  it('mounts the emulated Telegram at TELEGRAM_API_BASE_URL, with the ready bot the widget pane offers', async () => {
    const b = await start();
    expect(b.config.telegram!.apiBaseUrl).toBe(`${b.url}/sandbox/telegram`);
    const { token, username } = b.services.sandbox!.telegram.bot;
    const me = (await (await fetch(`${b.config.telegram!.apiBaseUrl}/bot${token}/getMe`)).json()) as { ok: boolean; result: { username: string; is_bot: boolean } };
    expect(me).toMatchObject({ ok: true, result: { username, is_bot: true } });
    expect((await fetch(`${b.config.telegram!.apiBaseUrl}/bot${token.replace(/.$/, '_')}/getMe`)).status).toBe(401);
    const host = await (await fetch(`${b.url}/sandbox/page/widget`)).text();
    expect(host).toContain(`<code>${token}</code>`);
    // The emulated Chats API knows the Telegram channel beside the website chat's: signed with its own secret, it connects.
    const amojoId = b.services.sandbox!.amocrm.account(b.services.sandbox!.amocrm.defaultAccountId()).amojoId;
    const telegramChannel = createAmojoClient({ channelId: SANDBOX_TELEGRAM_CHANNEL.id, channelSecret: SANDBOX_TELEGRAM_CHANNEL.secret });
    const connected = await telegramChannel.connect(b.config.amojoBaseUrl!, { accountAmojoId: amojoId, title: 'Telegram' });
    expect(b.services.sandbox!.amojo.connections().find((c) => c.channelId === SANDBOX_TELEGRAM_CHANNEL.id)).toMatchObject({ scopeId: connected.scopeId, isActive: true });
    const forged = createAmojoClient({ channelId: SANDBOX_TELEGRAM_CHANNEL.id, channelSecret: SANDBOX_CHANNEL.secret });
    await expect(forged.connect(b.config.amojoBaseUrl!, { accountAmojoId: amojoId })).rejects.toThrow();
    for (const path of ['/sandbox/page/assets/telegram.js', '/sandbox/page/assets/telegram-view.js']) {
      expect([path, (await fetch(`${b.url}${path}`)).status]).toEqual([path, 200]);
    }
  });

  it('is absent with real credentials: / is the status page and /sandbox/page/* is not found', async () => {
    const b = await start({
      AMOJO_CHANNEL_ID: '11111111-2222-4333-8444-555555555555',
      AMOJO_CHANNEL_SECRET: 'a-real-looking-secret-for-the-test',
      AMOJO_CHANNEL_CODE: 'amo.ext.test',
      AMO_CLIENT_ID: '66666666-7777-4888-9999-000000000000',
      AMO_CLIENT_SECRET: 'client-secret-for-the-test',
    });
    const home = await (await fetch(`${b.url}/`)).text();
    expect(home).not.toContain('pane-inbox');
    expect(home).toContain('production');
    expect((await fetch(`${b.url}/sandbox/page/state.json`)).status).toBe(404);
    expect((await fetch(`${b.url}/sandbox/telegram/_control/bots`)).status).toBe(404);
    expect(b.config.telegram).toBeUndefined();
    expect((await fetch(`${b.url}/webchat/embed.js`)).status).toBe(200);
  }, 60_000);
});
