// @vitest-environment jsdom
/**
 * Files and voice notes from the visitor: picked, dropped, pasted or recorded, uploaded, then sent as
 * messages; refusals (too large, wrong type) explained; recording only where the browser can.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../webchat-embed/src/api.js';
import { flush } from './support/fake-api.js';
import { mountTest, type TestBubble } from './support/mount.js';

let t: TestBubble;
beforeEach(() => localStorage.clear());
afterEach(() => {
  t?.bubble.destroy();
  vi.useRealTimers();
});

describe('files', () => {
  const drop = (files: File[]): void => {
    const e = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(e, 'dataTransfer', { value: { files, types: ['Files'] } });
    t.$('#awc-panel').dispatchEvent(e);
  };

  it('uploads a dropped picture, then sends it as a message with the file id', async () => {
    t = mountTest();
    t.bubble.open();
    drop([new File([new Uint8Array([137, 80, 78, 71])], 'cat.png', { type: 'image/png' })]);
    await flush(30);
    expect(t.api.callsOf('uploadFile')).toHaveLength(1);
    expect(t.api.callsOf('sendMessage')[0]![1]).toMatchObject({ fileId: 'f-1' });
    expect(t.items()).toHaveLength(1);
    expect(t.items()[0]!.dataset.kind).toBe('picture');
    expect(t.items()[0]!.querySelector('img')?.getAttribute('src')).toContain('/files/f-1/cat.png');
  });

  it('sends pasted files', async () => {
    t = mountTest();
    const e = new Event('paste', { bubbles: true, cancelable: true });
    Object.defineProperty(e, 'clipboardData', { value: { files: [new File(['x'], 'notes.txt', { type: 'text/plain' })] } });
    t.$('textarea').dispatchEvent(e);
    await flush(30);
    expect(e.defaultPrevented).toBe(true);
    expect(t.api.callsOf('uploadFile')[0]![2]).toBe('notes.txt');
    expect(t.items()[0]!.querySelector('a.file')?.textContent).toContain('notes.txt');
  });

  it('says why a file was refused (too large, wrong type)', async () => {
    t = mountTest();
    t.api.answer('uploadFile', new ApiError(413, 'payload_too_large', 'too big'), new ApiError(415, 'unsupported_media_type', 'no'));
    drop([new File(['x'], 'huge.bin'), new File(['y'], 'app.exe')]);
    await flush(40);
    expect(t.items()[0]!.querySelector('.error')?.textContent).toContain('The file is too large: 1 B, files up to 20.0 MB can be sent.');
    expect(t.items()[1]!.querySelector('.error')?.textContent).toContain('This type of file cannot be sent.');
    expect(t.api.callsOf('sendMessage')).toHaveLength(0);
    expect(t.$$('.error button')).toHaveLength(0);
  });

  it('states the limit, and refuses a larger file before uploading it, sizes in the same decimal units', async () => {
    t = mountTest();
    await flush(5);
    expect(t.$('[data-action=attach]').getAttribute('aria-label')).toBe('Attach a file (up to 20.0 MB)');
    const big = new File(['x'], 'film.mov', { type: 'video/quicktime' });
    Object.defineProperty(big, 'size', { value: 21_000_000 });
    drop([big]);
    await flush(30);
    expect(t.api.callsOf('uploadFile')).toHaveLength(0);
    expect(t.items()[0]!.querySelector('.error')?.textContent).toBe('Not sent. The file is too large: 21.0 MB, files up to 20.0 MB can be sent.');
    expect(t.$$('.error button')).toHaveLength(0);
  });
});

describe('voice notes', () => {
  /** A MediaRecorder that "records" one chunk of Opus in WebM. */
  class FakeRecorder extends EventTarget {
    static isTypeSupported = (type: string) => type.startsWith('audio/webm');
    state = 'inactive';
    mimeType = 'audio/webm;codecs=opus';
    start() {
      this.state = 'recording';
    }
    stop() {
      this.state = 'inactive';
      this.dispatchEvent(Object.assign(new Event('dataavailable'), { data: new Blob(['OggS-ish'], { type: 'audio/webm' }) }));
      this.dispatchEvent(new Event('stop'));
    }
  }

  it('records with MediaRecorder, shows the recording, and sends the note marked as voice', async () => {
    const stopTrack = vi.fn();
    vi.stubGlobal('MediaRecorder', FakeRecorder);
    Object.defineProperty(navigator, 'mediaDevices', { configurable: true, value: { getUserMedia: async () => ({ getTracks: () => [{ stop: stopTrack }] }) } });
    try {
      t = mountTest();
      t.bubble.open();
      const record = t.$<HTMLButtonElement>('[data-action=record]');
      expect(record.hidden).toBe(false);
      record.click();
      await flush(10);
      expect(t.$('.recording').hidden).toBe(false);
      expect(t.$('.recording').textContent).toContain('Recording 0:00');
      t.$<HTMLButtonElement>('[data-action=stop-recording]').click();
      await flush(40);
      expect(stopTrack).toHaveBeenCalled();
      expect(t.$('.recording').hidden).toBe(true);
      const [, file, name, isVoice] = t.api.callsOf('uploadFile')[0]!;
      expect([(file as File).type, String(name).endsWith('.webm'), isVoice]).toEqual(['audio/webm', true, true]);
      expect(t.items()[0]!.dataset.kind).toBe('voice');
    } finally {
      vi.unstubAllGlobals();
      delete (navigator as { mediaDevices?: unknown }).mediaDevices;
    }
  });

  it('hides the record button where the browser cannot record', () => {
    t = mountTest();
    expect(t.$('[data-action=record]').hidden).toBe(true);
  });
});
