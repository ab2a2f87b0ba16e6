import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { refererHost, verifyRevokeSignature } from '../../server/routes/oauth.js';
import { pickLanguage, renderPage } from '../../server/routes/oauth-pages.js';
import { webchatSnippet } from '../../server/routes/widget.js';

describe('referer host', () => {
  it('accepts account hosts on the three domains, with an optional https:// and trailing slash', () => {
    expect(refererHost('acme.amocrm.ru')).toBe('acme.amocrm.ru');
    expect(refererHost('ACME.Kommo.com')).toBe('acme.kommo.com');
    expect(refererHost('https://acme.amocrm.com/')).toBe('acme.amocrm.com');
  });
  it.each(['', 'amocrm.ru', 'evil.com', 'acme.amocrm.ru.evil.com', 'acme.amocrm.ru:81', 'acme.amocrm.ru/x', 'a@acme.amocrm.ru', 'http://acme.amocrm.ru', 'a.b.kommo.com', 'acme.amocrm.ru\n'])(
    'refuses %j',
    (v) => {
      expect(refererHost(v.endsWith('\n') ? `${v}evil.com` : v)).toBeUndefined();
    },
  );
});

describe('uninstall hook signature', () => {
  const secret = 's3cret';
  const sig = createHmac('sha256', secret).update('client|42').digest('hex');
  it('accepts lower- and upper-case hex', () => {
    expect(verifyRevokeSignature(secret, 'client', '42', sig)).toBe(true);
    expect(verifyRevokeSignature(secret, 'client', '42', sig.toUpperCase())).toBe(true);
  });
  it('refuses other accounts, clients, lengths and non-hex', () => {
    expect(verifyRevokeSignature(secret, 'client', '43', sig)).toBe(false);
    expect(verifyRevokeSignature(secret, 'other', '42', sig)).toBe(false);
    expect(verifyRevokeSignature(secret, 'client', '42', sig.slice(2))).toBe(false);
    expect(verifyRevokeSignature(secret, 'client', '42', `${sig.slice(0, 62)}zz`)).toBe(false);
  });
});

describe('callback pages', () => {
  it('pick the language from lang, then Accept-Language, then the account, then the domain', () => {
    expect(pickLanguage('ru', 'en')).toEqual({ lang: 'ru', fromUser: true });
    expect(pickLanguage(undefined, 'de-DE,en;q=0.5')).toEqual({ lang: 'en', fromUser: true });
    expect(pickLanguage(undefined, undefined, 'ru', 'a.kommo.com')).toEqual({ lang: 'ru', fromUser: false });
    expect(pickLanguage(undefined, undefined, null, 'a.amocrm.ru').lang).toBe('ru');
    expect(pickLanguage(undefined, undefined, null, 'a.kommo.com').lang).toBe('en');
  });

  it('escape everything they show', () => {
    const html = renderPage('en', 'not_approved', { reason: '<img src=x onerror=alert(1)>' });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('snippet escapes its values', () => {
    expect(webchatSnippet('https://x.example', 'sk_"><b>')).toBe('<script async src="https://x.example/webchat/embed.js" data-site-key="sk_&quot;&gt;&lt;b&gt;"></script>');
  });
});
