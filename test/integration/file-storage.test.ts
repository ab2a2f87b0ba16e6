/**
 * Stored files cannot fill the disk: partial uploads are removed on abort, on an idle timeout and
 * at start-up; files past FILES_RETENTION_DAYS are deleted (bytes and rows) and their links answer
 * 410; the per-account quota refuses visitor uploads (413) and manager files (-1/905); a range
 * outside a file answers 416.
 */
import { existsSync, mkdirSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PNG_1X1, Visitor, chatOf, startBridgeBackend, waitFor, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';
import { testDialect } from '../support/dialect.js';

let b: BridgeBackend | undefined;
afterEach(async () => {
  await b?.stop();
  b = undefined;
});

const filesDir = (backend: BridgeBackend) => join(dirname(backend.databaseUrl.slice('sqlite:'.length)), 'files');
const onPostgres = testDialect === 'postgres';
/** Blobs being written: partial files in files/tmp (SQLite), blob rows not yet complete (PostgreSQL). */
async function partialBlobs(backend: BridgeBackend): Promise<number> {
  if (!onPostgres) return readdirSync(join(filesDir(backend), 'tmp')).length;
  return countBlobs(backend, false);
}
/** Blobs kept: everything below the files folder but tmp/ (SQLite), complete blob rows (PostgreSQL). */
async function blobCount(backend: BridgeBackend): Promise<number> {
  if (onPostgres) return countBlobs(backend, true);
  return readdirSync(filesDir(backend), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'tmp')
    .reduce((n, d) => n + readdirSync(join(filesDir(backend), d.name)).length, 0);
}
async function countBlobs(backend: BridgeBackend, complete: boolean): Promise<number> {
  const db = backend.services.store.storeDb.db;
  const row = await db.selectFrom('file_blobs').select((eb) => eb.fn.countAll().as('n')).where('complete', '=', complete).executeTakeFirstOrThrow();
  return Number(row.n);
}
/** File descriptors of this process (the backend runs in it) open on the files folder's tmp/ (none on PostgreSQL). */
function openTmpFds(backend: BridgeBackend): string[] {
  if (onPostgres) return [];
  const tmp = join(filesDir(backend), 'tmp');
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(tmp)) out.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/** Starts a multipart upload of `declared` bytes and sends only its first `sent` bytes of file data. */
function startPartialUpload(backend: BridgeBackend, token: string, declared: number, sent: number): http.ClientRequest {
  const boundary = 'partial-upload';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
  const url = new URL(`${backend.url}/webchat/v1/files`);
  const req = http.request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + declared) },
  });
  req.on('error', () => undefined);
  req.write(head);
  req.write(Buffer.alloc(sent, 0x25));
  return req;
}

