/**
 * The Telegram platform over real HTTP with both emulators: the bot connected from the widget, a
 * Telegram user writing every kind, managers answering in amoCRM, and the refusals (bad secret,
 * unknown bot, not an Update, repeated update, bad token, a bot of another account, a blocked bot),
 * the 20 MB download rule and the flood limits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asClientMsgId } from '../../server/bridge/index.js';
import { pngFixture } from '../../server/sandbox/telegram/index.js';
import { SANDBOX_ACCOUNT } from '../../server/sandbox/amocrm/index.js';
import { emulators, OTHER_ACCOUNT, install, widget } from '../support/amocrm.js';
import { waitFor } from './bridge-helpers.js';
import { ACCOUNT, startTelegramBackend, type TelegramBackend } from './telegram-support.js';

let t: TelegramBackend;

beforeEach(async () => {
  t = await startTelegramBackend();
});
afterEach(async () => {
  await t.stop();
});

const amojo = () => emulators(t.backend).amojo;
const say = (content: Parameters<TelegramBackend['tg']['sendAsUser']>[0] extends infer I ? Omit<I, 'botId' | 'userId'> : never) =>
  t.tg.sendAsUser({ botId: t.bot.id, userId: t.user.id, ...content });
const fromBot = () => t.tg.messages(t.bot.id, t.user.id).filter((m) => m.direction === 'from_bot');
const incoming = (chatId: string) => amojo().messages(chatId).filter((m) => m.direction === 'incoming');

describe('connecting the bot', () => {
  it('answers the status with the telegram section and points the webhook at the backend', async () => {
    const status = await widget(t.backend, 'GET', '/widget/status');
    expect(status.body['telegram']).toEqual({ connected: true, scope_id: await t.scopeId(), bot_username: 'shop_test_bot' });
    expect(status.body['webchat']).toMatchObject({ site_key: expect.any(String) });
    expect(t.tg.webhookInfo(t.bot.id).url).toBe(`${t.backend.url}/telegram/webhook/${t.bot.id}`);
    // The token is kept sealed: it appears nowhere in the stored row.
    const row = JSON.stringify(await t.backend.services.store.channelLinks.get(ACCOUNT, 'telegram'));
    expect(row).not.toContain(t.bot.token.split(':')[1]);
  });

  it('refuses a token Telegram does not accept with 400 telegram_token_invalid', async () => {
    const bad = `${t.bot.id}:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    const res = await widget(t.backend, 'POST', '/widget/telegram', { body: { bot_token: bad } });
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('telegram_token_invalid');
    expect(JSON.stringify(res.body)).not.toContain('AAAAAAAA');
  });

  it('refuses the bot for a second account with 409 and changes nothing', async () => {
    emulators(t.backend).amocrm.addAccount(OTHER_ACCOUNT);
    expect((await install(t.backend, OTHER_ACCOUNT.id)).status).toBe(200);
    const res = await widget(t.backend, 'POST', '/widget/telegram', { mint: { accountId: OTHER_ACCOUNT.id }, body: { bot_token: t.bot.token } });
    expect(res.status).toBe(409);
    expect(t.tg.webhookInfo(t.bot.id).url).toBe(`${t.backend.url}/telegram/webhook/${t.bot.id}`);
    expect((await widget(t.backend, 'GET', '/widget/status')).body['telegram']).toMatchObject({ connected: true });
  });

  it('disconnects: deleteWebhook, the channel off, the token forgotten', async () => {
    const res = await widget(t.backend, 'DELETE', '/widget/telegram');
    expect(res.status).toBe(200);
    expect(res.body['telegram']).toEqual({ connected: false, scope_id: null, bot_username: null });
    expect(t.tg.webhookInfo(t.bot.id).url).toBe('');
    const row = await t.backend.services.store.channelLinks.get(ACCOUNT, 'telegram');
    expect(row?.data).toEqual({});
  });
});

describe('Telegram user → amoCRM', () => {
  it('brings a text with the sender’s name and profile link into the Telegram channel', async () => {
    say({ text: 'Hello from Telegram' });
    const chatId = await t.amojoChat();
    const [m] = await waitFor(() => (incoming(chatId).length === 1 ? incoming(chatId) : undefined), 5000, 'message in amoCRM');
    expect(m!.content).toMatchObject({ type: 'text', text: 'Hello from Telegram' });
    const client = amojo().chats(await t.scopeId()).find((c) => c.id === chatId)!.participants.find((p) => p.amojoId === m!.senderAmojoId);
    expect(client).toMatchObject({ name: 'Ivan Petrov', profileLink: 'https://t.me/ivan_p' });
  });

  it('sends from the update job; a send amojo refuses is retried by a send job, once, and nothing overtakes it', async () => {
    say({ text: 'first' });
    const chatId = await t.amojoChat();
    await waitFor(() => incoming(chatId)[0], 5000, 'first');
    // The update job's own try and the send job's first retry fail.
    amojo().failNext({ count: 2, status: 500 });
    say({ text: 'second' });
    say({ text: 'third' });
    await waitFor(() => (incoming(chatId).length === 3 ? true : undefined), 10_000, 'all three');
    expect(incoming(chatId).map((m) => m.content.text)).toEqual(['first', 'second', 'third']);
    const conversation = await t.backend.services.store.bridge.conversations.findByPlatformChat(ACCOUNT, 'telegram', String(t.user.id));
    // amoCRM has the message before its answer is back and `sent` is recorded.
    const stored = await waitFor(async () => {
      const rows = await t.backend.services.store.bridge.messages.list(conversation!.id, 0, 10);
      return rows.every((m) => m.status === 'sent') ? rows : undefined;
    }, 5000, 'all recorded sent');
    expect(stored.map((m) => [m.content.text, m.status])).toEqual([
      ['first', 'sent'],
      ['second', 'sent'],
      ['third', 'sent'],
    ]);
  });

  it('hands a message found queued, when its update job runs again, to a send job: amoCRM gets it once', async () => {
    say({ text: 'first' });
    const chatId = await t.amojoChat();
    await waitFor(() => incoming(chatId)[0], 5000, 'first');
    const { bridge, store } = t.backend.services;
    const conversation = (await store.bridge.conversations.findByPlatformChat(ACCOUNT, 'telegram', String(t.user.id)))!;
    // The first run's send hangs at amojo, as if the process were about to die with it in flight.
    amojo().setDelay(1_500);
    const firstRun = bridge.messages.accept(conversation, { clientMsgId: asClientMsgId('777001'), text: 'in flight' }, { sendNow: true });
    await waitFor(async () => (await store.bridge.messages.getByClientMsgId(conversation.id, asClientMsgId('777001')))?.status === 'queued' || undefined, 5000, 'stored');
    const again = await bridge.messages.accept(conversation, { clientMsgId: asClientMsgId('777001'), text: 'in flight' }, { sendNow: true });
    expect(again.created).toBe(false);
    expect((await store.jobs.list({ kind: 'bridge.send' })).map((j) => j.payload)).toEqual([JSON.stringify({ msgid: again.message.id })]);
    amojo().setDelay(0);
    await firstRun;
    await waitFor(async () => ((await store.jobs.list({ kind: 'bridge.send' })).length === 0 ? true : undefined), 10_000, 'send job done');
    expect(incoming(chatId).map((m) => m.content.text)).toEqual(['first', 'in flight']);
  });

  it('brings a photo (largest size) with its caption as a picture served from our /files', async () => {
    say({ photo: { width: 800, height: 600 }, caption: 'my receipt' });
    const chatId = await t.amojoChat();
    const m = await waitFor(() => incoming(chatId)[0], 5000, 'picture');
    expect(m.content).toMatchObject({ type: 'picture', text: 'my receipt' });
    expect(m.content.media!.startsWith(`${t.backend.url}/files/`)).toBe(true);
    const res = await fetch(m.content.media!);
    expect(res.status).toBe(200);
  });

  it('brings voice with its duration, a location and a contact', async () => {
    say({ voice: { duration: 7 } });
    say({ location: { latitude: 55.75, longitude: 37.62 } });
    say({ contact: { phoneNumber: '+79991234567', firstName: 'Olga' } });
    const chatId = await t.amojoChat();
    const list = await waitFor(() => (incoming(chatId).length === 3 ? incoming(chatId) : undefined), 8000, 'three messages');
    expect(list[0]!.content).toMatchObject({ type: 'voice', mediaDuration: 7 });
    expect(list[1]!.content).toMatchObject({ type: 'location', location: { lat: 55.75, lon: 37.62 } });
    expect(list[2]!.content).toMatchObject({ type: 'contact', contact: { name: 'Olga', phone: '+79991234567' } });
  });

  it('turns a document over 20 MB into a text that says so', async () => {
    say({ document: { fileName: 'big.zip', sizeBytes: 25 * 1024 * 1024 } });
    const chatId = await t.amojoChat();
    const m = await waitFor(() => incoming(chatId)[0], 5000, 'text');
    expect(m.content.type).toBe('text');
    expect(m.content.text).toMatch(/larger than 20 MB \(big\.zip\)/);
  });

  it('edits the message in amoCRM when the user edits it, and quotes replies', async () => {
    const first = say({ text: 'helo' });
    const chatId = await t.amojoChat();
    await waitFor(() => incoming(chatId)[0], 5000, 'first');
    t.tg.editAsUser({ botId: t.bot.id, userId: t.user.id, messageId: first.message!.message_id, text: 'hello' });
    await waitFor(() => incoming(chatId)[0]?.content.text === 'hello', 5000, 'edit');
    say({ text: 'about that', replyToMessageId: first.message!.message_id });
    const reply = await waitFor(() => incoming(chatId)[1], 5000, 'reply');
    expect(reply.replyTo?.amojoMsgId ?? reply.replyTo?.described).toBeTruthy();
  });

  it('ignores group chats', async () => {
    const group = t.tg.createGroup('Team');
    t.tg.sendAsUser({ botId: t.bot.id, userId: t.user.id, chatId: group.id, text: 'hi all' });
    await waitFor(() => t.tg.webhookAttempts(t.bot.id).some((a) => a.status === 200), 5000, 'delivered');
    say({ text: 'private hello' });
    const chatId = await t.amojoChat();
    await waitFor(() => incoming(chatId)[0], 5000, 'private message');
    expect(await t.backend.services.store.bridge.conversations.findByPlatformChat(ACCOUNT, 'telegram', String(group.id))).toBeUndefined();
  });
});

describe('the Telegram pipeline', () => {
  it('routes new Telegram chats with the Telegram source once its pipeline is chosen', async () => {
    const pipeline = SANDBOX_ACCOUNT.pipelines![1]!.id;
    const put = await widget(t.backend, 'PUT', '/widget/settings', { body: { pipeline_id: { telegram: pipeline } } });
    expect(put.status).toBe(200);
    expect(put.body['pipeline_id']).toMatchObject({ telegram: pipeline });
    expect(emulators(t.backend).amocrm.sources(ACCOUNT)).toEqual([expect.objectContaining({ externalId: 'chat-channel-telegram', pipelineId: pipeline, originCode: t.backend.config.telegram!.channel.code })]);
    say({ text: 'new lead' });
    const chatId = await t.amojoChat();
    await waitFor(() => incoming(chatId)[0], 5000, 'message');
    expect(amojo().chats(await t.scopeId()).find((c) => c.id === chatId)!.sourceExternalId).toBe('chat-channel-telegram');
  });
});

describe('the webhook’s refusals', () => {
  const post = (botId: number | string, body: unknown, secret?: string) =>
    fetch(`${t.backend.url}/telegram/webhook/${botId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('401 without the right secret, 404 for an unknown bot, 400 for a body that is no Update; one effect for a repeat', async () => {
    say({ text: 'once' });
    const chatId = await t.amojoChat();
    await waitFor(() => incoming(chatId)[0], 5000, 'first');
    const original = t.posted[0]!;
    const secret = original.headers['X-Telegram-Bot-Api-Secret-Token'] ?? original.headers['x-telegram-bot-api-secret-token'];
    expect(secret).toBeTruthy();
    const update = JSON.parse(original.body.toString()) as Record<string, unknown>;
    expect((await post(t.bot.id, update, 'wrong')).status).toBe(401);
    expect((await post(t.bot.id, update)).status).toBe(401);
    expect((await post(t.otherBot.id, update, secret)).status).toBe(404);
    expect((await post(t.bot.id, { hello: 1 }, secret)).status).toBe(400);
    expect((await post(t.bot.id, update, secret)).status).toBe(200);
    say({ text: 'twice' });
    await waitFor(() => incoming(chatId)[1], 5000, 'second');
    expect(incoming(chatId).map((m) => m.content.text)).toEqual(['once', 'twice']);
  });
});

describe('amoCRM → Telegram user', () => {
  async function chatWithUser(): Promise<string> {
    say({ text: 'Hi' });
    const chatId = await t.amojoChat();
    await waitFor(() => incoming(chatId)[0], 5000, 'first');
    return chatId;
  }

  it('sends a manager text and reports it delivered (1)', async () => {
    const chatId = await chatWithUser();
    const sent = await amojo().sendManagerMessage({ scopeId: await t.scopeId(), chatId, text: 'Hello, how can I help?' });
    await waitFor(() => fromBot()[0], 5000, 'message in Telegram');
    expect(fromBot()[0]!.message.text).toBe('Hello, how can I help?');
    await waitFor(() => amojo().messages(chatId).find((m) => m.amojoMsgId === sent.amojoMsgId)?.deliveryStatuses.some((s) => s.status === 1), 5000, 'delivered');
  });

  it('splits a long text safely, sends a picture, quotes a reply and shows buttons whose press comes back as text', async () => {
    const chatId = await chatWithUser();
    const scopeId = await t.scopeId();
    const long = `${'word '.repeat(1000)}\n\n${'tail '.repeat(10)}`;
    await amojo().sendManagerMessage({ scopeId, chatId, text: long });
    await waitFor(() => fromBot().length === 2, 8000, 'two parts');
    expect(fromBot().every((m) => (m.message.text ?? '').length <= 4096)).toBe(true);
    await amojo().sendManagerMessage({ scopeId, chatId, text: 'Your receipt', file: { fileName: 'r.png', contentType: 'image/png', bytes: pngFixture(4, 4) } });
    const pic = await waitFor(() => fromBot().find((m) => m.message.photo), 8000, 'photo');
    expect(pic.message.caption).toBe('Your receipt');
    const userMsg = incoming(chatId)[0]!;
    await amojo().sendManagerMessage({ scopeId, chatId, text: 'About this', replyTo: userMsg.amojoMsgId });
    const quoted = await waitFor(() => fromBot().find((m) => m.message.text === 'About this'), 8000, 'reply');
    expect(quoted.message.reply_to_message?.message_id).toBe(t.tg.messages(t.bot.id, t.user.id)[0]!.message.message_id);
    await amojo().sendManagerMessage({ scopeId, chatId, text: 'Confirm?', markup: { mode: 'inline', buttons: [[{ text: 'Yes' }, { text: 'No' }]] } });
    const ask = await waitFor(() => fromBot().find((m) => m.message.text === 'Confirm?'), 8000, 'buttons');
    expect(ask.message.reply_markup?.inline_keyboard[0]!.map((b) => b.text)).toEqual(['Yes', 'No']);
    t.tg.pressButton({ botId: t.bot.id, userId: t.user.id, messageId: ask.message.message_id, text: 'Yes' });
    await waitFor(() => incoming(chatId).some((m) => m.content.text === 'Yes'), 8000, 'button press as text');
    await waitFor(() => t.tg.callbackQueries(t.bot.id)[0]?.answer, 5000, 'callback answered');
  });

  it('keeps every part of a split text: a reply or a reaction to a later part is about the manager’s message', async () => {
    const chatId = await chatWithUser();
    const scopeId = await t.scopeId();
    const sent = await amojo().sendManagerMessage({ scopeId, chatId, text: `${'word '.repeat(1000)}\n\n${'tail '.repeat(10)}` });
    await waitFor(() => fromBot().length === 2, 8000, 'two parts');
    const secondPart = fromBot()[1]!.message.message_id;
    say({ text: 'about the tail', replyToMessageId: secondPart });
    const reply = await waitFor(() => incoming(chatId).find((m) => m.content.text === 'about the tail'), 5000, 'reply');
    expect(reply.replyTo?.amojoMsgId).toBe(sent.amojoMsgId);
    t.tg.reactAsUser({ botId: t.bot.id, userId: t.user.id, messageId: secondPart, emoji: ['👍'] });
    const reaction = await waitFor(() => amojo().reactions(scopeId).find((r) => r.origin === 'integration'), 5000, 'reaction in amoCRM');
    expect(reaction).toMatchObject({ amojoMsgId: sent.amojoMsgId, type: 'react', emoji: '👍' });
  });

  it('sends a manager’s place with sendLocation and a contact card with sendContact', async () => {
    const chatId = await chatWithUser();
    const scopeId = await t.scopeId();
    const place = await amojo().sendManagerMessage({ scopeId, chatId, location: { lat: 55.7558, lon: 37.6173 } });
    const sentPlace = await waitFor(() => fromBot().find((m) => m.message.location), 8000, 'location in Telegram');
    expect(sentPlace.message.location).toEqual({ latitude: 55.7558, longitude: 37.6173 });
    await amojo().sendManagerMessage({ scopeId, chatId, contact: { name: 'Support desk', phone: '+74951234567' } });
    const sentCard = await waitFor(() => fromBot().find((m) => m.message.contact), 8000, 'contact in Telegram');
    expect(sentCard.message.contact).toMatchObject({ phone_number: '+74951234567', first_name: 'Support desk' });
    await waitFor(() => amojo().messages(chatId).find((m) => m.amojoMsgId === place.amojoMsgId)?.deliveryStatuses.some((s) => s.status === 1), 5000, 'delivered');
  });

  it('passes manager reactions and typing', async () => {
    const chatId = await chatWithUser();
    const scopeId = await t.scopeId();
    const userMsg = incoming(chatId)[0]!;
    await amojo().managerReact({ scopeId, amojoMsgId: userMsg.amojoMsgId, emoji: '👍' });
    await waitFor(() => t.tg.messages(t.bot.id, t.user.id)[0]!.botReaction.length === 1, 5000, 'reaction');
    await amojo().managerTyping({ scopeId, chatId });
    await waitFor(() => t.tg.chatActions(t.bot.id).some((a) => a.action === 'typing'), 5000, 'typing');
  });

  it('reports a blocked bot to amoCRM as -1 with the reason', async () => {
    const chatId = await chatWithUser();
    t.tg.blockBot({ botId: t.bot.id, userId: t.user.id });
    const sent = await amojo().sendManagerMessage({ scopeId: await t.scopeId(), chatId, text: 'Are you there?' });
    const status = await waitFor(
      () => amojo().messages(chatId).find((m) => m.amojoMsgId === sent.amojoMsgId)?.deliveryStatuses.find((s) => s.status === -1),
      8000,
      'status -1',
    );
    expect(status).toMatchObject({ status: -1, errorCode: 905 });
    expect(status.error).toMatch(/blocked the bot/);
  });

  it('waits out a 429 for the retry_after Telegram gives, then delivers once', async () => {
    const chatId = await chatWithUser();
    t.tg.injectFault({ method: 'sendMessage', count: 1, kind: 'error', errorCode: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    await amojo().sendManagerMessage({ scopeId: await t.scopeId(), chatId, text: 'after the wait' });
    await waitFor(() => fromBot().length === 1, 8000, 'delivered after the wait');
    const sends = t.tg.calls().filter((c) => c.method.toLowerCase() === 'sendmessage');
    expect(sends.map((c) => c.status)).toEqual([429, 200]);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('keeps the flood limits: five quick answers all arrive, none refused with 429', async () => {
    const chatId = await chatWithUser();
    t.tg.setFloodLimits(true);
    const scopeId = await t.scopeId();
    for (let i = 1; i <= 5; i++) await amojo().sendManagerMessage({ scopeId, chatId, text: `answer ${i}` });
    await waitFor(() => fromBot().length === 5, 15_000, 'five answers');
    expect(fromBot().map((m) => m.message.text)).toEqual(['answer 1', 'answer 2', 'answer 3', 'answer 4', 'answer 5']);
    expect(t.tg.calls().filter((c) => c.status === 429)).toEqual([]);
  });

  it('answers a write-first message with -1 / 904 in Telegram’s words', async () => {
    const sent = await amojo().writeFirst({ scopeId: await t.scopeId(), phone: '+79161234567', text: 'Following up' });
    const status = await waitFor(() => amojo().messages(sent.chatId)[0]?.deliveryStatuses.find((s) => s.status === -1), 5000, 'status -1');
    expect(status).toMatchObject({ errorCode: 904 });
    expect(status.error).toMatch(/Telegram/);
  });
});
