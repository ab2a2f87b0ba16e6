/**
 * The four languages of everything an admin or a visitor reads: the widget's i18n files, the chat
 * bubble's texts and the install pages. Each locale has every key, and no locale carries another
 * language's text: no Cyrillic or `.ru` links outside Russian, no English left untranslated in
 * Spanish or Portuguese, no Spanish in Portuguese and the other way round.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAGE_LANGUAGES, renderPage, type PageOutcome } from '../../server/routes/oauth-pages.js';
import type { WidgetStatusBody } from '../../server/routes/widget.js';
import { LOCALES as BUBBLE_LOCALES, textsOf } from '../../webchat-embed/src/i18n.js';
import { MESSAGE_KEYS } from '../../widget/src/messages.js';

const ROOT = join(import.meta.dirname, '../..');
const LANGUAGES = ['ru', 'en', 'es', 'pt'] as const;
type Language = (typeof LANGUAGES)[number];

/** Words that are the same in English and in Spanish or Portuguese; a proper name or a loanword, never a sentence. */
const SAME_AS_ENGLISH = new Set(['Bot', 'Video', 'Telegram']);

const CYRILLIC = /[\u0400-\u04ff]/;
const RU_LINK = /(?:https?:\/\/|www\.|@)[^\s"'<>]*\.ru\b|amocrm\.ru/i;
/** Letters only one of the two languages writes. */
const ONLY_SPANISH = /[ñ¿¡]/i;
const ONLY_PORTUGUESE = /[ãõçâêôà]/i;

/** Leaf dot-paths of a nested object and their values. */
function leaves(node: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof node !== 'object' || node === null) return out;
  for (const [key, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'object' && value !== null) for (const [p, v] of leaves(value, path)) out.set(p, v);
    else out.set(path, value);
  }
  return out;
}

/** Every problem of one language's texts, named by key; `english` is the same keys in English. */
function languageProblems(language: Language, texts: Map<string, string>, english: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, text] of texts) {
    const words = text.replace(/\{\w+\}/g, '');
    if (language === 'ru') {
      if (/\p{L}/u.test(words) && !CYRILLIC.test(words)) problems.push(`${key}: no Russian in "${text}"`);
      continue;
    }
    if (CYRILLIC.test(text)) problems.push(`${key}: Cyrillic in "${text}"`);
    if (RU_LINK.test(text)) problems.push(`${key}: a .ru link in "${text}"`);
    if (language === 'en') continue;
    if (text === english.get(key) && !SAME_AS_ENGLISH.has(text)) problems.push(`${key}: left in English: "${text}"`);
    if (language === 'es' && ONLY_PORTUGUESE.test(text)) problems.push(`${key}: Portuguese in "${text}"`);
    if (language === 'pt' && ONLY_SPANISH.test(text)) problems.push(`${key}: Spanish in "${text}"`);
  }
  return problems;
}

function expectSameKeys(texts: Map<string, string>, english: Map<string, string>): void {
  expect([...texts.keys()].sort()).toEqual([...english.keys()].sort());
  for (const [key, text] of texts) expect(text.trim(), key).not.toBe('');
}

describe('widget locales', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8'));
  const fileOf = (language: Language): Map<string, string> => {
    const data = JSON.parse(readFileSync(join(ROOT, `widget/i18n/${language}.json`), 'utf8'));
    return new Map([...leaves(data)].map(([k, v]) => [k, String(v)]));
  };
  const english = fileOf('en');

  it('are the four languages, in the manifest and its tour', () => {
    expect([...manifest.widget.locale].sort()).toEqual([...LANGUAGES].sort());
    expect(Object.keys(manifest.tour.tour_images).sort()).toEqual([...LANGUAGES].sort());
  });

  for (const language of LANGUAGES) {
    it(`${language}.json has every key and only ${language} text`, () => {
      const texts = fileOf(language);
      expectSameKeys(texts, english);
      expect(MESSAGE_KEYS.filter((key) => !texts.has(key))).toEqual([]);
      expect(languageProblems(language, texts, english)).toEqual([]);
    });
  }
});

describe('chat bubble locales', () => {
  const textsMap = (language: Language): Map<string, string> => new Map(Object.entries(textsOf(language)));
  const english = textsMap('en');

  it('are the four languages', () => {
    expect([...BUBBLE_LOCALES].sort()).toEqual([...LANGUAGES].sort());
  });

  for (const language of LANGUAGES) {
    it(`${language} has every text and only ${language} text`, () => {
      const texts = textsMap(language);
      expectSameKeys(texts, english);
      expect(languageProblems(language, texts, english)).toEqual([]);
    });
  }
});

describe('install pages', () => {
  const OUTCOMES: PageOutcome[] = ['connected', 'denied', 'invalid_code', 'not_approved', 'conflict', 'upstream'];
  const status: WidgetStatusBody = {
    connected: true,
    state: 'connected',
    reason: null,
    scope_id: null,
    title: '',
    webchat: { site_key: 'k', snippet: '<script></script>' },
  };
  /** Each outcome's visible text, the snippet lead-in included. */
  const pagesOf = (language: Language): Map<string, string> =>
    new Map(
      OUTCOMES.map((outcome) => {
        const html = renderPage(language, outcome, { status });
        const text = html.replace(/<pre[\s\S]*?<\/pre>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
        return [outcome, text];
      }),
    );
  const english = pagesOf('en');

  it('are the four languages', () => {
    expect([...PAGE_LANGUAGES].sort()).toEqual([...LANGUAGES].sort());
  });

  for (const language of LANGUAGES) {
    it(`${language} pages are in ${language}`, () => {
      const pages = pagesOf(language);
      expect(renderPage(language, 'connected')).toContain(`<html lang="${language}">`);
      expect(languageProblems(language, pages, english)).toEqual([]);
    });
  }
});