async function rawRequest(url: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('partial uploads', () => {
  it('removes an upload whose client went away mid-body and closes its file at once', async () => {
    b = await startBridgeBackend();
    const v = await Visitor.open(b.url, b.siteKey);
    const req = startPartialUpload(b, v.token, 5_000_000, 256 * 1024);
    await waitFor(async () => (await partialBlobs(b!)) === 1 && openTmpFds(b!).length === (onPostgres ? 0 : 1), 5000, 'the partial file being written');
    req.destroy();
    await waitFor(async () => (await partialBlobs(b!)) === 0 && openTmpFds(b!).length === 0, 5000, 'the partial file removed and closed');
    expect(await blobCount(b)).toBe(0);
    // The backend still takes uploads.
    expect((await v.upload(PNG_1X1, 'ok.png', 'image/png')).status).toBe(201);
  });

  it('drops an upload that stops sending (idle timeout) and removes its partial file', async () => {
    b = await startBridgeBackend({ serviceOptions: { webchat: { uploadIdleMs: 300 } } });
    const v = await Visitor.open(b.url, b.siteKey);
    const req = startPartialUpload(b, v.token, 5_000_000, 64 * 1024);
    const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
    await closed;
    await waitFor(async () => (await partialBlobs(b!)) === 0 && openTmpFds(b!).length === 0, 5000, 'the partial file removed and closed');
    expect(await blobCount(b)).toBe(0);
  });

  it.skipIf(onPostgres)('sweeps partial files a previous process left in files/tmp at start-up', async () => {
    const first = await startBridgeBackend();
    const leftover = join(filesDir(first), 'tmp', 'deadbeef');
    await first.stop({ keepData: true });
    mkdirSync(dirname(leftover), { recursive: true });
    writeFileSync(leftover, 'half a file');
    b = await startBridgeBackend({ databaseUrl: first.databaseUrl });
    expect(existsSync(leftover)).toBe(false);
  });

  it.runIf(onPostgres)('removes, at housekeeping, the bytes of a write whose process died an hour ago (PostgreSQL)', async () => {
    let clock = Date.UTC(2030, 0, 1);
    b = await startBridgeBackend({ serviceOptions: { now: () => clock } });
    const db = b.services.store.storeDb.db;
    // What a process killed mid-upload leaves: an incomplete blob with a chunk, which no file links to.
    await db.insertInto('file_blobs').values({ id: 'deadbeef', size: 0, complete: false, created_at: clock }).execute();
    await db.insertInto('file_chunks').values({ blob_id: 'deadbeef', seq: 0, data: Buffer.from('half a file') }).execute();
    const v = await Visitor.open(b.url, b.siteKey);
    expect((await v.upload(PNG_1X1, 'kept.png', 'image/png')).status).toBe(201);
    await b.services.housekeeping();
    expect(await partialBlobs(b)).toBe(1);
    clock += 61 * 60_000;
    await b.services.housekeeping();
    expect(await partialBlobs(b)).toBe(0);
    expect(await db.selectFrom('file_chunks').select('seq').where('blob_id', '=', 'deadbeef').execute()).toEqual([]);
    expect(await blobCount(b)).toBe(1);
  });
});

describe('retention', () => {
  it('deletes files older than FILES_RETENTION_DAYS (bytes and rows); their links then answer 410', async () => {
    let clock = Date.UTC(2030, 0, 1);
    b = await startBridgeBackend({ env: { FILES_RETENTION_DAYS: '30' }, serviceOptions: { now: () => clock } });
    const v = await Visitor.open(b.url, b.siteKey);
    const old = await v.upload(PNG_1X1, 'old.png', 'image/png');
    clock += 20 * 86_400_000;
    const young = await v.upload(PNG_1X1, 'young.png', 'image/png');
    expect(await blobCount(b)).toBe(2);

    clock += 11 * 86_400_000;
    await b.services.housekeeping();
    expect(await blobCount(b)).toBe(1);
    expect(await b.services.store.bridge.files.get(old.body['file_id'] as never)).toBeUndefined();
    const gone = await fetch(String(old.body['url']));
    expect(gone.status).toBe(410);
    expect(gone.headers.get('cache-control')).toBeNull();
    expect(await gone.json()).toMatchObject({ error: 'file_expired', message: expect.any(String) });
    expect((await fetch(String(young.body['url']))).status).toBe(200);
    // A made-up id is still "no such file".
    expect((await fetch(`${b.url}/files/f_${'A'.repeat(22)}/x.png`)).status).toBe(404);
  });
});

describe('storage quota', () => {
  const chunk = Buffer.alloc(600 * 1024, 0x41);

  it('refuses a visitor upload beyond the account quota with 413 storage_quota_exceeded and keeps nothing of it', async () => {
    b = await startBridgeBackend({ env: { FILES_QUOTA_MB: '1' } });
    const v = await Visitor.open(b.url, b.siteKey);
    expect((await v.upload(chunk, 'a.txt', 'text/plain')).status).toBe(201);
    const refused = await v.upload(chunk, 'b.txt', 'text/plain');
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ error: 'storage_quota_exceeded', message: expect.stringMatching(/\w+ \w+/) });
    expect(await blobCount(b)).toBe(1);
    expect(await partialBlobs(b)).toBe(0);
  });

  it('reports a manager file beyond the quota as not delivered (-1/905, saying why) and stores nothing', async () => {
    b = await startBridgeBackend({ env: { FILES_QUOTA_MB: '1' } });
    const v = await Visitor.open(b.url, b.siteKey);
    expect((await v.upload(chunk, 'a.txt', 'text/plain')).status).toBe(201);
    await v.send('hello');
    await waitForEmulatorMessages(b, v.conversationId, 1);
    const chatId = chatOf(b, v.conversationId)!.id;
    const sent = await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'the price list', file: { fileName: 'prices.txt', contentType: 'text/plain', bytes: chunk } });
    const statuses = () => b!.emulator.messages(chatId).find((m) => m.amojoMsgId === sent.amojoMsgId)?.deliveryStatuses ?? [];
    const failed = await waitFor(() => statuses().find((s) => s.status === -1), 5000, 'status -1');
    expect(failed).toMatchObject({ errorCode: 905, error: expect.stringContaining('storage is full') });
    expect(await blobCount(b)).toBe(1);
    expect((await v.messages()).messages.filter((m) => m['from'] === 'manager')).toEqual([]);
  });
});

describe('ranges', () => {
  it('answers a range outside the file with 416, Content-Range bytes */size and no long cache', async () => {
    b = await startBridgeBackend();
    const v = await Visitor.open(b.url, b.siteKey);
    const up = await v.upload(PNG_1X1, 'p.png', 'image/png');
    const res = await rawRequest(String(up.body['url']), { range: 'bytes=5000-6000' });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${PNG_1X1.length}`);
    expect(res.headers['cache-control'] ?? '').not.toMatch(/max-age=[1-9]|immutable/);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'range_not_satisfiable' });
    const part = await rawRequest(String(up.body['url']), { range: 'bytes=0-3' });
    expect(part.status).toBe(206);
  });
});
