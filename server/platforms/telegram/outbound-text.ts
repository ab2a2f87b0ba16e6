/**
 * Long manager texts cut for Telegram (4096 characters a message, 1024 a caption, telegram.md §6):
 * at a paragraph break, else a line break, else a space, never inside a surrogate pair.
 */
export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

export function splitText(text: string, max = MAX_TEXT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' '));
    if (cut < max / 2) cut = max;
    // Never split a surrogate pair (an emoji) in two.
    const code = rest.charCodeAt(cut - 1);
    if (cut === max && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.length > 0) parts.push(rest);
  return parts.filter((p) => p.length > 0);
}

/** Salesbot buttons as an inline keyboard; a press sends back `callback_data`, the button's text when it fits 64 bytes. */
export function inlineKeyboard(rows: ReadonlyArray<ReadonlyArray<{ text: string; url?: string }>>) {
  return {
    inline_keyboard: rows.map((row, r) =>
      row.map((b, c) => (b.url ? { text: b.text, url: b.url } : { text: b.text, callback_data: Buffer.byteLength(b.text) <= 64 ? b.text : `#${r}.${c}` })),
    ),
  };
}
