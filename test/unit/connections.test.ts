import { describe, expect, it } from 'vitest';
import {
  createConnections,
  type ChannelConnectResult,
  type ChannelDisconnectResult,
  type ConnectionAccount,
  type ConnectionAccounts,
  type ConnectionState,
} from '../../server/bridge/connections.js';

const AMOJO = '9a9a9a9a-0000-4000-8000-000000000001';

function fakeAccounts(seed: Partial<ConnectionAccount>[] = []): ConnectionAccounts & { rows: Map<number, ConnectionAccount>; ensureSiteKey(id: number): Promise<string> } {
  const rows = new Map<number, ConnectionAccount>();
  const blank = (id: number): ConnectionAccount => ({ id, host: null, amojo_id: null, connection_state: 'not_connected', state_reason: null, scope_id: null, title: null, site_key: null, refresh_token: null });
  for (const s of seed) rows.set(s.id!, { ...blank(s.id!), ...s });
  const upsert = async (id: number, patch: Partial<ConnectionAccount> = {}) => {
    const row = { ...(rows.get(id) ?? blank(id)), ...patch };
    rows.set(id, row);
    return { ...row };
  };
  return {
    rows,
    get: async (id) => (rows.has(id) ? { ...rows.get(id)! } : undefined),
    getByAmojoId: async (a) => [...rows.values()].find((r) => r.amojo_id === a),
    upsert,
    setConnection: (id, state: ConnectionState, fields) => upsert(id, { state_reason: null, ...fields, connection_state: state }),
    ensureSiteKey: async (id) => (rows.get(id)?.site_key ?? (await upsert(id, { site_key: `sk_${id}` })).site_key!),
    forgetTokens: async (id) => {
      await upsert(id, { refresh_token: null });
    },
  };
}

function setup(opts: { seed?: Partial<ConnectionAccount>[]; connect?: ChannelConnectResult; disconnect?: ChannelDisconnectResult; amojoFromAmocrm?: string | null } = {}) {
  const accounts = fakeAccounts(opts.seed);
  const calls: string[] = [];
  let changes = 0;
  const connections = createConnections({
    accounts,
    channel: {
      async connect(host, amojoId) {
        calls.push(`connect ${host} ${amojoId}`);
        return opts.connect ?? { outcome: 'connected', scopeId: `chan_${amojoId}`, title: 'Chat' };
      },
      async disconnect(host, amojoId) {
        calls.push(`disconnect ${host} ${amojoId}`);
        return opts.disconnect ?? { outcome: 'disconnected' };
      },
    },
    directory: {
      async getAccount() {
        calls.push('amocrm account');
        return { amojoId: opts.amojoFromAmocrm === undefined ? AMOJO : opts.amojoFromAmocrm };
      },
    },
    defaultTitle: 'Website chat',
    onChange: () => changes++,
    onConnected: async (id) => void (await accounts.ensureSiteKey(id)),
  });
  return { accounts, connections, calls, changes: () => changes };
}

