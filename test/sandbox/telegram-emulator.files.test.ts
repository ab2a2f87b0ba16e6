import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pngFixture } from '../../server/sandbox/telegram/index.js';
import { startTelegram, type Harness } from './telegram-emulator-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startTelegram();
  h.userSays();
});
afterEach(() => h.close());

/** getFile, then the download, as a platform adapter does it. */
async function download(fileId: string) {
  const file = await h.call('getFile', { file_id: fileId });
  expect(file.status).toBe(200);
  return { file: file.body.result, got: await h.get(`/file/bot${h.bot.token}/${file.body.result.file_path}`) };
}

describe('what users send', () => {
  it('a photo comes in several sizes, the largest last, each downloadable', async () => {
    const { message } = h.emu.sendAsUser({ botId: h.bot.id, userId: h.user.id, photo: { width: 1000, height: 500 }, caption: 'Our shop' });
    const sizes = message?.photo ?? [];
    expect(sizes.map((s) => [s.width, s.height])).toEqual([[90, 45], [320, 160], [800, 400], [1000, 500]]);
    expect(message?.caption).toBe('Our shop');
    const largest = sizes[sizes.length - 1];
    const { file, got } = await download(largest?.file_id ?? '');
    expect(file).toMatchObject({ file_id: largest?.file_id, file_unique_id: largest?.file_unique_id, file_size: largest?.file_size });
    expect(file.file_path).toMatch(/^photos\/file_\d+\.png$/);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.bytes.equals(pngFixture(1000, 500))).toBe(true);
  });

  it('voice with its duration, documents, audio, video, video notes, stickers, locations and contacts', () => {
    const send = (content: Parameters<Harness['emu']['sendAsUser']>[0]) => h.emu.sendAsUser(content).message;
    const base = { botId: h.bot.id, userId: h.user.id };
    expect(send({ ...base, voice: { duration: 7 } })?.voice).toMatchObject({ duration: 7, mime_type: 'audio/ogg' });
    expect(send({ ...base, document: { fileName: 'price.pdf' } })?.document).toMatchObject({ file_name: 'price.pdf', mime_type: 'application/pdf' });
    expect(send({ ...base, audio: { duration: 180, title: 'Song' } })?.audio).toMatchObject({ duration: 180, title: 'Song', mime_type: 'audio/mpeg' });
    expect(send({ ...base, video: { duration: 12 } })?.video).toMatchObject({ duration: 12, width: 640, height: 360, mime_type: 'video/mp4' });
    expect(send({ ...base, videoNote: { duration: 5 } })?.video_note).toMatchObject({ duration: 5, length: 240 });
    expect(send({ ...base, sticker: { emoji: '😀', format: 'animated' } })?.sticker).toMatchObject({ emoji: '😀', is_animated: true, is_video: false });
    expect(send({ ...base, location: { latitude: 55.75, longitude: 37.62 } })?.location).toEqual({ latitude: 55.75, longitude: 37.62 });
    expect(send({ ...base, contact: { phoneNumber: '+79001234567', firstName: 'Ivan' } })?.contact).toEqual({ phone_number: '+79001234567', first_name: 'Ivan' });
    expect(() => send({ ...base, text: 'a', location: { latitude: 1, longitude: 1 } })).toThrow(/exactly one/);
  });

  it('getFile refuses files over 20 MB, another bot’s files and unknown ids', async () => {
    const big = h.emu.sendAsUser({ botId: h.bot.id, userId: h.user.id, document: { fileName: 'big.zip', sizeBytes: 21 * 1024 * 1024 } }).message?.document;
    expect(big?.file_size).toBe(21 * 1024 * 1024);
    const refused = await h.call('getFile', { file_id: big?.file_id });
    expect(refused.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: file is too big' });

    const other = h.emu.createBot({ username: 'other_shop_bot' });
    const mine = h.emu.sendAsUser({ botId: h.bot.id, userId: h.user.id, voice: { duration: 1 } }).message?.voice;
    expect((await h.call('getFile', { file_id: mine?.file_id }, { token: other.token })).body.description).toBe('Bad Request: invalid file_id');
    expect((await h.call('getFile', { file_id: 'AgACnope' })).body.description).toBe('Bad Request: invalid file_id');
  });

  it('download links are 404 for another token, an unknown path, and after an hour', async () => {
    const voice = h.emu.sendAsUser({ botId: h.bot.id, userId: h.user.id, voice: { duration: 2 } }).message?.voice;
    const { file, got } = await download(voice?.file_id ?? '');
    expect(got.bytes.subarray(0, 4).toString('latin1')).toBe('OggS');
    const other = h.emu.createBot({ username: 'other_shop_bot' });
    expect((await h.get(`/file/bot${other.token}/${file.file_path}`)).status).toBe(404);
    expect((await h.get(`/file/bot${h.bot.token}/voice/file_999.oga`)).status).toBe(404);
    h.clock.now += 60 * 60 * 1000 + 1;
    expect((await h.get(`/file/bot${h.bot.token}/${file.file_path}`)).status).toBe(404);
  });
});

