/**
 * Voice notes with MediaRecorder, where the browser has it (and a microphone is allowed). Opus in Ogg or
 * WebM, whichever the browser records; both reach amoCRM as a voice message.
 */

export interface Recording {
  /** Stops and returns the note, or undefined when nothing was recorded. */
  stop(): Promise<File | undefined>;
  cancel(): void;
}

const TYPES = ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/webm', 'audio/ogg'];

export function canRecord(): boolean {
  return typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
}

export async function startRecording(now: () => number = Date.now): Promise<Recording> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const mimeType = TYPES.find((type) => MediaRecorder.isTypeSupported?.(type));
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
  const chunks: Blob[] = [];
  recorder.addEventListener('dataavailable', (e) => {
    if (e.data.size > 0) chunks.push(e.data);
  });
  recorder.start();
  const release = (): void => stream.getTracks().forEach((track) => track.stop());
  return {
    stop() {
      return new Promise((resolve) => {
        recorder.addEventListener('stop', () => {
          release();
          const type = (recorder.mimeType || mimeType || 'audio/webm').split(';')[0]!;
          if (chunks.length === 0) return resolve(undefined);
          const ext = type.includes('ogg') ? 'ogg' : 'webm';
          resolve(new File(chunks, `voice-${new Date(now()).toISOString().replace(/[:.]/g, '-')}.${ext}`, { type }));
        });
        recorder.stop();
      });
    },
    cancel() {
      if (recorder.state !== 'inactive') recorder.stop();
      release();
    },
  };
}
