/**
 * The widget constructor the CRM instantiates (widget-and-oauth.md §3.1). It is a plain function, not a
 * class: the host mixes its own methods (`get_settings`, `i18n`, `$authorizedAjax`, …) into the object and
 * may call the constructor with `Widget.call(self)`.
 */
import $ from 'jquery';
import { accountAmojoId, isCurrentUserAdmin } from './account.js';
import { createWidgetApi } from './api.js';
import { findApp, type WidgetHost } from './host.js';
import { createTranslate, type SupportContacts } from './i18n.js';
import { mountSettingsPanel, type SettingsPanel } from './settings-panel.js';
import { ensureStyles, removeStyles } from './styles.js';

export interface WidgetOptions {
  /** Base URL of the backend, baked in at build time. */
  backendUrl: string;
  /** The developer's support contacts, baked in at build time; every "contact support" text shows them. */
  support: SupportContacts;
}

export type WidgetConstructor = (this: WidgetHost) => WidgetHost;

/** Where the CRM's settings modal keeps its fields; we add our panel there, next to the Save button. */
function panelContainer($modal: JQuery): JQuery {
  const block = $modal.find('.widget_settings_block').first();
  return block.length > 0 ? block : $modal;
}

export function createWidget(options: WidgetOptions): WidgetConstructor {
  return function AmojoWebchatWidget(this: WidgetHost): WidgetHost {
    const self = this;
    let panel: SettingsPanel | null = null;

    const unmount = (): void => {
      panel?.destroy();
      panel = null;
    };

    this.callbacks = {
      render: () => true,
      init: () => true,
      bind_actions: () => true,

      settings($modal: JQuery): boolean {
        unmount();
        const app = findApp();
        const params = self.get_settings() ?? {};
        ensureStyles(document);
        panel = mountSettingsPanel({
          container: panelContainer($($modal)),
          api: createWidgetApi(self, options.backendUrl),
          t: createTranslate(self, options.support),
          isAdmin: isCurrentUserAdmin(app, self),
          amojoId: () => accountAmojoId(findApp()),
          installPending: params.status === 'install',
          onStatus(status) {
            // Mirrors the connection on the widget tile; not every host build has set_status.
            if (typeof self.set_status !== 'function') return;
            if (status.state === 'connected') self.set_status('installed');
            else if (status.state === 'error') self.set_status('error');
          },
        });
        return true;
      },

      // Nothing of ours is stored in the CRM: the backend keeps the connection.
      onSave: () => true,

      // The `lead_sources` location (needed for the Sources API): the pipeline of new chats is
      // chosen on the settings page, where the backend moves the channel's source; nothing to do here.
      onAddAsSource: () => true,

      destroy(): void {
        unmount();
        removeStyles(document);
      },
    };
    return this;
  };
}
