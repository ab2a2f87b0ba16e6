// @ts-check
/**
 * A small stand-in for the amoCRM page around a widget (widget-and-oauth.md §3): the `APP` global with the
 * account and user constants, RequireJS with jQuery, the widget's i18n files, and `$authorizedAjax`, which
 * asks the emulated amoCRM for a one-time token and sends it as `X-Auth-Token`, as amoCRM does. The widget
 * itself is the real build from dist/widget/, instantiated the way the CRM does: host methods mixed in, `new`.
 */
(() => {
  /** @type {any} */
  const w = window;
  const config = JSON.parse(document.getElementById('host-config')?.textContent ?? '{}');
  const t = config.texts;
  const note = /** @type {HTMLElement} */ (document.getElementById('host-note'));
  const userSelect = /** @type {HTMLSelectElement} */ (document.getElementById('user'));
  const modal = /** @type {HTMLElement} */ (document.querySelector('.modal'));
  const controls = modal.querySelector('.widget_settings_block')?.innerHTML ?? '';
  /** @type {Record<string, unknown>} */
  let texts = {};
  /** @type {any} */
  let widget;

  const user = () => config.account.users.find((/** @type {{id: number}} */ u) => String(u.id) === userSelect.value) ?? config.account.users[0];

  w.APP = {
    /** @param {string} name */
    constant(name) {
      const u = user();
      const constants = {
        account: { id: config.account.id, subdomain: config.account.subdomain, amojo_id: config.account.amojoId },
        user: { id: u.id, name: u.name },
        user_rights: { is_admin: u.isAdmin },
        managers: { [u.id]: { id: u.id, title: u.name, is_admin: u.isAdmin ? 'Y' : 'N' } },
        lang: config.locale,
      };
      return /** @type {Record<string, unknown>} */ (constants)[name];
    },
  };

  /** @param {string} key */
  const lookup = (key) => key.split('.').reduce((/** @type {any} */ node, part) => (node && typeof node === 'object' ? node[part] : undefined), texts);

  /**
   * The widget was built with a backend URL baked in (PUBLIC_URL at build time); in the sandbox every call
   * goes to this server, whatever that URL was.
   * @param {string} url
   */
  function toThisServer(url) {
    const target = new URL(url, location.href);
    if (target.origin === location.origin) return target.toString();
    note.textContent = t.rerouted.replace('{built}', target.origin);
    return location.origin + target.pathname + target.search;
  }

  const hostMethods = {
    get_settings: () => ({ widget_code: 'amo_webchat', path: config.widgetBase.replace(/\/$/, ''), status: 'installed', active: 'Y' }),
    /** @param {string} key */
    i18n: (key) => lookup(key),
    set_status: () => undefined,
    system: () => ({ amouser_id: user().id, area: 'settings', subdomain: config.account.subdomain }),
    /** @param {{ url: string, method: string, dataType: string, contentType?: string, data?: string, timeout?: number }} options */
    $authorizedAjax(options) {
      const $ = w.jQuery;
      const deferred = $.Deferred();
      fetch(config.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ account_id: config.account.id, user_id: user().id }) })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .then(
          (/** @type {{token: string}} */ body) => {
            $.ajax({ ...options, url: toThisServer(options.url), headers: { 'X-Auth-Token': body.token } }).then(
              (/** @type {unknown[]} */ ...a) => deferred.resolve(...a),
              (/** @type {unknown[]} */ ...a) => deferred.reject(...a),
            );
          },
          () => {
            note.textContent = t.tokenFailed;
            deferred.reject({ status: 0, responseText: '' }, 'error', t.tokenFailed);
          },
        );
      return deferred.promise();
    },
  };

  function mount() {
    widget?.callbacks.destroy();
    const block = modal.querySelector('.widget_settings_block');
    if (block) block.innerHTML = controls;
    widget.callbacks.init();
    widget.callbacks.render();
    widget.callbacks.bind_actions();
    widget.callbacks.settings(w.jQuery(modal));
  }

  // The emulated Telegram's ready bot: its token, offered for the widget's Telegram section.
  const token = typeof config.telegramToken === 'string' ? config.telegramToken : '';
  document.getElementById('tg-copy-token')?.addEventListener('click', (e) => {
    const button = /** @type {HTMLButtonElement} */ (e.currentTarget);
    void navigator.clipboard?.writeText(token).then(() => (button.textContent = t.tgCopied), () => undefined);
  });
  document.getElementById('tg-paste-token')?.addEventListener('click', () => {
    const field = /** @type {HTMLInputElement | null} */ (document.querySelector('[data-awc-telegram-token]'));
    if (!field) return;
    field.value = token;
    field.dispatchEvent(new Event('input', { bubbles: true }));
    field.focus();
  });

  w.requirejs.config({ paths: { jquery: '/sandbox/page/vendor/jquery' } });
  w.require(['jquery', `${config.widgetBase}script.js`], (/** @type {any} */ _$, /** @type {any} */ Widget) => {
    fetch(`${config.widgetBase}i18n/${config.locale}.json`)
      .then((r) => r.json())
      .then((/** @type {Record<string, unknown>} */ json) => {
        texts = json;
        Object.assign(Widget.prototype, hostMethods);
        widget = new Widget();
        mount();
        userSelect.addEventListener('change', mount);
      });
  });
})();
