/**
 * The settings page controller: loads the status, runs Connect / Reconnect / Disconnect, copies the
 * snippet. It owns one root element; mounting again somewhere replaces any earlier panel (the CRM may call
 * `settings` more than once), and results that arrive after `destroy` are dropped.
 */
import $ from 'jquery';
import { BackendError, type ConnectionStatus, type RoutedChannel, type WidgetApi } from './api.js';
import type { Translate } from './i18n.js';
import { describeFailure, type Message } from './messages.js';
import { renderPanel, type PanelAction, type PanelModel } from './panel-view.js';
import { PIPELINE_SELECT_ATTR, initialRouting } from './pipeline-picker.js';
import { mountBubbleSetup, type BubbleSetupView } from './bubble-setup.js';
import { TELEGRAM_TOKEN_ATTR, describeTelegramFailure, initialTelegram, tokenProblem } from './telegram-section.js';

export const PANEL_SELECTOR = '[data-awc-panel]';

export interface SettingsPanelOptions {
  container: JQuery;
  api: WidgetApi;
  t: Translate;
  isAdmin: boolean;
  /** Read when Connect is pressed, so a late `APP` still counts. */
  amojoId(): string | null;
  /** True before the admin has installed the widget: there is nothing to ask the backend yet. */
  installPending: boolean;
  onStatus?(status: ConnectionStatus): void;
}

export interface SettingsPanel {
  readonly root: JQuery;
  destroy(): void;
}

const COPY_FEEDBACK_MS = 2500;

