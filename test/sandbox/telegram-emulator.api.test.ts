import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { botIdOfToken } from '../../server/sandbox/telegram/index.js';
import { startTelegram, type Harness } from './telegram-emulator-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startTelegram();
});
afterEach(() => h.close());

const keyboard = (data: string) => ({ inline_keyboard: [[{ text: 'Yes', callback_data: data }]] });

describe('tokens and routing', () => {
  it('issues tokens shaped <bot_id>:<35 characters> and answers getMe with the bot', async () => {
    expect(h.bot.token).toMatch(/^\d+:[A-Za-z0-9_-]{35}$/);
    expect(botIdOfToken(h.bot.token)).toBe(h.bot.id);
    const me = await h.call('getMe');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      ok: true,
      result: { id: h.bot.id, is_bot: true, first_name: 'Shop bot', username: 'shop_test_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false },
    });
  });

  it('refuses unknown and malformed tokens with 401 Unauthorized', async () => {
    const unauthorized = { ok: false, error_code: 401, description: 'Unauthorized' };
    for (const token of [`${h.bot.id}:${'x'.repeat(35)}`, `${h.bot.id + 1}:${h.bot.token.split(':')[1]}`, 'nonsense', '']) {
      const answer = await h.call('getMe', {}, { token });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(unauthorized);
    }
  });

  it('answers 404 Not Found for an unknown method, and takes method names in any case', async () => {
    const unknown = await h.call('sendCarrierPigeon');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
    expect((await h.call('GETME')).body.result.id).toBe(h.bot.id);
    expect((await h.call('getme', {}, { httpMethod: 'GET', encoding: 'query' })).status).toBe(200);
  });

  it('reads parameters from the query string, a form, JSON and multipart alike', async () => {
    h.userSays();
    for (const encoding of ['query', 'form', 'json', 'multipart'] as const) {
      const sent = await h.call('sendMessage', { chat_id: h.user.id, text: `via ${encoding}`, reply_markup: keyboard('k') }, { encoding });
      expect(sent.status, encoding).toBe(200);
      expect(sent.body.result.text).toBe(`via ${encoding}`);
      expect(sent.body.result.reply_markup).toEqual(keyboard('k'));
    }
  });
});

