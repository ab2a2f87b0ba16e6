/**
 * Install and uninstall against both emulators over real HTTP: the OAuth callback, reinstall,
 * the uninstall hook, and the refusals that must happen before any outbound request.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CHANNEL } from '../../server/config/index.js';
import { httpByteTransport, type ByteTransport, type ByteRequest } from '../../server/net/byte-transport.js';
import { createAmojoEmulator } from '../../server/sandbox/amojo/index.js';
import { SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import { startTestBackend, type TestBackend } from '../support/server.js';
import { callHook, emulators, install, recordingLogger, revokeSignature, uninstall, widget } from '../support/amocrm.js';

const ACCOUNT = SANDBOX_ACCOUNT.id;
const SCOPE = `${SANDBOX_CHANNEL.id}_${SANDBOX_ACCOUNT.amojoId}`;

describe('install (GET /oauth/callback)', () => {
  let backend: TestBackend;
  const sent: ByteRequest[] = [];
  const spy: ByteTransport = (req) => {
    sent.push(req);
    return httpByteTransport(req);
  };

  beforeEach(async () => {
    sent.length = 0;
    backend = await startTestBackend({ serviceOptions: { amocrmTransport: spy } });
  });
  afterEach(() => backend.stop());

  it('exchanges the code, stores the tokens, connects the channel and shows the snippet', async () => {
    const page = await install(backend, ACCOUNT, { 'Accept-Language': 'en-GB,en;q=0.8' });
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Connected</h1>');

    const row = await backend.services.store.accounts.get(ACCOUNT);
    expect(row).toMatchObject({ host: 'sandbox.amocrm.ru', amojo_id: SANDBOX_ACCOUNT.amojoId, connection_state: 'connected', scope_id: SCOPE, language: 'en' });
    expect(row?.access_token).toBeTruthy();
    expect(row?.refresh_token).toBeTruthy();
    expect(row?.token_expires_at).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(row?.site_key).toMatch(/^sk_/);
    // Tokens never reach the page.
    expect(page.html).not.toContain(row!.access_token!);
    expect(page.html).not.toContain(row!.refresh_token!);
    expect(page.html).toContain(row!.site_key!);

    const { amojo, amocrm } = emulators(backend);
    expect(amojo.connections()).toEqual([expect.objectContaining({ scopeId: SCOPE, accountId: SANDBOX_ACCOUNT.amojoId, isActive: true })]);
    expect(amocrm.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /oauth2/access_token 200',
      'GET /api/v4/account?with=amojo_id 200',
    ]);

    const status = await widget(backend, 'GET', '/widget/status');
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      connected: true,
      state: 'connected',
      reason: null,
      scope_id: SCOPE,
      title: expect.any(String),
      webchat: {
        site_key: row!.site_key,
        snippet: `<script async src="${backend.url}/webchat/embed.js" data-site-key="${row!.site_key}"></script>`,
      },
      telegram: { connected: false, scope_id: null, bot_username: null },
    });
  });

  it('answers in Russian for an amocrm.ru account when the browser says nothing', async () => {
    const page = await install(backend, ACCOUNT);
    expect(page.status).toBe(200);
    expect(page.html).toContain('lang="ru"');
    expect(page.html).toContain('Подключено');
  });

  it('reinstall connects again and keeps the site key', async () => {
    await install(backend, ACCOUNT);
    const siteKey = (await backend.services.store.accounts.get(ACCOUNT))?.site_key;
    const off = await widget(backend, 'POST', '/widget/disconnect');
    expect(off.body).toMatchObject({ connected: false, state: 'disconnected', webchat: null, scope_id: null });
    expect(emulators(backend).amojo.connections()[0]?.isActive).toBe(false);

    const again = await install(backend, ACCOUNT);
    expect(again.status).toBe(200);
    const row = await backend.services.store.accounts.get(ACCOUNT);
    expect(row).toMatchObject({ connection_state: 'connected', scope_id: SCOPE, site_key: siteKey });
    expect(emulators(backend).amojo.connections()[0]?.isActive).toBe(true);
    const connects = emulators(backend).amojo.requests().filter((r) => r.path.endsWith('/connect'));
    expect(connects).toHaveLength(2);
    expect(emulators(backend).amocrm.codeExchangeCount(ACCOUNT)).toBe(2);
  });

  it('refuses a code used twice with a page, and changes nothing', async () => {
    const { callbackUrl } = emulators(backend).amocrm.install({ accountId: ACCOUNT });
    expect((await fetch(callbackUrl)).status).toBe(200);
    await widget(backend, 'POST', '/widget/disconnect');
    const second = await fetch(callbackUrl, { headers: { 'Accept-Language': 'en' } });
    expect(second.status).toBe(400);
    expect(await second.text()).toContain('Installation expired');
    expect((await backend.services.store.accounts.get(ACCOUNT))?.connection_state).toBe('disconnected');
  });

  it('answers a refusal (error=access_denied) with a page and no request', async () => {
    const res = await fetch(`${backend.url}/oauth/callback?error=access_denied&state=abc&lang=en`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('Access not granted');
    expect(sent).toHaveLength(0);
  });

  it.each([
    ['another domain', 'evil.example.com'],
    ['an amoCRM look-alike suffix', 'sandbox.amocrm.ru.evil.com'],
    ['a path', 'evil.com/x.amocrm.ru'],
    ['user info', 'x.amocrm.ru@evil.com'],
    ['a port', 'sandbox.amocrm.ru:8443'],
    ['a nested subdomain', 'a.b.amocrm.ru'],
    ['plain http', 'http://sandbox.amocrm.ru'],
    ['the marketing host only', 'amocrm.ru'],
    ['nothing', ''],
  ])('refuses a referer with %s before any outbound request', async (_name, referer) => {
    const { code } = emulators(backend).amocrm.install({ accountId: ACCOUNT });
    const res = await fetch(`${backend.url}/oauth/callback?code=${code}&referer=${encodeURIComponent(referer)}&from_widget=1`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_referer' });
    expect(sent).toHaveLength(0);
    expect(emulators(backend).amocrm.requests()).toHaveLength(0);
    expect(emulators(backend).amojo.requests()).toHaveLength(0);
  });

  it('refuses a callback without a code, or with repeated parameters', async () => {
    expect((await fetch(`${backend.url}/oauth/callback?referer=sandbox.amocrm.ru`)).status).toBe(400);
    expect((await fetch(`${backend.url}/oauth/callback?code=a&code=b&referer=sandbox.amocrm.ru`)).status).toBe(400);
    expect(sent).toHaveLength(0);
  });
});

describe('uninstall (GET /oauth/revoked)', () => {
  let backend: TestBackend;
  let log: ReturnType<typeof recordingLogger>;
  /** Breaks every call to amoCRM while true, as a network failure does. */
  let amocrmDown = false;
  const transport: ByteTransport = (req) => (amocrmDown ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) : httpByteTransport(req));

  beforeEach(async () => {
    amocrmDown = false;
    log = recordingLogger();
    backend = await startTestBackend({ logger: log.logger, serviceOptions: { amocrmTransport: transport } });
    await install(backend, ACCOUNT);
  });
  afterEach(() => backend.stop());

  const hook = (query: string) => fetch(`${backend.url}/oauth/revoked?${query}`);

  it('refuses a bad, missing or foreign signature with 401 and changes nothing', async () => {
    const { clientId, clientSecret } = backend.config.oauth;
    const good = revokeSignature(clientSecret, clientId, ACCOUNT);
    const forged = revokeSignature('another-secret', clientId, ACCOUNT);
    const otherAccount = revokeSignature(clientSecret, clientId, ACCOUNT + 1);
    for (const q of [
      `account_id=${ACCOUNT}&client_uuid=${clientId}&signature=${forged}`,
      `account_id=${ACCOUNT}&client_uuid=${clientId}&signature=${otherAccount}`,
      `account_id=${ACCOUNT}&client_uuid=${clientId}`,
      `account_id=${ACCOUNT}&client_uuid=another-client&signature=${revokeSignature(clientSecret, 'another-client', ACCOUNT)}`,
      `account_id=${ACCOUNT}&client_uuid=${clientId}&signature=${good.slice(0, 63)}`,
    ]) {
      const res = await hook(q);
      expect(res.status, q).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_signature' });
    }
    const row = await backend.services.store.accounts.get(ACCOUNT);
    expect(row).toMatchObject({ connection_state: 'connected' });
    expect(row?.refresh_token).toBeTruthy();
  });

  it('disconnects, forgets the tokens and keeps the conversations (upper-case hex accepted)', async () => {
    const { db } = backend.services.store.storeDb;
    const t = Date.now();
    await db
      .insertInto('conversations')
      .values({ id: 'conv-1', account_id: ACCOUNT, platform: 'webchat', platform_chat_id: 'v1', participant_id: 'p1', participant_name: null, profile: null, amojo_chat_id: null, amojo_participant_id: null, created_at: t, updated_at: t })
      .execute();
    const { hookUrl } = emulators(backend).amocrm.uninstall(ACCOUNT);
    const upperCase = new URL(hookUrl);
    upperCase.searchParams.set('signature', upperCase.searchParams.get('signature')!.toUpperCase());
    const res = await callHook(upperCase.toString());
    expect(res).toEqual({ status: 200, body: { status: 'uninstalled' } });

    const row = await backend.services.store.accounts.get(ACCOUNT);
    expect(row).toMatchObject({ connection_state: 'disconnected', access_token: null, refresh_token: null, token_expires_at: null });
    expect(emulators(backend).amojo.connections()[0]?.isActive).toBe(false);
    expect(await db.selectFrom('conversations').select('id').where('account_id', '=', ACCOUNT).execute()).toHaveLength(1);

    const status = await widget(backend, 'GET', '/widget/status');
    expect(status.body).toMatchObject({ connected: false, state: 'disconnected', webchat: null });
    // Without tokens the widget cannot connect, whatever amojo_id it sends: the admin must reinstall.
    const connect = await widget(backend, 'POST', '/widget/connect', { body: { amojo_id: SANDBOX_ACCOUNT.amojoId } });
    expect(connect.status).toBe(412);
    expect(connect.body).toMatchObject({ error: 'not_installed', message: expect.stringMatching(/install it again/) });
  });

  it('a hook replayed after a reinstall changes nothing: 200, logged at warn', async () => {
    const first = await uninstall(backend, ACCOUNT);
    expect(first.body).toEqual({ status: 'uninstalled' });
    expect((await install(backend, ACCOUNT)).status).toBe(200);
    const reinstalled = await backend.services.store.accounts.get(ACCOUNT);

    const replay = await callHook(first.hookUrl);
    expect(replay).toEqual({ status: 200, body: { status: 'still_installed' } });
    const row = await backend.services.store.accounts.get(ACCOUNT);
    expect(row).toMatchObject({ connection_state: 'connected', scope_id: SCOPE, site_key: reinstalled?.site_key });
    expect(row?.refresh_token).toBeTruthy();
    expect(emulators(backend).amojo.connections()[0]?.isActive).toBe(true);
    expect((await widget(backend, 'GET', '/widget/status')).body).toMatchObject({ connected: true });
    expect(log.lines.filter((l) => l.level === 40 && /uninstall hook ignored/.test(l.msg))).toEqual([expect.objectContaining({ accountId: ACCOUNT })]);
  });

  it('a hook for an account whose tokens amoCRM still accepts changes nothing', async () => {
    const { clientId, clientSecret } = backend.config.oauth;
    const res = await hook(`account_id=${ACCOUNT}&client_uuid=${clientId}&signature=${revokeSignature(clientSecret, clientId, ACCOUNT)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'still_installed' });
    expect(await backend.services.store.accounts.get(ACCOUNT)).toMatchObject({ connection_state: 'connected', refresh_token: expect.any(String) });
  });

  it('keeps the account and answers 503 when amoCRM cannot be reached to confirm', async () => {
    const { hookUrl } = emulators(backend).amocrm.uninstall(ACCOUNT);
    amocrmDown = true;
    const res = await fetch(hookUrl);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(await res.json()).toMatchObject({ error: 'amocrm_unavailable', message: expect.any(String) });
    const row = await backend.services.store.accounts.get(ACCOUNT);
    expect(row).toMatchObject({ connection_state: 'connected' });
    expect(row?.refresh_token).toBeTruthy();
    expect(emulators(backend).amojo.connections()[0]?.isActive).toBe(true);

    // amoCRM calls again once it can be reached: now the uninstall is confirmed.
    amocrmDown = false;
    expect(await callHook(hookUrl)).toEqual({ status: 200, body: { status: 'uninstalled' } });
    expect(await backend.services.store.accounts.get(ACCOUNT)).toMatchObject({ connection_state: 'disconnected', refresh_token: null });
  });

  it('answers 200 for an account it never saw (the hook may repeat)', async () => {
    const { clientId, clientSecret } = backend.config.oauth;
    const res = await hook(`account_id=999&client_uuid=${clientId}&signature=${revokeSignature(clientSecret, clientId, 999)}`);
    expect(res.status).toBe(200);
    expect(await backend.services.store.accounts.get(999)).toBeUndefined();
  });

  it('refuses a malformed account id with 400', async () => {
    const { clientId, clientSecret } = backend.config.oauth;
    const res = await hook(`account_id=abc&client_uuid=${clientId}&signature=${revokeSignature(clientSecret, clientId, 'abc')}`);
    expect(res.status).toBe(400);
  });
});

describe('a channel not approved for the account', () => {
  it('puts the account into error with a reason, shown by /widget/status', async () => {
    const amojo = createAmojoEmulator({
      channels: [{ id: SANDBOX_CHANNEL.id, secret: SANDBOX_CHANNEL.secret, allowedAccounts: ['00000000-0000-4000-8000-000000000000'] }],
    });
    const running = await amojo.listen();
    const backend = await startTestBackend({ env: { AMOJO_BASE_URL: running.url } });
    try {
      const page = await install(backend, ACCOUNT, { 'Accept-Language': 'en' });
      expect(page.status).toBe(502);
      expect(page.html).toContain('not approved');

      const row = await backend.services.store.accounts.get(ACCOUNT);
      expect(row).toMatchObject({ connection_state: 'error', amojo_id: SANDBOX_ACCOUNT.amojoId });
      expect(row?.state_reason).toMatch(/not approved/);
      expect(row?.refresh_token).toBeTruthy();

      const status = await widget(backend, 'GET', '/widget/status');
      expect(status.body).toMatchObject({ connected: false, state: 'error', reason: row?.state_reason, webchat: null });

      const connect = await widget(backend, 'POST', '/widget/connect', { body: { amojo_id: SANDBOX_ACCOUNT.amojoId } });
      expect(connect.status).toBe(502);
      expect(connect.body).toMatchObject({ error: 'channel_not_approved' });
    } finally {
      await backend.stop();
      await running.close();
    }
  });
});

describe('sandbox start-up', () => {
  it('installs and connects the sandbox account once the server answers, through the real install path', async () => {
    const backend = await startTestBackend();
    try {
      await backend.services.start?.();
      await backend.services.sandbox!.startupInstall();
      expect((await backend.services.store.accounts.get(ACCOUNT))?.connection_state).toBe('connected');
      expect(emulators(backend).amocrm.codeExchangeCount(ACCOUNT)).toBe(1);
      expect((await widget(backend, 'GET', '/widget/status')).body).toMatchObject({ connected: true });
      // Idempotent: doing it again keeps the same scope and site key.
      const before = await backend.services.store.accounts.get(ACCOUNT);
      await backend.services.sandbox!.installDefaultAccount();
      expect(await backend.services.store.accounts.get(ACCOUNT)).toMatchObject({ scope_id: before?.scope_id, site_key: before?.site_key, connection_state: 'connected' });
    } finally {
      await backend.services.stop?.();
      await backend.stop();
    }
  });
});
