/**
 * Every text the script shows exists in every locale (the build checks that locales match each other;
 * this checks they cover what the code asks for).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGE_KEYS } from '../../widget/src/messages.js';

const localesOf = () => JSON.parse(readFileSync(join(import.meta.dirname, '../../manifest.json'), 'utf8')).widget.locale as string[];

describe('locales', () => {
  for (const locale of localesOf()) {
    it(`${locale} has every key the widget uses`, () => {
      const data = JSON.parse(readFileSync(join(import.meta.dirname, `../../widget/i18n/${locale}.json`), 'utf8'));
      const missing = MESSAGE_KEYS.filter((key) => {
        const value = key.split('.').reduce<any>((node, part) => node?.[part], data);
        return typeof value !== 'string' || value.trim() === '';
      });
      expect(missing).toEqual([]);
    });
  }
});

describe('the "New code" confirmation', () => {
  const confirmOf = (locale: string): string => JSON.parse(readFileSync(join(import.meta.dirname, `../../widget/i18n/${locale}.json`), 'utf8')).panel.rotate_confirm;
  it('says that every visitor’s current conversation ends', () => {
    expect(confirmOf('en')).toMatch(/every visitor's current conversation ends/);
    expect(confirmOf('ru')).toMatch(/текущие разговоры всех посетителей закончатся/);
  });
});