describe('sendMessage', () => {
  beforeEach(() => void h.userSays());

  it('sends a message and keeps it for the chat', async () => {
    const sent = await h.call('sendMessage', { chat_id: h.user.id, text: '  Hello, Anna  ' });
    expect(sent.body.result).toEqual({
      message_id: 2,
      from: { id: h.bot.id, is_bot: true, first_name: 'Shop bot', username: 'shop_test_bot' },
      chat: { id: h.user.id, type: 'private', first_name: 'Anna', last_name: 'Petrova', username: 'anna_p' },
      date: Math.floor(h.clock.now / 1000),
      text: 'Hello, Anna',
    });
    const chat = h.emu.messages(h.bot.id, h.user.id);
    expect(chat.map((m) => [m.direction, m.message.text])).toEqual([['to_bot', 'hello'], ['from_bot', 'Hello, Anna']]);
  });

  it('refuses empty and too long texts, unknown chats and blocked bots in the API words', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ chat_id: h.user.id }, 400, 'Bad Request: message text is empty'],
      [{ chat_id: h.user.id, text: '   ' }, 400, 'Bad Request: message text is empty'],
      [{ chat_id: h.user.id, text: 'x'.repeat(4097) }, 400, 'Bad Request: message is too long'],
      [{ chat_id: 42, text: 'hi' }, 400, 'Bad Request: chat not found'],
      [{ text: 'hi' }, 400, 'Bad Request: chat_id: Invalid input'],
    ];
    for (const [params, status, description] of cases) {
      const answer = await h.call('sendMessage', params);
      expect([answer.status, answer.body.description]).toEqual([status, description]);
      expect(answer.body.error_code).toBe(status);
    }
    expect((await h.call('sendMessage', { chat_id: h.user.id, text: 'x'.repeat(4096) })).status).toBe(200);
    h.emu.blockBot({ botId: h.bot.id, userId: h.user.id });
    const blocked = await h.call('sendMessage', { chat_id: h.user.id, text: 'hi' });
    expect(blocked.body).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(h.emu.messages(h.bot.id, h.user.id)).toHaveLength(2);
  });

  it('quotes a message by reply_parameters or the legacy reply_to_message_id', async () => {
    const modern = await h.call('sendMessage', { chat_id: h.user.id, text: 'a', reply_parameters: { message_id: 1 } });
    expect(modern.body.result.reply_to_message).toMatchObject({ message_id: 1, text: 'hello' });
    const legacy = await h.call('sendMessage', { chat_id: h.user.id, text: 'b', reply_to_message_id: 2 }, { encoding: 'form' });
    expect(legacy.body.result.reply_to_message).toMatchObject({ message_id: 2, text: 'a' });
    expect(legacy.body.result.reply_to_message.reply_to_message).toBeUndefined();
    const missing = await h.call('sendMessage', { chat_id: h.user.id, text: 'c', reply_parameters: { message_id: 99 } });
    expect(missing.body.description).toBe('Bad Request: message to be replied not found');
    const allowed = await h.call('sendMessage', { chat_id: h.user.id, text: 'c', reply_parameters: { message_id: 99, allow_sending_without_reply: true } });
    expect(allowed.status).toBe(200);
    expect(allowed.body.result.reply_to_message).toBeUndefined();
  });

  it('checks inline keyboards: callback_data of 1–64 bytes, one action per button', async () => {
    expect((await h.call('sendMessage', { chat_id: h.user.id, text: 'q', reply_markup: keyboard('é'.repeat(32)) })).status).toBe(200);
    const long = await h.call('sendMessage', { chat_id: h.user.id, text: 'q', reply_markup: keyboard('é'.repeat(32) + 'x') });
    expect(long.body.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    const empty = await h.call('sendMessage', { chat_id: h.user.id, text: 'q', reply_markup: keyboard('') });
    expect(empty.body.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    const bare = await h.call('sendMessage', { chat_id: h.user.id, text: 'q', reply_markup: { inline_keyboard: [[{ text: 'Just text' }]] } });
    expect(bare.body.description).toMatch(/^Bad Request: can't parse inline keyboard button/);
  });

  it('turns parse_mode HTML and MarkdownV2 into text and entities, and refuses what Telegram cannot parse', async () => {
    const html = await h.call('sendMessage', { chat_id: h.user.id, text: '<b>Hi</b> &lt;3 <a href="https://example.com">link</a>', parse_mode: 'HTML' });
    expect(html.body.result.text).toBe('Hi <3 link');
    expect(html.body.result.entities).toEqual([
      { type: 'bold', offset: 0, length: 2 },
      { type: 'text_link', offset: 6, length: 4, url: 'https://example.com' },
    ]);
    const md = await h.call('sendMessage', { chat_id: h.user.id, text: '*Total:* 5\\.00 `EUR`', parse_mode: 'MarkdownV2' });
    expect(md.body.result.text).toBe('Total: 5.00 EUR');
    expect(md.body.result.entities).toEqual([{ type: 'bold', offset: 0, length: 6 }, { type: 'code', offset: 12, length: 3 }]);
    const reserved = await h.call('sendMessage', { chat_id: h.user.id, text: 'Total: 5.00', parse_mode: 'MarkdownV2' });
    expect(reserved.body.description).toBe("Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'");
    const tag = await h.call('sendMessage', { chat_id: h.user.id, text: '<blink>x</blink>', parse_mode: 'HTML' });
    expect(tag.body.description).toMatch(/^Bad Request: can't parse entities: Unsupported start tag "blink"/);
    const unclosed = await h.call('sendMessage', { chat_id: h.user.id, text: '<b>x', parse_mode: 'HTML' });
    expect(unclosed.body.description).toMatch(/^Bad Request: can't parse entities: Can't find end tag/);
    const mode = await h.call('sendMessage', { chat_id: h.user.id, text: 'x', parse_mode: 'BBCode' });
    expect(mode.body.description).toBe('Bad Request: unsupported parse_mode');
  });
});

describe('editMessageText', () => {
  it('edits what the bot sent, refusing unchanged text, unknown messages and the user’s own', async () => {
    h.userSays();
    const sent = await h.call('sendMessage', { chat_id: h.user.id, text: 'Price: 5', reply_markup: keyboard('buy') });
    h.clock.now += 60_000;
    const edited = await h.call('editMessageText', { chat_id: h.user.id, message_id: sent.body.result.message_id, text: 'Price: 6', reply_markup: keyboard('buy') });
    expect(edited.body.result).toMatchObject({ text: 'Price: 6', edit_date: Math.floor(h.clock.now / 1000), reply_markup: keyboard('buy') });
    expect(h.emu.messages(h.bot.id, h.user.id)[1]?.message.text).toBe('Price: 6');

    const same = await h.call('editMessageText', { chat_id: h.user.id, message_id: 2, text: 'Price: 6', reply_markup: keyboard('buy') });
    expect(same.body.description).toMatch(/^Bad Request: message is not modified/);
    expect((await h.call('editMessageText', { chat_id: h.user.id, message_id: 77, text: 'x' })).body.description).toBe('Bad Request: message to edit not found');
    expect((await h.call('editMessageText', { chat_id: h.user.id, message_id: 1, text: 'x' })).body.description).toBe("Bad Request: message can't be edited");
    expect((await h.call('editMessageText', { chat_id: h.user.id, message_id: 2, text: '' })).body.description).toBe('Bad Request: message text is empty');
    // Without reply_markup the keyboard goes.
    const bare = await h.call('editMessageText', { chat_id: h.user.id, message_id: 2, text: 'Price: 6' });
    expect(bare.body.result.reply_markup).toBeUndefined();
  });
});

describe('places, contact cards and captions', () => {
  beforeEach(() => void h.userSays());

  it('sends a location and a contact, refusing coordinates out of range and an empty phone or name', async () => {
    const place = await h.call('sendLocation', { chat_id: h.user.id, latitude: 55.75, longitude: 37.62 });
    expect(place.body.result).toMatchObject({ location: { latitude: 55.75, longitude: 37.62 } });
    expect((await h.call('sendLocation', { chat_id: h.user.id, latitude: 95, longitude: 37.62 })).status).toBe(400);
    expect((await h.call('sendLocation', { chat_id: h.user.id, latitude: 55.75 })).status).toBe(400);
    const card = await h.call('sendContact', { chat_id: h.user.id, phone_number: '+74951234567', first_name: 'Desk' });
    expect(card.body.result).toMatchObject({ contact: { phone_number: '+74951234567', first_name: 'Desk' } });
    expect((await h.call('sendContact', { chat_id: h.user.id, phone_number: ' ', first_name: 'Desk' })).body.description).toBe('Bad Request: phone number is empty');
    expect((await h.call('sendContact', { chat_id: h.user.id, phone_number: '+7495', first_name: '' })).body.description).toBe('Bad Request: first name is empty');
  });

  it('edits a caption only of a message with a file', async () => {
    const text = await h.call('sendMessage', { chat_id: h.user.id, text: 'no file here' });
    const id = text.body.result.message_id;
    expect((await h.call('editMessageCaption', { chat_id: h.user.id, message_id: id, caption: 'x' })).body.description).toBe('Bad Request: there is no caption in the message to edit');
  });
});

describe('chat actions, reactions and callback answers', () => {
  beforeEach(() => void h.userSays());

  it('records chat actions and refuses unknown ones', async () => {
    expect((await h.call('sendChatAction', { chat_id: h.user.id, action: 'typing' })).body).toEqual({ ok: true, result: true });
    expect((await h.call('sendChatAction', { chat_id: h.user.id, action: 'dancing' })).body.description).toBe('Bad Request: wrong parameter action in request');
    expect(h.emu.chatActions(h.bot.id)).toEqual([{ botId: h.bot.id, chatId: h.user.id, action: 'typing', at: h.clock.now }]);
  });

  it('sets at most one allowed emoji reaction; an empty list removes it', async () => {
    const react = (reaction: unknown) => h.call('setMessageReaction', { chat_id: h.user.id, message_id: 1, reaction });
    expect((await react([{ type: 'emoji', emoji: '👍' }])).body).toEqual({ ok: true, result: true });
    expect(h.emu.messages(h.bot.id, h.user.id)[0]?.botReaction).toEqual([{ type: 'emoji', emoji: '👍' }]);
    expect((await react([{ type: 'emoji', emoji: '👍' }, { type: 'emoji', emoji: '🔥' }])).body.description).toBe('Bad Request: REACTIONS_TOO_MANY');
    expect((await react([{ type: 'emoji', emoji: '🦆' }])).body.description).toBe('Bad Request: REACTION_INVALID');
    expect((await react([])).status).toBe(200);
    expect(h.emu.messages(h.bot.id, h.user.id)[0]?.botReaction).toEqual([]);
    expect((await h.call('setMessageReaction', { chat_id: h.user.id, message_id: 50, reaction: [] })).status).toBe(400);
  });

  it('answers a callback query once', async () => {
    await h.call('sendMessage', { chat_id: h.user.id, text: 'Sure?', reply_markup: keyboard('yes') });
    const { callbackQueryId } = h.emu.pressButton({ botId: h.bot.id, userId: h.user.id, messageId: 2, data: 'yes' });
    const first = await h.call('answerCallbackQuery', { callback_query_id: callbackQueryId, text: 'Done' });
    expect(first.body).toEqual({ ok: true, result: true });
    expect(h.emu.callbackQueries(h.bot.id)[0]?.answer).toMatchObject({ text: 'Done', showAlert: false });
    const again = await h.call('answerCallbackQuery', { callback_query_id: callbackQueryId });
    expect(again.body.description).toBe('Bad Request: query is too old and response timeout expired or query ID is invalid');
    expect((await h.call('answerCallbackQuery', { callback_query_id: '123' })).status).toBe(400);
  });
});
