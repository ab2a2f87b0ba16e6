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
    expect(c).toMatchObject({ host: '0.0.0.0', port: 3000, publicUrl: 'http://localhost:3000', databaseUrl: 'sqlite:./data/app.sqlite', sandbox: true, logLevel: 'info' });
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
      [{ AMOJO_CHANNEL_SECRET: 'secret-only-0123456789' }, 'AMOJO_CHANNEL_ID'],
      [{ ...CREDS, AMO_CLIENT_SECRET: '' }, 'AMO_CLIENT_SECRET'],
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

  it('reads PostgreSQL URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@localhost:5432/db' }).databaseUrl).toBe('postgres://u:p@localhost:5432/db');
  });
});
