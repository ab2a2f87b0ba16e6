/**
 * amojo misbehaving for a while: answering 500, or taking the message but answering too late
 * (the client times out). Afterwards every acknowledged message is at amojo once, in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { httpByteTransport } from '../../server/net/byte-transport.js';
import { Visitor, emulatorMessages, startBridgeBackend, waitFor, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';

let b: BridgeBackend | undefined;
afterEach(async () => {
  await b?.stop();
  b = undefined;
});

function texts(backend: BridgeBackend, conversationId: string): string[] {
  return emulatorMessages(backend, conversationId).map((m) => m.content.text);
}

describe('amojo outages', () => {
  it('keeps sending after a run of 500s: all messages arrive once, in order', async () => {
    b = await startBridgeBackend();
    const v = await Visitor.open(b.url, b.siteKey);
    const w = await Visitor.open(b.url, b.siteKey);
    b.emulator.failNext({ count: 12, status: 500 });
    const sent: string[] = [];
    for (let i = 1; i <= 6; i++) {
      sent.push(`v${i}`);
      await v.send(`v${i}`);
      await w.send(`w${i}`);
    }
    await waitForEmulatorMessages(b, v.conversationId, 6, 20_000);
    await waitForEmulatorMessages(b, w.conversationId, 6, 20_000);
    expect(texts(b, v.conversationId)).toEqual(sent);
    expect(texts(b, w.conversationId)).toEqual(sent.map((s) => s.replace('v', 'w')));
    expect(b.emulator.requests().filter((r) => r.status === 500).length).toBe(12);
  });

  it('survives answers that come too late: the retry is refused as a duplicate, nothing is doubled', async () => {
    // The backend gives amojo 200 ms; amojo takes the message and answers after 600 ms.
    b = await startBridgeBackend({ serviceOptions: { amojoTransport: (req) => httpByteTransport({ ...req, timeoutMs: 200 }) } });
    const v = await Visitor.open(b.url, b.siteKey);
    await v.send('warm-up');
    await waitForEmulatorMessages(b, v.conversationId, 1);
    b.emulator.setDelay(600, { afterProcessing: true });
    const sent = ['slow 1', 'slow 2', 'slow 3'];
    for (const t of sent) await v.send(t);
    await waitFor(() => texts(b!, v.conversationId).length >= 2, 10_000, 'first slow message at amojo');
    b.emulator.setDelay(0);
    await waitForEmulatorMessages(b, v.conversationId, 4, 20_000);
    await waitFor(async () => {
      const rows = await b!.services.store.bridge.messages.list(v.conversationId as never, 0, 10);
      return rows.every((r) => r.status === 'sent');
    }, 20_000, 'all sent');
    expect(texts(b, v.conversationId)).toEqual(['warm-up', ...sent]);
    expect(b.emulator.requests().some((r) => r.errorType === 'duplicate_msgid')).toBe(true);
  });

  it('parks a message amojo refuses for good and tells the visitor it failed', async () => {
    b = await startBridgeBackend();
    const v = await Visitor.open(b.url, b.siteKey);
    const stream = v.events();
    await stream.ready;
    b.emulator.failNext({ count: 1, status: 403 });
    const msgid = await v.send('refused');
    const e = await stream.waitFor((x) => x.event === 'status' && x.data['status'] === 'failed');
    expect(e.data).toMatchObject({ msgid, error: expect.any(String) });
    // The next message is not held up by the failed one.
    await v.send('next');
    await waitForEmulatorMessages(b, v.conversationId, 1);
    expect(texts(b, v.conversationId)).toEqual(['next']);
    stream.close();
  });
});
