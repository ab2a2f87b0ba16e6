/**
 * `GET /webchat/embed.js`: serves what `npm run build` wrote to dist/embed/embed.js, cacheably (ETag, 304,
 * gzip), and builds nothing at run time: while the file is missing it answers 503 and logs, once, that
 * `npm run build` is needed, and serves the file as soon as a build has written it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log.js';
import { createEmbedRouter } from '../../server/platforms/webchat/embed-route.js';

const SCRIPT = '(()=>{document.currentScript&&document.currentScript.getAttribute("data-site-key")})();\n'.repeat(20);

describe('the embed.js route', () => {
  let dist: string;
  let server: http.Server;
  let url: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'embed-route-'));
    const logger = createLogger({ level: 'info', secrets: [], destination: { write: (s: string) => void logLines.push(s) } as never });
    server = http.createServer(express().use(createEmbedRouter({ logger, distDir: dist })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webchat/embed.js`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  it('answers 503 while the bundle is not built and tells the operator once to run the build', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => fetch(url)));
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
    expect(await answers[0]!.json()).toEqual({ error: 'embed_unavailable', message: expect.any(String) });
    const told = logLines.filter((l) => l.includes('run npm run build'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('embed/embed.js');
  });

  it('serves the built file as JavaScript once a build has written it', async () => {
    await mkdir(join(dist, 'embed'), { recursive: true });
    await writeFile(join(dist, 'embed/embed.js'), SCRIPT);
    const a = await fetch(url, { headers: { 'Accept-Encoding': 'identity' } });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(a.headers.get('access-control-allow-origin')).toBe('*');
    expect(await a.text()).toBe(SCRIPT);
  });

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
    expect(gunzipSync(zipped.body).toString()).toBe(SCRIPT);
  });
});
