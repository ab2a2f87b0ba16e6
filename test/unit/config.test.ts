import { describe, expect, it } from 'vitest';
import { ConfigError, SANDBOX_CHANNEL, loadConfig } from '../../server/config/index.js';

const CREDS = {
  AMOJO_CHANNEL_ID: 'f90ba33d-c9d9-44da-b76c-c349b0ecbe41',
  AMOJO_CHANNEL_SECRET: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  AMOJO_CHANNEL_CODE: 'amo.ext.my_channel',
  AMO_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  AMO_CLIENT_SECRET: 'client-secret-value-0123456789',
};

describe('configuration', () => {
  it('defaults to the sandbox with documented defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 3000, publicUrl: 'http://localhost:3000', databaseUrl: 'sqlite:./data/app.sqlite', sandbox: true, logLevel: 'info' });
    expect(c.channel.id).toBe(SANDBOX_CHANNEL.id);
    expect(c.channel.title).toBe('Website chat');
    expect(c.amojoBaseUrl).toBe('http://localhost:3000/sandbox/amojo');
    expect(c.amoApiBaseUrl).toBe('http://localhost:3000/sandbox/amocrm');
    expect(c.oauth.redirectUri).toBe('http://localhost:3000/oauth/callback');
    expect(Object.isFrozen(c) && Object.isFrozen(c.channel)).toBe(true);
  });

  it('uses real credentials and derives amojo hosts per account when credentials are set', () => {
    const c = loadConfig({ ...CREDS, PUBLIC_URL: 'https://chat.example.com/', AMOJO_BOT_ID: 'bot-1' });
    expect(c.sandbox).toBe(false);
    expect(c.publicUrl).toBe('https://chat.example.com');
    expect(c.amojoBaseUrl).toBeUndefined();
    expect(c.amoApiBaseUrl).toBeUndefined();
    expect(c.channel).toMatchObject({ id: CREDS.AMOJO_CHANNEL_ID, code: CREDS.AMOJO_CHANNEL_CODE, botId: 'bot-1' });
    expect(c.oauth.redirectUri).toBe('https://chat.example.com/oauth/callback');
  });

  it('stops with one line naming the variable, never its value', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ PORT: 'eighty' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
      [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL'],
      [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      [{ ...CREDS, AMOJO_CHANNEL_ID: 'not-a-uuid' }, 'AMOJO_CHANNEL_ID'],
      [{ AMOJO_CHANNEL_SECRET: 'secret-only-0123456789', AMOJO_CHANNEL_CODE: 'amo.ext.x', PUBLIC_URL: 'https://chat.example.com', AMO_CLIENT_ID: 'x', AMO_CLIENT_SECRET: 'y' }, 'AMOJO_CHANNEL_ID'],
      [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
      [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
      [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
      [{ FILES_RETENTION_DAYS: '0' }, 'FILES_RETENTION_DAYS'],
      [{ FILES_QUOTA_MB: 'lots' }, 'FILES_QUOTA_MB'],
      [{ ...CREDS, PUBLIC_URL: 'https://chat.example.com', AMO_CLIENT_SECRET: '' }, 'AMO_CLIENT_SECRET'],
      [{ APP_SECRET: 'short' }, 'APP_SECRET'],
      [{ AMOJO_BASE_URL: 'amojo.example' }, 'AMOJO_BASE_URL'],
    ];
    for (const [env, name] of cases) {
      let err: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg.startsWith(`Invalid ${name}:`), msg).toBe(true);
      expect(msg).not.toContain('\n');
      for (const v of Object.values(env)) if (v.length > 6) expect(msg).not.toContain(v);
    }
  });

  it('reports every bad variable at once, one line each', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', TRUST_PROXY: 'anyone' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const lines = (err as Error).message.split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['Invalid PORT', 'Invalid LOG_LEVEL', 'Invalid TRUST_PROXY']);
  });

  it('requires an https PUBLIC_URL with credentials, except on loopback', () => {
    const problems = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (e) {
        return (e as Error).message.split('\n');
      }
    };
    expect(problems(CREDS)).toEqual([expect.stringMatching(/^Invalid PUBLIC_URL: required/)]);
    expect(problems({ ...CREDS, PUBLIC_URL: 'http://chat.example.com' })).toEqual([expect.stringMatching(/^Invalid PUBLIC_URL: must be https/)]);
    expect(problems({ ...CREDS, PUBLIC_URL: 'http://127.0.0.1:3000' })).toEqual([]);
    expect(problems({ ...CREDS, PUBLIC_URL: 'http://localhost:3000' })).toEqual([]);
    const { AMO_CLIENT_ID: _id, ...withoutClient } = CREDS;
    expect(problems(withoutClient).map((l) => l.split(':')[0])).toEqual(['Invalid AMO_CLIENT_ID', 'Invalid PUBLIC_URL']);
  });

  it('binds the sandbox to loopback and production to every address unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...CREDS, PUBLIC_URL: 'https://chat.example.com' }).host).toBe('0.0.0.0');
  });

  it('reads TRUST_PROXY as nobody, a hop count or a list of addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '::1']);
  });

  it('has defaults for files and metrics', () => {
    const c = loadConfig({});
    expect(c.filesRetentionDays).toBe(180);
    expect(c.filesQuotaBytes).toBe(2048 * 1024 * 1024);
    expect(c.metricsToken).toBeUndefined();
  });

  it('reads PostgreSQL URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@localhost:5432/db' }).databaseUrl).toBe('postgres://u:p@localhost:5432/db');
  });
});
