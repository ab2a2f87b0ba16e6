/**
 * A second web server for the browser tests: serves "someone else's website" on another port of
 * 127.0.0.1, so the bubble runs cross-origin from the backend, as it does on a real site.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostPages {
  url: string;
  close(): Promise<void>;
}

export async function serveHostPages(pages: Record<string, string>): Promise<HostPages> {
  const server = http.createServer((req, res) => {
    const html = pages[(req.url ?? '/').split('?')[0]!];
    if (html === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
