/**
 * The fast lane's routing over real HTTP, with a stand-in app behind it: which requests a lane
 * route takes (and with what parameter), which go to the app untouched, and how `fallThrough`
 * and `fail` reach the app.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastLane, relayLaneError, type LaneRoute } from '../../server/http/fast-lane.js';

let server: http.Server;
let base: string;
const taken: string[] = [];

beforeAll(async () => {
  const app = express();
  app.use(relayLaneError);
  app.use((req, res) => {
    res.status(404).json({ by: 'app', url: req.url });
  });
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ by: 'app', error: err.message });
  });
  const route: LaneRoute = {
    prefix: '/hooks/',
    handle(req, res, lane) {
      if (lane.param === 'pass') return lane.fallThrough();
      if (lane.param === 'fail') return lane.fail(new Error('route failed'));
      taken.push(lane.param);
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ by: 'lane', param: lane.param })));
    },
  };
  server = http.createServer(createFastLane([route], app));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function call(method: string, path: string) {
  const res = await fetch(`${base}${path}`, { method, body: method === 'GET' ? undefined : '{}' });
  return (await res.json()) as Record<string, unknown>;
}

describe('the fast lane', () => {
  it('takes POST requests of the plain form, with the text after the prefix as the parameter', async () => {
    expect(await call('POST', '/hooks/chan_acc-1')).toEqual({ by: 'lane', param: 'chan_acc-1' });
    expect(await call('POST', '/hooks/a.b~c?x=1')).toEqual({ by: 'lane', param: 'a.b~c' });
    expect(taken).toEqual(['chan_acc-1', 'a.b~c']);
  });

  it.each([
    ['GET', '/hooks/abc'],
    ['PUT', '/hooks/abc'],
    ['POST', '/hooks/'],
    ['POST', '/hooks/abc/'],
    ['POST', '/hooks/a/b'],
    ['POST', '/hooks/a%5Fb'],
    ['POST', '/Hooks/abc'],
    ['POST', '/other/abc'],
    ['POST', '/hooks?x=1'],
  ])('leaves %s %s to the app', async (method, path) => {
    const before = taken.length;
    expect(await call(method, path)).toEqual({ by: 'app', url: path });
    expect(taken.length).toBe(before);
  });

  it('hands a request the route passes on to the app, and a failure to its error handler', async () => {
    expect(await call('POST', '/hooks/pass')).toEqual({ by: 'app', url: '/hooks/pass' });
    expect(await call('POST', '/hooks/fail')).toEqual({ by: 'app', error: 'route failed' });
    // The relayed error belongs to that request only.
    expect(await call('POST', '/other/next')).toEqual({ by: 'app', url: '/other/next' });
  });
});
