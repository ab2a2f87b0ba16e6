/**
 * Entry of `script.js`. webpack wraps this module as an anonymous AMD module (`define(['jquery'], …)`)
 * whose factory returns the default export, the widget constructor (see scripts/widget/webpack-config.ts).
 * `widget/` runs in the CRM's page: it imports nothing from `server/` and reaches the backend only over
 * HTTP, through the host's `$authorizedAjax`.
 */
import { createWidget } from './widget.js';

/** Replaced by webpack's DefinePlugin with the backend URL chosen at build time. */
declare const __WIDGET_BACKEND_URL__: string;

export default createWidget({ backendUrl: __WIDGET_BACKEND_URL__ });
