import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, SCOPE_ID, connect, incomingText, startEmulator, type Harness } from './amojo-emulator-harness.js';

const SCOPE = `${API}/${SCOPE_ID}`;

let h: Harness;
beforeEach(async () => {
  h = await startEmulator();
  await connect(h);
});
afterEach(() => h.close());

describe('bodies', () => {
  it('answers 400 for a body that is not JSON and 413 for one over 2 MB', async () => {
    const notJson = await h.call('POST', SCOPE, { body: 'not json' });
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ error_type: 'invalid_json' });
    const huge = await h.call('POST', SCOPE, { body: Buffer.alloc(2 * 1024 * 1024 + 1, 0x20) });
    expect(huge.status).toBe(413);
    expect(huge.json).toMatchObject({ error_code: 413 });
    expect(h.emu.requests().at(-1)).toMatchObject({ status: 413, errorType: 'payload_too_large' });
  });
});

describe('media download', () => {
  it('downloads the media of accepted messages, as amoCRM does, and records the outcome', async () => {
    const d = await startEmulator({ downloadMedia: true });
    try {
      await connect(d);
      const media = `${d.url}/attachments/missing/a.png`;
      const res = await d.call('POST', SCOPE, { body: incomingText('md-1', { message: { type: 'picture', media, file_name: 'a.png', file_size: 3 } }) });
      expect(res.status).toBe(200);
      const chat = d.emu.chats(SCOPE_ID)[0]?.id ?? '';
      await expect.poll(() => d.emu.messages(chat)[0]?.mediaDownload?.status).toBe(404);
    } finally {
      await d.close();
    }
  });
});
