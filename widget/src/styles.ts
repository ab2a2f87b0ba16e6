/**
 * The panel's look, injected once per page. Inline rather than a separate style.css so the script is the
 * widget's single moving part; every selector is prefixed `awc-` to stay out of the CRM's own styles.
 */
const STYLE_ATTR = 'data-awc-style';

const CSS = `
.awc-panel { margin: 16px 0; padding: 16px; border: 1px solid #dbe1e6; border-radius: 4px; background: #fff;
  font-size: 14px; line-height: 1.45; color: #2e3640; max-width: 560px; }
.awc-title { font-weight: bold; font-size: 15px; margin-bottom: 8px; }
.awc-state { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: bold; background: #eef1f4; }
.awc-state--connected { background: #e3f5e9; color: #1d7a3e; }
.awc-state--error { background: #fdecea; color: #b3261e; }
.awc-state--disconnected, .awc-state--not_connected { background: #fff4e0; color: #8a5300; }
.awc-detail, .awc-hint, .awc-note, .awc-busy { margin-top: 8px; }
.awc-note, .awc-snippet__hint { color: #6b7785; }
.awc-error { margin-top: 10px; padding: 8px 10px; border-radius: 4px; background: #fdecea; color: #b3261e; }
.awc-actions { margin-top: 12px; display: flex; gap: 8px; flex-wrap: wrap; }
.awc-button { cursor: pointer; }
.awc-button[disabled] { opacity: .6; cursor: default; }
.awc-snippet { margin-top: 16px; }
.awc-snippet__label { display: block; font-weight: bold; margin-bottom: 4px; }
.awc-snippet__code { width: 100%; box-sizing: border-box; font-family: monospace; font-size: 12px; resize: vertical; }
.awc-snippet__row { display: flex; align-items: center; gap: 10px; margin: 6px 0; }
.awc-routing { margin-top: 16px; }
.awc-confirm { margin: 8px 0; padding: 8px 10px; border-radius: 4px; background: #fff4e0; }
.awc-routing__title { font-weight: bold; }
.awc-routing__hint, .awc-routing__saved { color: #6b7785; margin: 4px 0 8px; }
.awc-routing__row { display: flex; align-items: center; gap: 10px; margin: 6px 0; }
.awc-routing__label { min-width: 140px; }
.awc-bubble, .awc-identity, .awc-erase { margin-top: 16px; }
.awc-field { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; margin: 6px 0; }
.awc-field > label { min-width: 140px; }
.awc-field > input[type=text], .awc-field > input[type=url] { flex: 1; min-width: 200px; }
.awc-field > .awc-note { flex-basis: 100%; margin-top: 0; }
.awc-fieldset { border: 1px solid #dbe1e6; border-radius: 4px; margin: 10px 0; padding: 6px 10px; }
.awc-day { display: flex; align-items: flex-start; flex-wrap: wrap; gap: 8px; margin: 4px 0; }
.awc-ranges { display: flex; flex-direction: column; gap: 4px; }
.awc-range { display: flex; align-items: center; gap: 6px; }
.awc-day > label { min-width: 120px; }
.awc-telegram { margin-top: 16px; padding-top: 12px; border-top: 1px solid #dbe1e6; }
.awc-telegram__title { font-weight: bold; margin-bottom: 6px; }
.awc-telegram__form { margin-top: 10px; }
.awc-telegram__label { display: block; font-weight: bold; margin-bottom: 4px; }
.awc-telegram__row { display: flex; gap: 8px; flex-wrap: wrap; }
.awc-telegram__token { flex: 1; min-width: 200px; box-sizing: border-box; font-family: monospace; font-size: 12px; padding: 4px 6px; }
.awc-telegram__hint { color: #6b7785; margin-top: 6px; }
`;

export function ensureStyles(doc: Document): void {
  if (doc.querySelector(`style[${STYLE_ATTR}]`)) return;
  const style = doc.createElement('style');
  style.setAttribute(STYLE_ATTR, '');
  style.textContent = CSS;
  (doc.head ?? doc.documentElement).appendChild(style);
}

export function removeStyles(doc: Document): void {
  doc.querySelectorAll(`style[${STYLE_ATTR}]`).forEach((node) => node.remove());
}
