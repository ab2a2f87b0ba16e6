/** The public-address rule and the media fetcher's DNS, redirect and time limits, without the network. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMediaFetch } from '../../server/net/media-fetch.js';
import { isPublicAddress } from '../../server/net/public-address.js';

describe('isPublicAddress', () => {
  it('accepts public unicast and refuses loopback, private, link-local, reserved and mapped forms', () => {
    for (const a of ['8.8.8.8', '93.184.216.34', '2a00:1450:4010:c0e::64', '::ffff:8.8.8.8']) expect(isPublicAddress(a), a).toBe(true);
    for (const a of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::', 'localhost', 'not-an-ip']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });
});

describe('createMediaFetch', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  it('resolves a host name once and refuses it when any of its addresses is not public', async () => {
    const asked: string[] = [];
    const fetchMedia = createMediaFetch({
      resolve: async (host) => {
        asked.push(host);
        return host === 'mixed.example' ? [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
      },
    });
    await expect(fetchMedia(new URL('https://rebind.example/x'))).rejects.toMatchObject({ name: 'RefusedLinkError', retryable: false });
    await expect(fetchMedia(new URL('https://mixed.example/x'))).rejects.toMatchObject({ name: 'RefusedLinkError' });
    await expect(fetchMedia(new URL('ftp://files.example/x'))).rejects.toMatchObject({ name: 'RefusedLinkError' });
    expect(asked).toEqual(['rebind.example', 'mixed.example']);
  });

  it('cuts off a body that trickles past the total time', async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('x');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fetchMedia = createMediaFetch({ allowedOrigins: [origin], totalTimeoutMs: 200 });
    const res = await fetchMedia(new URL(`${origin}/slow`));
    expect(res.status).toBe(200);
    const read = (async () => {
      for await (const _chunk of res.body) void _chunk;
    })();
    await expect(read).rejects.toThrow();
  });
});
