/** Pure pieces of the bridge and the website chat: ids, file names and kinds, image sniffing, token buckets. */
import { describe, expect, it } from 'vitest';
import { SAFE_ID, fileIdCreatedAt, newConversationId, newFileId, newMsgId, newParticipantId } from '../../server/bridge/ids.js';
import { contentTypeOfName, kindOfContentType, safeFileName } from '../../server/bridge/files.js';
import { acceptsKind, isMediaCapable, isReactionCapable, isTypingCapable, type PlatformAdapter } from '../../server/bridge/platform.js';
import { contentDisposition } from '../../server/platforms/webchat/files-route.js';
import { isAllowedType, isInlineType, looksLikeImage } from '../../server/platforms/webchat/file-types.js';

describe('ids', () => {
  it('mints URL-safe ids with their kind as prefix and 128 random bits', () => {
    for (const id of [newConversationId(), newParticipantId(), newMsgId()]) {
      expect(id).toMatch(SAFE_ID);
      expect(id).toMatch(/^[cvm]_[A-Za-z0-9_-]{22}$/);
    }
    expect(newFileId()).toMatch(SAFE_ID);
    expect(newFileId()).toMatch(/^f_t[0-9a-z]{9}[A-Za-z0-9_-]{22}$/);
    expect(new Set(Array.from({ length: 1000 }, () => newFileId())).size).toBe(1000);
  });

  it('reads back the creation time a file id carries (none for ids minted before)', () => {
    const at = Date.UTC(2031, 5, 1, 12, 0, 0, 123);
    expect(fileIdCreatedAt(newFileId(at))).toBe(at);
    expect(fileIdCreatedAt(`f_${'A'.repeat(22)}`)).toBeUndefined();
  });
});

describe('files', () => {
  it('names files safely for URLs and headers', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\\\Users\\\\a\\\\report.pdf')).toBe('report.pdf');
    expect(safeFileName('a"b\r\nc.txt')).toBe('a_b__c.txt');
    expect(safeFileName('...hidden')).toBe('hidden');
    expect(safeFileName('')).toBe('file');
    const long = safeFileName(`${'x'.repeat(300)}.pdf`);
    expect(long).toHaveLength(120);
    expect(long.endsWith('.pdf')).toBe(true);
    expect(safeFileName('Счёт №1.pdf')).toBe('Счёт №1.pdf');
  });

  it('builds RFC 6266 Content-Disposition with an ASCII fallback', () => {
    expect(contentDisposition('attachment', 'Счёт.pdf')).toBe(`attachment; filename="____.pdf"; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82.pdf`);
    expect(contentDisposition('inline', "it's (1).png")).toBe(`inline; filename="it's (1).png"; filename*=UTF-8''it%27s%20%281%29.png`);
  });

  it('maps content types to message kinds; voice notes as browsers record them', () => {
    expect(kindOfContentType('image/png')).toBe('picture');
    expect(kindOfContentType('video/mp4')).toBe('video');
    expect(kindOfContentType('audio/webm;codecs=opus')).toBe('voice');
    expect(kindOfContentType('audio/ogg')).toBe('voice');
    expect(kindOfContentType('audio/mpeg')).toBe('audio');
    expect(kindOfContentType('audio/mp4', true)).toBe('voice');
    expect(kindOfContentType('application/pdf')).toBe('file');
    expect(contentTypeOfName('scan.JPG')).toBe('image/jpeg');
    expect(contentTypeOfName('noext')).toBeUndefined();
  });

  it('accepts documented types only and checks image bytes', () => {
    expect(isAllowedType('image/svg+xml')).toBe(false);
    expect(isAllowedType('text/html')).toBe(false);
    expect(isAllowedType('application/pdf')).toBe(true);
    expect(isInlineType('image/png')).toBe(true);
    expect(isInlineType('application/pdf')).toBe(false);
    expect(looksLikeImage('image/png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d]))).toBe(true);
    expect(looksLikeImage('image/jpeg', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(true);
    expect(looksLikeImage('image/gif', Buffer.from('GIF89a'))).toBe(true);
    expect(looksLikeImage('image/webp', Buffer.from('RIFF\0\0\0\0WEBPVP8'))).toBe(true);
    expect(looksLikeImage('image/png', Buffer.from('<html>'))).toBe(false);
  });
});

describe('platform capabilities', () => {
  it('tells optional features apart at run time', async () => {
    const plain: PlatformAdapter = { platform: 'plain', publish: async () => ({ reachedClients: 0 }) };
    const rich = { ...plain, platform: 'rich', mediaKinds: ['picture'] as const, showsReactions: true as const, showTyping: () => undefined };
    expect([isTypingCapable(plain), isMediaCapable(plain), isReactionCapable(plain)]).toEqual([false, false, false]);
    expect([isTypingCapable(rich), isMediaCapable(rich), isReactionCapable(rich)]).toEqual([true, true, true]);
    expect(acceptsKind(plain, 'text')).toBe(true);
    expect(acceptsKind(plain, 'picture')).toBe(false);
    expect(acceptsKind(rich, 'picture')).toBe(true);
    expect(acceptsKind(rich, 'voice')).toBe(false);
  });
});
