/**
 * The page of the fake CRM used by the browser test. It does what amoCRM's own front end does with a
 * widget: RequireJS loads `<widget path>/script.js` from the unpacked archive, the host mixes its methods
 * into the constructor's prototype, runs render/init/bind_actions and opens the settings modal.
 * `$authorizedAjax` first asks the host's server for a one-time token, then sends it as `X-Auth-Token`.
 */

export interface CrmPageConfig {
  widgetCode: string;
  /** URL path of the unpacked archive, like amoCRM's `params.path`. */
  widgetPath: string;
  version: string;
  lang: string;
  subdomain: string;
  userId: number;
  clientId: string;
  /** Everything `APP.constant(name)` answers. */
  constants: Record<string, unknown>;
}

/** Runs in the browser (plain ES5: it stands for the CRM's code, not ours). */
function hostScript(config: CrmPageConfig): string {
  return `
(function () {
  var CONFIG = ${JSON.stringify(config).replace(/</g, '\\u003c')};
  var timing = (window.__awcTiming = {});
  window.APP = { constant: function (name) { return CONFIG.constants[name]; }, lang_id: CONFIG.lang };

  // Time to the first real state on the settings page (anything but "checking…").
  new MutationObserver(function () {
    if (!timing.rendered && document.querySelector('[data-awc-state]:not([data-awc-state="loading"])')) {
      timing.rendered = performance.now();
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  requirejs.config({ paths: { jquery: '/vendor/jquery' } });
  require(['jquery'], function ($) {
    var path = CONFIG.widgetPath;
    var params = { widget_code: CONFIG.widgetCode, path: path, version: CONFIG.version, status: 'installed',
      active: 'Y', oauth_client_uuid: CONFIG.clientId };
    function lookup(tree, key) {
      return key.split('.').reduce(function (node, part) { return node && typeof node === 'object' ? node[part] : undefined; }, tree);
    }
    $.getJSON(path + '/i18n/' + CONFIG.lang + '.json?v=' + CONFIG.version).then(function (langs) {
      var host = {
        params: params,
        langs: langs,
        get_settings: function () { return params; },
        set_settings: function (values) { $.extend(params, values); },
        get_version: function () { return params.version; },
        get_install_status: function () { return params.status; },
        i18n: function (key) { return lookup(langs, key); },
        set_status: function (status) { window.__awcInstallStatus = status; },
        system: function () { return { area: 'settings', subdomain: CONFIG.subdomain, amouser_id: CONFIG.userId }; },
        $authorizedAjax: function (options) {
          var deferred = $.Deferred();
          var fail = function (xhr, text, error) { deferred.reject(xhr, text, error); };
          $.ajax({ url: '/crm/one-time-token', method: 'POST', dataType: 'json' }).then(function (answer) {
            var headers = $.extend({}, options.headers, { 'X-Auth-Token': answer.token });
            $.ajax($.extend({}, options, { headers: headers })).then(function (data, text, xhr) {
              deferred.resolve(data, text, xhr);
            }, fail);
          }, fail);
          return deferred.promise();
        }
      };
      timing.requireStart = performance.now();
      require([path + '/script.js?v=' + CONFIG.version], function (Widget) {
        timing.scriptLoaded = performance.now();
        $.extend(Widget.prototype, host);
        var widget = new Widget();
        var ready = widget.callbacks.render() === true && widget.callbacks.init() === true &&
          widget.callbacks.bind_actions() === true;
        if (!ready) { window.__awcLoadError = 'render/init/bind_actions did not return true'; return; }
        var code = CONFIG.widgetCode;
        var $modal = $('<div class="modal ' + code + '"><div class="modal-body">' +
          '<h2 class="modal-title">' + $('<div>').text(langs.widget.name).html() + '</h2>' +
          '<div class="widget_settings_block" id="widget_settings_block_' + code + '">' +
          '<div class="widget_settings_block__controls"><button type="button" class="button-input js-widget-save">Save</button></div>' +
          '</div></div></div>').appendTo('#work-area');
        timing.settingsCalled = performance.now();
        widget.callbacks.settings($modal.find('.modal-body'));
        window.__awcWidget = widget;
      }, function (error) { window.__awcLoadError = String(error); });
    }, function () { window.__awcLoadError = 'i18n file not found'; });
  });
})();`;
}

export function renderCrmPage(config: CrmPageConfig): string {
  return `<!doctype html>
<html lang="${config.lang}">
<head>
<meta charset="utf-8">
<title>CRM settings (test host)</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font-family: Arial, sans-serif; background: #f5f5f5; }
  .top { background: #1b2a3a; color: #fff; padding: 12px 20px; font-size: 14px; }
  #work-area { padding: 24px; }
  .modal { background: #fff; max-width: 640px; margin: 0 auto; padding: 8px 24px 24px; box-shadow: 0 2px 8px rgba(0,0,0,.15); }
  .button-input { padding: 6px 14px; border: 1px solid #c3cbd4; border-radius: 3px; background: #fff; }
</style>
</head>
<body>
<div class="top">${config.subdomain}.amocrm.ru · Settings · Integrations</div>
<div id="work-area"></div>
<script src="/vendor/require.js"></script>
<script>${hostScript(config)}</script>
</body>
</html>`;
}