export function mountSettingsPanel(options: SettingsPanelOptions): SettingsPanel {
  const { container, api, t } = options;
  container.find(PANEL_SELECTOR).remove();
  const root = $('<div class="awc-panel" data-awc-panel></div>');
  // Redrawn on every change; the website chat's own settings live beside it and keep what is typed.
  const drawn = $('<div></div>');
  root.append(drawn);
  container.append(root);
  let bubble: BubbleSetupView | undefined;

  let alive = true;
  let copyTimer: ReturnType<typeof setTimeout> | undefined;
  const model: PanelModel = {
    phase: options.installPending ? 'install_first' : 'loading',
    status: null,
    isAdmin: options.isAdmin,
    error: null,
    copy: 'idle',
    confirmingRotate: false,
    routing: initialRouting(),
    telegram: initialTelegram(),
  };

  function draw(): void {
    if (!alive) return;
    drawn.empty().append(renderPanel(model, t));
    // The website chat's settings need a connected channel (its site key).
    if (model.status?.connected && model.status.webchat) bubble ??= mountBubbleSetup(root, api, t, model.isAdmin);
    else if (model.status && !model.status.connected) {
      bubble?.destroy();
      bubble = undefined;
    }
  }

  function failureMessage(error: unknown): Message {
    return describeFailure(error instanceof BackendError ? error : new BackendError(0, null, null));
  }

  function run(request: () => Promise<ConnectionStatus>, busy: PanelModel['phase'], onFailPhase: PanelModel['phase']): void {
    model.phase = busy;
    model.error = null;
    model.copy = 'idle';
    draw();
    request().then(
      (status) => {
        if (!alive) return;
        model.phase = 'ready';
        model.status = status;
        draw();
        options.onStatus?.(status);
      },
      (error: unknown) => {
        if (!alive) return;
        model.phase = onFailPhase;
        model.error = failureMessage(error);
        draw();
      },
    );
  }

  function load(): void {
    run(() => api.status(), 'loading', 'load_failed');
  }

  function connect(): void {
    const amojoId = options.amojoId();
    if (!amojoId) {
      model.error = { key: 'errors.no_amojo_id' };
      draw();
      return;
    }
    run(() => api.connect(amojoId), 'connecting', 'ready');
  }

  async function copySnippet(): Promise<void> {
    const field = root.find('[data-awc-snippet]').get(0) as HTMLTextAreaElement | undefined;
    const text = model.status?.webchat?.snippet ?? '';
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      // No async clipboard (older browser, no permission): fall back to selecting the text.
      if (field) {
        field.focus();
        field.select();
        try {
          copied = document.execCommand('copy');
        } catch {
          copied = false;
        }
      }
    }
    if (!alive) return;
    model.copy = copied ? 'copied' : 'failed';
    draw();
    clearTimeout(copyTimer);
    if (copied) {
      copyTimer = setTimeout(() => {
        model.copy = 'idle';
        draw();
      }, COPY_FEEDBACK_MS);
    }
  }

  function loadRouting(): void {
    model.routing = { ...initialRouting(), phase: 'loading' };
    draw();
    api.routing().then(
      (data) => {
        if (!alive) return;
        model.routing = { phase: 'ready', data, saved: null, error: null };
        draw();
      },
      (error: unknown) => {
        if (!alive) return;
        model.routing = { ...initialRouting(), phase: 'failed', error: failureMessage(error) };
        draw();
      },
    );
  }

  function choosePipeline(channel: RoutedChannel, pipelineId: number): void {
    const data = model.routing.data;
    if (!data || model.routing.phase !== 'ready') return;
    model.routing = { phase: 'saving', data, saved: null, error: null };
    draw();
    api.setPipeline(channel, pipelineId).then(
      (chosen) => {
        if (!alive) return;
        model.routing = { phase: 'ready', data: { ...data, chosen }, saved: channel, error: null };
        draw();
      },
      (error: unknown) => {
        if (!alive) return;
        model.routing = { phase: 'ready', data, saved: null, error: failureMessage(error) };
        draw();
      },
    );
  }

  /** Telegram actions answer like status; their failures are shown in the Telegram section. */
  function runTelegram(request: () => Promise<ConnectionStatus>, phase: 'connecting' | 'disconnecting'): void {
    model.telegram = { ...model.telegram, phase, confirmingDisconnect: false, error: null };
    draw();
    request().then(
      (status) => {
        if (!alive) return;
        model.telegram = { ...model.telegram, phase: 'idle' };
        model.status = status;
        draw();
        options.onStatus?.(status);
      },
      (error: unknown) => {
        if (!alive) return;
        model.telegram = { ...model.telegram, phase: 'idle', error: describeTelegramFailure(error) };
        draw();
      },
    );
  }

  function connectTelegram(): void {
    const field = root.find(`[${TELEGRAM_TOKEN_ATTR}]`);
    const token = String(field.val() ?? model.telegram.draft).trim();
    const problem = tokenProblem(token);
    // Sent or refused, the token leaves the page's memory now; a second try means pasting it again.
    model.telegram = { ...model.telegram, draft: '', error: problem };
    if (problem) {
      draw();
      return;
    }
    runTelegram(() => api.connectTelegram(token), 'connecting');
  }

  const handlers: Record<PanelAction, () => void> = {
    connect,
    reconnect: connect,
    disconnect: () => run(() => api.disconnect(), 'disconnecting', 'ready'),
    // The old code stops working on every site where it is pasted: ask first.
    rotate: () => {
      model.confirmingRotate = true;
      draw();
    },
    rotate_confirmed: () => {
      model.confirmingRotate = false;
      run(() => api.rotateSiteKey(), 'rotating', 'ready');
    },
    cancel: () => {
      model.confirmingRotate = false;
      draw();
    },
    retry: load,
    copy: () => void copySnippet(),
    pipelines: loadRouting,
    telegram_connect: connectTelegram,
    telegram_disconnect: () => {
      model.telegram = { ...model.telegram, confirmingDisconnect: true, error: null };
      draw();
    },
    telegram_disconnect_confirmed: () => runTelegram(() => api.disconnectTelegram(), 'disconnecting'),
    telegram_cancel: () => {
      model.telegram = { ...model.telegram, confirmingDisconnect: false };
      draw();
    },
  };

  root.on('click', '[data-awc-action]', (event) => {
    event.preventDefault();
    const action = $(event.currentTarget).attr('data-awc-action') as PanelAction | undefined;
    if (action && handlers[action] && !$(event.currentTarget).prop('disabled')) handlers[action]();
  });
  root.on('change', `[${PIPELINE_SELECT_ATTR}]`, (event) => {
    const select = $(event.currentTarget);
    const id = Number(select.val());
    const channel = select.attr(PIPELINE_SELECT_ATTR);
    if ((channel === 'webchat' || channel === 'telegram') && Number.isInteger(id) && id > 0) choosePipeline(channel, id);
  });
  // Typed text survives redraws (a copy confirmation fading, …) without being drawn from anywhere else.
  root.on('input', `[${TELEGRAM_TOKEN_ATTR}]`, (event) => {
    model.telegram.draft = String($(event.currentTarget).val() ?? '');
  });
  root.on('keydown', `[${TELEGRAM_TOKEN_ATTR}]`, (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      if (model.telegram.phase === 'idle') connectTelegram();
    }
  });
  root.on('focus', '[data-awc-snippet]', (event) => (event.currentTarget as HTMLTextAreaElement).select());

  if (model.phase === 'install_first') draw();
  else load();

  return {
    root,
    destroy() {
      alive = false;
      clearTimeout(copyTimer);
      bubble?.destroy();
      root.off().remove();
    },
  };
}
