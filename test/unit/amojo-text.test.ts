/**
 * The text amoCRM receives for a client message (server/bridge/amojo-text.ts): the managers' note
 * above what was written, the page line below, and the emulated inbox taking the page line apart
 * again for display: what one writes, the other reads.
 */
import { describe, expect, it } from 'vitest';
import { pageLine, textForAmojo } from '../../server/bridge/amojo-text.js';
// @ts-expect-error -- plain JS (checked by its own tsconfig), no declaration file
import { splitPageLine } from '../../server/sandbox/page/assets/inbox-view.js';

const split = splitPageLine as (text: string) => [string, string | undefined];

describe('page line', () => {
  it('ends the text with the page, or is the whole text of a file message, and is left out without a page', () => {
    const page = { url: 'https://shop.example/pricing', title: 'Pricing' };
    expect(textForAmojo({ text: 'Hi', page })).toBe('Hi\n\n🔗 Pricing — https://shop.example/pricing');
    expect(textForAmojo({ page })).toBe('🔗 Pricing — https://shop.example/pricing');
    expect(textForAmojo({ text: '', page: { url: 'https://shop.example/' } })).toBe('🔗 https://shop.example/');
    expect(textForAmojo({ text: 'Hi' })).toBe('Hi');
    expect(textForAmojo({})).toBeUndefined();
    expect(pageLine({ url: 'https://a.example/', title: '   ' })).toBe('🔗 https://a.example/');
  });

  it('puts the managers\' note on its own line above what was written, the page below both', () => {
    const page = { url: 'https://shop.example/pricing', title: 'Pricing' };
    const managerNote = '🌙 Written outside working hours';
    expect(textForAmojo({ text: 'Hi', managerNote })).toBe(`${managerNote}\nHi`);
    expect(textForAmojo({ managerNote })).toBe(managerNote);
    expect(textForAmojo({ text: 'Hi', managerNote, page })).toBe(`${managerNote}\nHi\n\n🔗 Pricing — https://shop.example/pricing`);
  });

  it('is taken apart by the emulated inbox exactly as it was put together', () => {
    const page = { url: 'https://shop.example/cart', title: 'Cart — 2 items' };
    for (const text of ['Hello', 'two\n\nparagraphs', 'line one\nline two', undefined]) {
      const sent = textForAmojo({ ...(text !== undefined ? { text } : {}), page })!;
      expect(split(sent)).toEqual([text ?? '', pageLine(page)]);
    }
    expect(split('no page here')).toEqual(['no page here', undefined]);
    expect(split('a link 🔗 inside a sentence')).toEqual(['a link 🔗 inside a sentence', undefined]);
  });
});
