/** Text lookup through the host's `i18n()`, so the CRM's current locale decides the language. */
import type { WidgetHost } from './host.js';
import type { MessageKey } from './messages.js';

export type Translate = (key: MessageKey, vars?: Record<string, string>) => string;

/** The developer's contacts, from the manifest the build wrote (`WIDGET_SUPPORT_EMAIL`, `WIDGET_SUPPORT_URL`). */
export interface SupportContacts {
  email: string;
  url: string;
}

/** What `{support}` reads in a text: the e-mail and the link, whichever the build had. */
export function supportText(support: SupportContacts): string {
  return [support.email, support.url].map((s) => s.trim()).filter((s) => s !== '').join(', ');
}

export function createTranslate(host: WidgetHost, support: SupportContacts): Translate {
  const contacts = supportText(support);
  return (key, vars) => {
    let text: unknown;
    try {
      text = host.i18n(key);
    } catch {
      text = undefined;
    }
    // A missing key shows as itself: visible to whoever tests the locale, never a blank line.
    let template = typeof text === 'string' && text !== '' ? text : key;
    // A build without contacts leaves no empty "()" behind.
    if (contacts === '') template = template.replace(/\s*\(\{support\}\)/g, '');
    const all: Record<string, string> = { support: contacts, ...vars };
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => all[name] ?? whole);
  };
}
