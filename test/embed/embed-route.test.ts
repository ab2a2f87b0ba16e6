/**
 * `GET /webchat/embed.js`: built on demand when dist/embed/embed.js is missing (a fresh checkout started
 * without `npm run build`), once however many requests wait for it, rebuilt in sandbox mode when a source
 * changes, and served cacheably (ETag, 304, gzip). Runs against a copy of the sources in a temp folder.
 */
import { cp, mkdtemp, rm, stat, symlink, utimes } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log.js';
import { createEmbedRouter } from '../../server/platforms/webchat/embed-route.js';

const ROOT = join(import.meta.dirname, '../..');

describe('the embed.js route', () => {
  let root: string;
  let server: http.Server;
  let url: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'embed-route-'));
    await cp(join(ROOT, 'webchat-embed'), join(root, 'webchat-embed'), { recursive: true });
    await cp(join(ROOT, 'scripts/embed'), join(root, 'scripts/embed'), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    const logger = createLogger({ level: 'info', secrets: [], destination: { write: (s: string) => void logLines.push(s) } as never });
    const app = express().use(createEmbedRouter({ logger, rootDir: root, isRebuildOnChange: true }));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webchat/embed.js`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (root) await rm(root, { recursive: true, force: true });
  });

  const builds = () => logLines.filter((l) => l.includes('"embed.js built"')).length;

  it('builds the missing bundle once for concurrent first requests and serves it as JavaScript', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => fetch(url, { headers: { 'Accept-Encoding': 'identity' } })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(builds()).toBe(1);
    const a = answers[0]!;
    expect(a.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(a.headers.get('access-control-allow-origin')).toBe('*');
    const body = await a.text();
    expect(body.startsWith('(()=>{')).toBe(true);
    expect(body).toContain('data-site-key');
    expect((await stat(join(root, 'dist/embed/embed.js'))).size).toBe(Buffer.byteLength(body));
  }, 90_000);

  it('answers 304 to a matching ETag and gzips for clients that accept it', async () => {
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect((await fetch(url, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const zipped = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      http.get(url, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
    expect(zipped.encoding).toBe('gzip');
    expect(gunzipSync(zipped.body).toString()).toBe(await (await fetch(url, { headers: { 'Accept-Encoding': 'identity' } })).text());
  });

  it('rebuilds when a source is newer than the bundle (sandbox / development)', async () => {
    const before = builds();
    const future = new Date(Date.now() + 60_000);
    await utimes(join(root, 'webchat-embed/src/i18n.ts'), future, future);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the staleness check runs at most once a second
    expect((await fetch(url)).status).toBe(200);
    expect(builds()).toBe(before + 1);
  }, 90_000);
});
