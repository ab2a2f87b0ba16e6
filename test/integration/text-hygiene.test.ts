/**
 * Names, profile fields, file names and texts reach amoCRM without NUL, C0 control characters (but
 * `\n` and `\t`) or bidi overrides; manager names and texts reach the bubble the same way.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanName, cleanText } from '../../server/bridge/index.js';
import { Visitor, chatOf, startBridgeBackend, waitFor, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';

let b: BridgeBackend;

async function uploadRaw(v: Visitor, disposition: string) {
  const boundary = 'hygiene-boundary';
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 test\r\n--${boundary}--\r\n`;
  const res = await fetch(`${v.base}/webchat/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${v.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
beforeEach(async () => {
  b = await startBridgeBackend();
});
afterEach(async () => {
  await b.stop();
});

describe('text hygiene', () => {
  it('strips NUL, C0 controls and bidi overrides from names; only NUL from texts', () => {
    expect(cleanName('An\u0000na\u0007 \u202eevil\u202c\u2066x\u2069\tok\nline\r')).toBe('Anna evilx\tok\nline');
    expect(cleanText('a\u0000b\u0007\u202e c\n')).toBe('ab\u0007\u202e c\n');
  });

  it('sends amojo a cleaned visitor name, email, text and file name', async () => {
    const v = await Visitor.open(b.url, b.siteKey, { name: 'Bo\u0000ris\u202e \u0001Ivanov', email: 'boris@example.com\u0000' });
    // Raw control characters are refused in a part header; the RFC 5987 form carries them encoded.
    const file = await uploadRaw(v, `filename*=UTF-8''${encodeURIComponent('in\u202evoice\u0000\u0001 \u2066fdp.pdf')}`);
    expect(file.status, JSON.stringify(file.body)).toBe(201);
    expect(file.body['name']).toBe('invoice fdp.pdf');
    await v.send('line one\u0000\nline\ttwo');
    await v.send('', { file_id: file.body['file_id'] });
    const [text, doc] = await waitForEmulatorMessages(b, v.conversationId, 2);
    expect(text!.content.text).toBe('line one\nline\ttwo');
    expect(doc!.content.fileName).toBe('invoice fdp.pdf');
    const client = chatOf(b, v.conversationId)!.participants.find((p) => p.kind === 'client')!;
    expect(client).toMatchObject({ name: 'Boris Ivanov', email: 'boris@example.com' });
  });

  it('shows a manager text and name in the bubble without NUL and bidi overrides', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    await v.send('hi');
    await waitForEmulatorMessages(b, v.conversationId, 1);
    const chatId = chatOf(b, v.conversationId)!.id;
    await b.emulator.sendManagerMessage({ scopeId: b.scopeId, chatId, text: 'Hel\u0000lo', senderName: 'An\u202ena' });
    const m = await waitFor(async () => (await v.messages()).messages.find((x) => x['from'] === 'manager'));
    expect(m['text']).toBe('Hello');
    expect(JSON.stringify(m)).not.toMatch(/\\u0000|\u202e/);
  });
});
