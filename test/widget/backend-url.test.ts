/**
 * The widget build and the backend URL it bakes in: a loopback or plain-http URL gets a loud warning; a
 * release build (WIDGET_RELEASE=1) refuses it with a clear line and builds nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backendUrlWarnings, loudWarning } from '../../scripts/widget/backend-url.js';

const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const BUILD_WIDGET = fileURLToPath(new URL('../../scripts/build-widget.ts', import.meta.url));

describe('the backend URL baked into the widget', () => {
  it('is warned about when it is loopback or plain http', () => {
    for (const url of ['http://localhost:3000', 'http://127.0.0.1:8080', 'https://localhost', 'http://[::1]:3000']) {
      const warnings = backendUrlWarnings(url, { isRelease: false });
      expect(warnings, url).toHaveLength(1);
      expect(warnings[0]).toMatch(/loopback/);
    }
    expect(backendUrlWarnings('http://chat.example.com', { isRelease: false })[0]).toMatch(/plain http/);
    expect(backendUrlWarnings('https://chat.example.com', { isRelease: false })).toEqual([]);
    expect(loudWarning('x')).toMatch(/^!{78}\nWARNING: x\./);
  });

  it('stops a release build', () => {
    expect(() => backendUrlWarnings('http://localhost:3000', { isRelease: true })).toThrow(/release build refused: .*loopback/);
    expect(() => backendUrlWarnings('http://chat.example.com', { isRelease: true })).toThrow(/release build refused: .*plain http/);
    expect(backendUrlWarnings('https://chat.example.com', { isRelease: true })).toEqual([]);
  });

  it('makes `WIDGET_RELEASE=1 npm run build` exit 1 with one line per problem before building', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'widget-release-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, WIDGET_RELEASE: '1', PUBLIC_URL: 'http://localhost:3000' };
      delete env['WIDGET_BACKEND_URL'];
      const child = spawn(TSX, [BUILD_WIDGET], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(err).toMatch(/^widget build failed:\n {2}- release build refused: the widget is bound to http:\/\/localhost:3000, a loopback address/);
      expect(out).toBe('');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
