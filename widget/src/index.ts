/**
 * Entry of `script.js`. webpack wraps this module as an anonymous AMD module (`define(['jquery'], …)`)
 * whose factory returns the default export, the widget constructor (see scripts/widget/webpack-config.ts).
 * `widget/` runs in the CRM's page: it imports nothing from `server/` and reaches the backend only over
 * HTTP, through the host's `$authorizedAjax`.
 */
import { createWidget } from './widget.js';

/** Replaced by webpack's DefinePlugin with the backend URL and the manifest's support contacts of the build. */
declare const __WIDGET_BACKEND_URL__: string;
declare const __WIDGET_SUPPORT_EMAIL__: string;
declare const __WIDGET_SUPPORT_URL__: string;

export default createWidget({ backendUrl: __WIDGET_BACKEND_URL__, support: { email: __WIDGET_SUPPORT_EMAIL__, url: __WIDGET_SUPPORT_URL__ } });
