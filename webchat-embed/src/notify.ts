/**
 * Getting the visitor's attention when the manager answers and they are not looking: while the page is
 * hidden (another tab, a minimised window) the page title alternates with "(n) New message", and stops the
 * moment the page is shown again; with `data-sound="on"` on the snippet a short tone plays as well. The tone
 * is synthesized (WebAudio, no audio file); browsers allow sound only after the visitor has interacted with
 * the page, so the audio context is made on the first click or key press. The unread badge on the launcher
 * is the panel's own (ui/panel.ts).
 */
import type { Translate } from './i18n.js';

export interface NotifierOptions {
  t: Translate;
  /** Play a tone for a new message; off unless the snippet asks for it. */
  sound: boolean;
  /** Messages from the manager not seen yet. */
  unread: () => number;
  doc?: Document;
  /** How often the title alternates. */
  flashMs?: number;
}

export interface Notifier {
  /** A new message from the manager arrived; `isSeen` when the open panel shows it on a visible page. */
  incoming(isSeen: boolean): void;
  stop(): void;
}

export function createNotifier(o: NotifierOptions): Notifier {
  const doc = o.doc ?? document;
  let timer: ReturnType<typeof setInterval> | undefined;
  let pageTitle = '';
  let ours = '';
  let audio: AudioContext | undefined;

  const stopFlash = (): void => {
    if (timer === undefined) return;
    clearInterval(timer);
    timer = undefined;
    // A title the page set meanwhile is kept; only our own text is taken back.
    if (doc.title === ours) doc.title = pageTitle;
  };
  const flash = (): void => {
    if (timer !== undefined) return;
    const tick = (): void => {
      if (doc.title !== ours) {
        pageTitle = doc.title;
        ours = `(${o.unread() || 1}) ${o.t('newMessageTitle')}`;
        doc.title = ours;
      } else doc.title = pageTitle;
    };
    tick();
    timer = setInterval(tick, o.flashMs ?? 1000);
  };
  const onVisibility = (): void => {
    if (doc.visibilityState === 'visible') stopFlash();
  };
  const unlockAudio = (): void => {
    const Ctx = globalThis.AudioContext as typeof AudioContext | undefined;
    if (!Ctx) return;
    audio ??= new Ctx();
    void audio.resume().catch(() => undefined);
  };
  const beep = (): void => {
    if (!audio || audio.state !== 'running') return;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    const t0 = audio.currentTime;
    osc.frequency.value = 880;
    // A soft attack and decay: a click-free "ding" of a fifth of a second.
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.2, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.2);
    osc.connect(gain).connect(audio.destination);
    osc.start(t0);
    osc.stop(t0 + 0.21);
  };

  doc.addEventListener('visibilitychange', onVisibility);
  if (o.sound) for (const type of ['pointerdown', 'keydown']) doc.addEventListener(type, unlockAudio, { capture: true, passive: true });

  return {
    incoming(isSeen) {
      if (doc.visibilityState === 'hidden') flash();
      if (o.sound && !isSeen) beep();
    },
    stop() {
      stopFlash();
      doc.removeEventListener('visibilitychange', onVisibility);
      for (const type of ['pointerdown', 'keydown']) doc.removeEventListener(type, unlockAudio, { capture: true });
      void audio?.close().catch(() => undefined);
    },
  };
}
