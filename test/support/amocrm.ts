/**
 * Helpers for install / widget tests against the sandbox backend: install an emulated account
 * through the real callback, uninstall it as amoCRM does, call the widget API with a one-time
 * token, sign the uninstall hook.
 */
import { createHmac } from 'node:crypto';
import { startTestBackend, type TestBackend } from './server.js';
import { createLogger, type Logger } from '../../server/log.js';
import { SANDBOX_ACCOUNT, type AmocrmEmulator, type EmulatedAccount, type InstallOptions, type MintOptions } from '../../server/sandbox/amocrm/index.js';

export function emulators(backend: TestBackend) {
  const sandbox = backend.services.sandbox;
  if (!sandbox) throw new Error('the test backend is not in sandbox mode');
  return sandbox;
}

/** A sandbox backend with the integration installed in the sandbox account and in `OTHER_ACCOUNT`. */
export async function startWithTwoAccounts(): Promise<TestBackend> {
  const backend = await startTestBackend();
  emulators(backend).amocrm.addAccount(OTHER_ACCOUNT);
  for (const accountId of [SANDBOX_ACCOUNT.id, OTHER_ACCOUNT.id]) {
    const { status } = await install(backend, accountId);
    if (status !== 200) throw new Error(`installing account ${accountId} answered ${status}`);
  }
  return backend;
}

/** Installs the integration in `accountId` through `GET /oauth/callback`, as amoCRM does. */
export async function install(backend: TestBackend, accountId?: number, headers: Record<string, string> = {}): Promise<{ status: number; html: string }> {
  const { callbackUrl } = emulators(backend).amocrm.install(accountId === undefined ? {} : { accountId });
  const res = await fetch(callbackUrl, { headers });
  return { status: res.status, html: await res.text() };
}

/**
 * Removes the integration from `accountId` as amoCRM does (its tokens stop working) and calls the
 * signed disconnect hook; the hook URL comes back for replays.
 */
export async function uninstall(backend: TestBackend, accountId?: number): Promise<{ status: number; body: Record<string, unknown>; hookUrl: string }> {
  const { hookUrl } = emulators(backend).amocrm.uninstall(accountId);
  return { ...(await callHook(hookUrl)), hookUrl };
}

/** Calls a disconnect-hook URL (a replay, or a forged one). */
export async function callHook(hookUrl: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(hookUrl);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A logger that keeps every line it writes, parsed, for assertions on what was logged. */
export function recordingLogger(): { logger: Logger; lines: Array<{ level: number; msg: string; [k: string]: unknown }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = createLogger({ level: 'info', secrets: [], destination: { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) } });
  return { logger, lines };
}

export interface WidgetAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** Calls the widget API with a freshly minted token (or the one given). */
export async function widget(
  backend: TestBackend,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: '/widget/status' | '/widget/connect' | '/widget/disconnect' | string,
  opts: { token?: string | null; mint?: MintOptions; body?: unknown; origin?: string; query?: string } = {},
): Promise<WidgetAnswer> {
  const token = opts.token === undefined ? await emulators(backend).amocrm.mintOneTimeToken(opts.mint) : opts.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers['X-Auth-Token'] = token;
  if (opts.origin) headers['Origin'] = opts.origin;
  let body: string | undefined;
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body ?? {});
  }
  const res = await fetch(`${backend.url}${path}${opts.query ?? ''}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export function revokeSignature(secret: string, clientUuid: string, accountId: number | string): string {
  return createHmac('sha256', secret).update(`${clientUuid}|${accountId}`).digest('hex');
}

/** A second account on Kommo with one admin, for cross-account tests. */
export const OTHER_ACCOUNT: EmulatedAccount = {
  id: 30000002,
  host: 'other.kommo.com',
  name: 'Other Company',
  amojoId: 'd4e5f6a7-8b9c-4d0e-9f1a-2b3c4d5e6f70',
  users: [{ id: 50000001, name: 'Olga Owner', email: 'owner@other.example', lang: 'en', amojoId: null, isAdmin: true }],
};

/** An answer of the emulated REST API, its body parsed. */
export interface EmulatorAnswer {
  status: number;
  type: string;
  body: Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * The amoCRM emulator alone on its own port, for tests of its endpoints: access tokens got through
 * its token endpoint, as the backend gets them, and raw REST calls with one.
 */
export function emulatorRest(emulator: AmocrmEmulator, oauth: { clientId: string; clientSecret: string; redirectUri: string }) {
  let url = '';
  return {
    /** Listens on 127.0.0.1; answers the function that stops it. */
    async start(): Promise<() => Promise<void>> {
      const running = await emulator.listen();
      url = running.url;
      return running.close;
    },
    async accessToken(install: InstallOptions = {}): Promise<string> {
      const { code } = emulator.install(install);
      const res = await fetch(`${url}/oauth2/access_token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_id: oauth.clientId, client_secret: oauth.clientSecret, redirect_uri: oauth.redirectUri, grant_type: 'authorization_code', code }),
      });
      return ((await res.json()) as { access_token: string }).access_token;
    },
    async api(method: string, path: string, body: unknown, token: string): Promise<EmulatorAnswer> {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as EmulatorAnswer['body']) : undefined };
    },
  };
}
