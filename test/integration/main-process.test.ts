/**
 * The real entry point as a process: a malformed variable stops start-up with one line naming it;
 * a started backend answers health and readiness, and SIGTERM stops it cleanly.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { amojoBaseUrlForHost, isAmoAccountHost } from '../../server/amojo/hosts.js';
import { freePort } from '../support/net.js';

/**
 * What `npm start` runs: the bundle, with plain node (`npm install` and `npm run build` make it). Not
 * through tsx: its signal relay sometimes ends the process with 143 before the backend's own SIGTERM
 * handler runs, which is tsx's behaviour, not the backend's.
 */
const BUNDLE = fileURLToPath(new URL('../../dist/backend.js', import.meta.url));

function run(env: Record<string, string>) {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build`);
  const child = spawn(process.execPath, [BUNDLE], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  /** Resolves once stdout has shown `text` (the banner is printed when the server listens). */
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => out.includes(text) && resolve();
      child.stdout.on('data', check);
      void exited.then((code) => reject(new Error(`exited with ${code} before printing "${text}": ${err}`)));
      check();
    });
  return { child, exited, printed, output: () => ({ out, err }) };
}


describe('the backend process', () => {
  it('refuses a malformed variable with one line naming it, and exits 1', async () => {
    const p = run({ PORT: 'eighty' });
    expect(await p.exited).toBe(1);
    const lines = p.output().err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid PORT:/);
  });

  it('serves health and readiness, then stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'main-'));
    const port = await freePort();
    const p = run({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}` });
    try {
      const base = `http://127.0.0.1:${port}`;
      await p.printed('Sandbox running');
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.output().out).toContain('"msg":"stopped"');
      expect(p.output().out).toContain('"forceExitMs":90000');
    } finally {
      p.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('amojo host per account', () => {
  it('prefixes the account base domain with amojo.', () => {
    expect(amojoBaseUrlForHost('foo.amocrm.ru')).toBe('https://amojo.amocrm.ru');
    expect(amojoBaseUrlForHost('Shop-1.Kommo.com')).toBe('https://amojo.kommo.com');
    expect(amojoBaseUrlForHost('old.amocrm.com')).toBe('https://amojo.amocrm.com');
    expect(isAmoAccountHost('evil.example.com')).toBe(false);
    expect(isAmoAccountHost('a.b.amocrm.ru')).toBe(false);
    expect(() => amojoBaseUrlForHost('amocrm.ru.evil.com')).toThrow();
  });
});