describe('connection lifecycle', () => {
  it('not_connected → connected → disconnected → connected, keeping the site key', async () => {
    const { connections, accounts, changes } = setup({ seed: [{ id: 1, host: 'a.amocrm.ru', refresh_token: 'rt' }] });
    expect(await connections.status(1)).toMatchObject({ state: 'not_connected', scopeId: null, siteKey: null });
    expect(await connections.connect(1)).toEqual({ state: 'connected', reason: null, scopeId: `chan_${AMOJO}`, title: 'Chat', siteKey: 'sk_1' });
    expect(await connections.disconnect(1)).toMatchObject({ state: 'disconnected', scopeId: null, siteKey: null });
    expect(accounts.rows.get(1)?.site_key).toBe('sk_1');
    expect(await connections.connect(1)).toMatchObject({ state: 'connected', siteKey: 'sk_1' });
    expect(changes()).toBe(3);
  });

  it('cross-checks the widget amojo_id against amoCRM when the account has tokens', async () => {
    const { connections, calls } = setup({ seed: [{ id: 1, host: 'a.amocrm.ru', refresh_token: 'rt' }] });
    await expect(connections.connect(1, { amojoId: '9a9a9a9a-0000-4000-8000-000000000002' })).rejects.toMatchObject({ status: 409, code: 'amojo_id_mismatch' });
    expect(calls).toEqual(['amocrm account']);
    await expect(connections.connect(1, { amojoId: AMOJO.toUpperCase() })).resolves.toMatchObject({ state: 'connected' });
  });

  it('needs tokens: an amojo_id claimed without them connects nothing (412)', async () => {
    const { connections, calls, accounts } = setup();
    await expect(connections.connect(1)).rejects.toMatchObject({ status: 412, code: 'not_installed' });
    await expect(connections.connect(1, { amojoId: AMOJO })).rejects.toMatchObject({ status: 412, code: 'not_installed' });
    expect(calls).toEqual([]);
    expect(accounts.rows.get(1)).toBeUndefined();
  });

  it("takes the amojo_id amoCRM gives from a holder that has no tokens (a claim never confirmed by amoCRM)", async () => {
    const { connections, accounts } = setup({
      seed: [
        { id: 2, amojo_id: AMOJO, connection_state: 'connected', scope_id: `chan_${AMOJO}`, site_key: 'sk_2' },
        { id: 1, host: 'a.amocrm.ru', refresh_token: 'rt' },
      ],
    });
    await expect(connections.connect(1)).resolves.toMatchObject({ state: 'connected', scopeId: `chan_${AMOJO}` });
    expect(accounts.rows.get(2)).toMatchObject({ amojo_id: null, scope_id: null, connection_state: 'disconnected' });
    expect(accounts.rows.get(1)).toMatchObject({ amojo_id: AMOJO, connection_state: 'connected' });
  });

  it('a refusal puts the account into error with the reason and answers 502 channel_not_approved', async () => {
    const { connections, accounts } = setup({ seed: [{ id: 1, host: 'a.amocrm.ru', refresh_token: 'rt' }], connect: { outcome: 'refused', reason: 'Not approved.' } });
    await expect(connections.connect(1)).rejects.toMatchObject({ status: 502, code: 'channel_not_approved' });
    expect(accounts.rows.get(1)).toMatchObject({ connection_state: 'error', state_reason: 'Not approved.', amojo_id: AMOJO });
    expect(await connections.status(1)).toMatchObject({ state: 'error', reason: 'Not approved.' });
  });

  it('an unavailable chat service changes nothing and answers 502 upstream_error', async () => {
    const { connections, accounts } = setup({ seed: [{ id: 1, host: 'a.amocrm.ru', refresh_token: 'rt', connection_state: 'disconnected' }], connect: { outcome: 'unavailable' } });
    await expect(connections.connect(1)).rejects.toMatchObject({ status: 502, code: 'upstream_error' });
    expect(accounts.rows.get(1)?.connection_state).toBe('disconnected');
  });

  it('refuses an amojo_id another installed account holds', async () => {
    const { connections } = setup({ seed: [{ id: 2, amojo_id: AMOJO, connection_state: 'connected', refresh_token: 'rt2' }, { id: 1, host: 'a.amocrm.ru', refresh_token: 'rt' }] });
    await expect(connections.connect(1, { amojoId: AMOJO })).rejects.toMatchObject({ status: 409, code: 'amojo_id_in_use' });
  });

  it('disconnect with the chat service down keeps the state and answers 502', async () => {
    const { connections, accounts } = setup({ seed: [{ id: 1, amojo_id: AMOJO, connection_state: 'connected' }], disconnect: { outcome: 'unavailable' } });
    await expect(connections.disconnect(1)).rejects.toMatchObject({ status: 502 });
    expect(accounts.rows.get(1)?.connection_state).toBe('connected');
  });

  it('uninstall forgets tokens even when the chat service does not answer', async () => {
    const { connections, accounts } = setup({ seed: [{ id: 1, amojo_id: AMOJO, connection_state: 'connected', refresh_token: 'rt' }], disconnect: { outcome: 'unavailable' } });
    expect(await connections.uninstall(1)).toEqual({ channelDisconnected: false });
    expect(accounts.rows.get(1)).toMatchObject({ connection_state: 'disconnected', refresh_token: null });
  });
});
