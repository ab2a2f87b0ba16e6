/** Text lookup through the host's `i18n()`, so the CRM's current locale decides the language. */
import type { WidgetHost } from './host.js';
import type { MessageKey } from './messages.js';

export type Translate = (key: MessageKey, vars?: Record<string, string>) => string;

export function createTranslate(host: WidgetHost): Translate {
  return (key, vars) => {
    let text: unknown;
    try {
      text = host.i18n(key);
    } catch {
      text = undefined;
    }
    // A missing key shows as itself: visible to whoever tests the locale, never a blank line.
    const template = typeof text === 'string' && text !== '' ? text : key;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => vars?.[name] ?? whole);
  };
}