describe('what bots send', () => {
  const png = pngFixture(400, 300);

  it('sendPhoto by upload: sizes from the picture, caption, and the bytes back through getFile', async () => {
    const sent = await h.call('sendPhoto', { chat_id: h.user.id, caption: 'Invoice' }, { encoding: 'multipart', uploads: [{ field: 'photo', bytes: png, fileName: 'x.png', mimeType: 'image/png' }] });
    expect(sent.status).toBe(200);
    const sizes = sent.body.result.photo as Array<{ width: number; height: number; file_id: string }>;
    expect(sizes.map((s) => [s.width, s.height])).toEqual([[90, 68], [320, 240], [400, 300]]);
    expect(sent.body.result.caption).toBe('Invoice');
    const { got } = await download(sizes[2]?.file_id ?? '');
    expect(got.bytes.equals(png)).toBe(true);
    // A file_id the bot has may be sent again; attach:// names the part too.
    const again = await h.call('sendPhoto', { chat_id: h.user.id, photo: sizes[2]?.file_id });
    expect(again.body.result.photo.at(-1).file_id).toBe(sizes[2]?.file_id);
    const attached = await h.call('sendDocument', { chat_id: h.user.id, document: 'attach://f' }, { encoding: 'multipart', uploads: [{ field: 'f', bytes: Buffer.from('%PDF-1.4 x'), fileName: 'a.pdf' }] });
    expect(attached.body.result.document).toMatchObject({ file_name: 'a.pdf', mime_type: 'application/pdf' });
  });

  it('sendDocument by HTTP URL: the emulated Telegram downloads it', async () => {
    const server = http.createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end('price list');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/prices.txt`;
      const sent = await h.call('sendDocument', { chat_id: h.user.id, document: url });
      expect(sent.body.result.document).toMatchObject({ file_name: 'prices.txt', mime_type: 'text/plain', file_size: 10 });
      const broken = await h.call('sendDocument', { chat_id: h.user.id, document: 'http://127.0.0.1:1/nothing' });
      expect(broken.body.description).toBe('Bad Request: failed to get HTTP URL content');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('sendVoice, sendAudio and sendVideo keep duration and type; captions over 1024 are refused', async () => {
    const upload = (field: string, bytes: Buffer) => ({ encoding: 'multipart' as const, uploads: [{ field, bytes, fileName: `${field}.bin` }] });
    const ogg = Buffer.from('OggS\0\x02opus');
    const voice = await h.call('sendVoice', { chat_id: h.user.id, duration: 4 }, upload('voice', ogg));
    expect(voice.body.result.voice).toMatchObject({ duration: 4, mime_type: 'audio/ogg', file_size: ogg.length });
    const audio = await h.call('sendAudio', { chat_id: h.user.id, duration: 100, performer: 'Band', title: 'Song' }, upload('audio', Buffer.from('ID3\x04\0\0')));
    expect(audio.body.result.audio).toMatchObject({ duration: 100, performer: 'Band', title: 'Song', mime_type: 'audio/mpeg' });
    const video = await h.call('sendVideo', { chat_id: h.user.id, duration: 9, width: 1920, height: 1080 }, upload('video', Buffer.from('\0\0\0\x18ftypisom')));
    expect(video.body.result.video).toMatchObject({ duration: 9, width: 1920, height: 1080, mime_type: 'video/mp4' });
    const longCaption = await h.call('sendVoice', { chat_id: h.user.id, caption: 'x'.repeat(1025) }, upload('voice', ogg));
    expect(longCaption.body.description).toBe('Bad Request: message caption is too long');
  });

  it('refuses missing files, wrong file ids and a file of another kind', async () => {
    expect((await h.call('sendPhoto', { chat_id: h.user.id })).body.description).toBe('Bad Request: there is no photo in the request');
    expect((await h.call('sendVoice', { chat_id: h.user.id, voice: 'nope' })).body.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
    const doc = h.emu.sendAsUser({ botId: h.bot.id, userId: h.user.id, document: {} }).message?.document;
    expect((await h.call('sendPhoto', { chat_id: h.user.id, photo: doc?.file_id })).body.description).toBe("Bad Request: can't use file of type Document as Photo");
    expect((await h.call('sendDocument', { chat_id: h.user.id, document: doc?.file_id })).status).toBe(200);
  });

  it('answers 413 to an upload over the size cap and stores nothing', async () => {
    await h.close();
    h = await startTelegram({ maxUploadBytes: 1024 });
    h.userSays();
    const big = await h.call('sendDocument', { chat_id: h.user.id }, { encoding: 'multipart', uploads: [{ field: 'document', bytes: Buffer.alloc(2048, 1) }] });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ ok: false, error_code: 413, description: 'Request Entity Too Large' });
    expect(h.emu.messages(h.bot.id, h.user.id)).toHaveLength(1);
  });
});

describe('files in the control API (what the sandbox page shows)', () => {
  it('serves a chat file by its file_id without a token: media inline, anything else as a download', async () => {
    const photo = h.emu.sendAsUser({ botId: h.bot.id, userId: h.user.id, photo: { width: 200, height: 100 } }).message?.photo?.at(-1);
    const shown = await h.get(`/_control/files/${photo?.file_id}`);
    expect([shown.status, shown.headers['content-type'], shown.headers['content-disposition'], shown.headers['x-content-type-options']]).toEqual([200, 'image/png', 'inline', 'nosniff']);
    expect(shown.bytes.equals(pngFixture(200, 100))).toBe(true);

    const page = h.emu.sendAsUser({ botId: h.bot.id, userId: h.user.id, document: { fileName: 'x.html', file: { bytes: Buffer.from('<script>alert(1)</script>'), mimeType: 'text/html' } } }).message?.document;
    const saved = await h.get(`/_control/files/${page?.file_id}`);
    expect([saved.status, saved.headers['content-type'], saved.headers['content-disposition']]).toEqual([200, 'application/octet-stream', 'attachment']);

    const big = h.emu.sendAsUser({ botId: h.bot.id, userId: h.user.id, document: { sizeBytes: 30 * 1024 * 1024 } }).message?.document;
    expect((await h.get(`/_control/files/${big?.file_id}`)).status).toBe(404);
    expect((await h.get('/_control/files/no-such-file')).status).toBe(404);
  });
});
