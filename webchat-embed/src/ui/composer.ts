/**
 * The writing area: a quote/edit banner, attach, the text box, voice recording and send. Enter sends,
 * Shift+Enter starts a new line; pasted files are sent like picked ones. The composer keeps no message
 * state: it reports what the visitor does and shows what the controller tells it.
 */
import type { Translate } from '../i18n.js';
import { formatSize, h, icon, ICONS } from './dom.js';

export interface ComposerHandlers {
  onSubmit(text: string): void;
  onFiles(files: File[]): void;
  onTyping(): void;
  onCancelContext(): void;
  onRecord(): void;
  onStopRecording(send: boolean): void;
}

export interface ComposerView {
  textarea: HTMLTextAreaElement;
  recordButton: HTMLButtonElement;
  /** Shows "replying to …" / "editing" above the text box; undefined hides it. */
  setContext(context: { label: string; text: string } | undefined): void;
  setText(text: string): void;
  /** Recording UI: undefined when not recording, else the elapsed time text. */
  setRecording(elapsed: string | undefined): void;
  /** States the file limit where files are picked. */
  setLimit(maxFileBytes: number): void;
  /** The chat cannot work on this site: nothing can be written. */
  setDisabled(isDisabled: boolean): void;
  focus(): void;
}

export function buildComposer(slot: HTMLElement, t: Translate, canRecord: boolean, handlers: ComposerHandlers): ComposerView {
  const contextLabel = h('b', {});
  const contextText = h('span', {});
  const context = h(
    'div',
    { class: 'context', hidden: true },
    contextLabel,
    contextText,
    h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('cancel'), title: t('cancel'), onclick: () => handlers.onCancelContext() }, icon(ICONS.close)),
  );
  const fileInput = h('input', { type: 'file', multiple: true, hidden: true, tabindex: '-1', 'aria-hidden': 'true' });
  fileInput.addEventListener('change', () => {
    const files = [...(fileInput.files ?? [])];
    fileInput.value = '';
    if (files.length > 0) handlers.onFiles(files);
  });
  const attach = h('button', { type: 'button', class: 'icon-btn', 'data-action': 'attach', 'aria-label': t('attach'), title: t('attach'), onclick: () => fileInput.click() }, icon(ICONS.attach));
  const textarea = h('textarea', { rows: 1, 'aria-label': t('messageLabel'), placeholder: t('placeholder'), enterkeyhint: 'send', maxlength: 10000 });
  const recordButton = h('button', { type: 'button', class: 'icon-btn', 'data-action': 'record', 'aria-label': t('record'), title: t('record'), hidden: !canRecord, onclick: () => handlers.onRecord() }, icon(ICONS.mic));
  const send = h('button', { type: 'submit', class: 'icon-btn send', 'data-action': 'send', 'aria-label': t('send'), title: t('send') }, icon(ICONS.send));
  const row = h('form', { class: 'row' }, attach, fileInput, textarea, recordButton, send);
  const elapsed = h('span', {});
  const recording = h(
    'div',
    { class: 'recording', hidden: true, role: 'status' },
    h('i', { class: 'dot', 'aria-hidden': 'true' }),
    elapsed,
    h('button', { type: 'button', class: 'icon-btn', 'data-action': 'cancel-recording', 'aria-label': t('cancelRecording'), title: t('cancelRecording'), onclick: () => handlers.onStopRecording(false) }, icon(ICONS.close)),
    h('button', { type: 'button', class: 'icon-btn send', 'data-action': 'stop-recording', 'aria-label': t('stopRecording'), title: t('stopRecording'), onclick: () => handlers.onStopRecording(true) }, icon(ICONS.send)),
  );
  slot.append(context, row, recording);

  const grow = (): void => {
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, 120)}px`;
  };
  const submit = (): void => {
    const text = textarea.value.trim();
    if (!text) return;
    handlers.onSubmit(text);
  };
  row.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  textarea.addEventListener('keydown', (e) => {
    // isComposing: Enter that confirms an IME candidate (Japanese, Chinese…) must not send.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  textarea.addEventListener('input', () => {
    grow();
    if (textarea.value.trim()) handlers.onTyping();
  });
  textarea.addEventListener('paste', (e) => {
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    handlers.onFiles(files);
  });

  return {
    textarea,
    recordButton,
    setContext(c) {
      context.hidden = !c;
      contextLabel.textContent = c ? `${c.label}:` : '';
      contextText.textContent = c?.text ?? '';
    },
    setText(text) {
      textarea.value = text;
      grow();
    },
    setLimit(bytes) {
      const label = `${t('attach')} (${t('fileLimit', { limit: formatSize(bytes) })})`;
      attach.setAttribute('aria-label', label);
      attach.title = label;
    },
    setDisabled(isDisabled) {
      for (const el of [textarea, attach, recordButton, send]) el.disabled = isDisabled;
    },
    setRecording(time) {
      const isRecording = time !== undefined;
      recording.hidden = !isRecording;
      row.hidden = isRecording;
      elapsed.textContent = isRecording ? t('recording', { time }) : '';
    },
    focus() {
      (row.hidden ? recording.querySelector('button') : textarea)?.focus();
    },
  };
}
