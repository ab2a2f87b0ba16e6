/**
 * Manager files are fetched from public addresses only: a link to a loopback server, a host name
 * that resolves to loopback, and a redirect from an allowed origin to loopback are all refused
 * (-1/905, nothing requested, stored or served), while the sandbox's own emulator files and the
 * explicitly allowed test origin still work; the 20 MB limit holds.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PNG_1X1, Visitor, chatOf, startBridgeBackend, waitFor, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';

let b: BridgeBackend;
let v: Visitor;
let chatId: string;
let secret: { url: string; hits: string[]; close(): Promise<void> };
let cdn: { url: string; close(): Promise<void> };

async function serve(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

beforeEach(async () => {
  const hits: string[] = [];
  secret = Object.assign(await serve((req, res) => {
    hits.push(req.url ?? '');
    res.setHeader('content-type', 'text/plain');
    res.end('the database password');
  }), { hits });
  cdn = await serve((req, res) => {
    if (req.url === '/to-secret') {
      res.writeHead(302, { location: `${secret.url}/secret.txt` }).end();
    } else if (req.url === '/huge.bin') {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(21 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    } else {
      res.setHeader('content-type', 'application/pdf');
      res.end('%PDF-1.4 fine');
    }
  });
  b = await startBridgeBackend({ serviceOptions: { mediaOrigins: [cdn.url] } });
  v = await Visitor.open(b.url, b.siteKey);
  await v.send('hello');
  await waitForEmulatorMessages(b, v.conversationId, 1);
  chatId = chatOf(b, v.conversationId)!.id;
});
afterEach(async () => {
  await b.stop();
  await secret.close();
  await cdn.close();
});

async function managerFile(url: string) {
  const sent = await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, type: 'file', media: { url, fileName: 'f.txt', fileSize: 10 } });
  return waitFor(() => b.emulator.messages(chatId).find((m) => m.amojoMsgId === sent.amojoMsgId)?.deliveryStatuses.find((s) => s.status === -1 || s.status === 1), 8000, 'a delivery status');
}

const managerMessages = async () => (await v.messages()).messages.filter((m) => m['from'] === 'manager');

describe('manager file downloads', () => {
  it('refuses a link to a loopback address, to a host name that resolves to loopback, and a redirect to one', async () => {
    const port = new URL(secret.url).port;
    for (const url of [`${secret.url}/secret.txt`, `http://localhost:${port}/secret.txt`, `http://[::ffff:127.0.0.1]:${port}/secret.txt`, `${cdn.url}/to-secret`]) {
      const status = await managerFile(url);
      expect(status, url).toMatchObject({ status: -1, errorCode: 905, error: expect.stringContaining('private or local address') });
    }
    expect(secret.hits).toEqual([]);
    expect(await managerMessages()).toEqual([]);
  });

  it('refuses a link that is not http(s)', async () => {
    expect(await managerFile('file:///etc/passwd')).toMatchObject({ status: -1, errorCode: 905, error: expect.stringContaining('not http(s)') });
  });

  it('refuses a file over the 20 MB limit', async () => {
    expect(await managerFile(`${cdn.url}/huge.bin`)).toMatchObject({ status: -1, errorCode: 905, error: expect.stringContaining(`larger than ${20 * 1024 * 1024}`) });
    expect(await managerMessages()).toEqual([]);
  });

  it('still downloads the allowed origin’s files and the sandbox emulator’s own', async () => {
    await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, type: 'file', media: { url: `${cdn.url}/contract.pdf`, fileName: 'f.txt', fileSize: 10 } });
    await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'receipt', file: { fileName: 'receipt.png', contentType: 'image/png', bytes: PNG_1X1 } });
    const files = await waitFor(async () => {
      const list = await managerMessages();
      return list.length === 2 ? list.map((m) => m['file'] as { name: string; url: string }) : undefined;
    });
    expect(files.map((f) => f.name).sort()).toEqual(['f.txt', 'receipt.png']);
    expect((await fetch(files[0]!.url)).status).toBe(200);
  });
});
