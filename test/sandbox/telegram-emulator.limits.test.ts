import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callApi, startTelegram, type Harness } from './telegram-emulator-harness.js';

let h: Harness;
afterEach(() => h.close());

describe('flood limits', () => {
  beforeEach(async () => {
    h = await startTelegram({ floodLimits: true });
    h.userSays();
  });

  it('allows about one message per second per chat, answering 429 with retry_after', async () => {
    const send = () => h.call('sendMessage', { chat_id: h.user.id, text: 'x' });
    expect((await send()).status).toBe(200);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    // Chat actions are not messages and pass.
    expect((await h.call('sendChatAction', { chat_id: h.user.id, action: 'typing' })).status).toBe(200);
    h.clock.now += 1000;
    expect((await send()).status).toBe(200);
    expect(h.emu.messages(h.bot.id, h.user.id)).toHaveLength(3);
  });

  it('allows 30 messages per second per bot across chats', async () => {
    const users = Array.from({ length: 31 }, (_, i) => h.emu.createUser({ firstName: `U${i}` }));
    for (const u of users) h.emu.sendAsUser({ botId: h.bot.id, userId: u.id, text: 'hi' });
    const answers = [];
    for (const u of users) answers.push(await h.call('sendMessage', { chat_id: u.id, text: 'news' }));
    expect(answers.slice(0, 30).every((a) => a.status === 200)).toBe(true);
    expect(answers[30]?.body.parameters?.retry_after).toBe(1);
  });

  it('allows 20 messages per minute in a group', async () => {
    const group = h.emu.createGroup('Team');
    h.emu.sendAsUser({ botId: h.bot.id, userId: h.user.id, chatId: group.id, text: 'hi' });
    for (let i = 0; i < 20; i++) {
      expect((await h.call('sendMessage', { chat_id: group.id, text: `${i}` })).status).toBe(200);
      h.clock.now += 1000;
    }
    const limited = await h.call('sendMessage', { chat_id: group.id, text: 'one more' });
    expect(limited.body.parameters?.retry_after).toBe(40);
  });

  it('can be switched off', async () => {
    h.emu.setFloodLimits(false);
    for (let i = 0; i < 5; i++) expect((await h.call('sendMessage', { chat_id: h.user.id, text: 'x' })).status).toBe(200);
  });
});

describe('failure injection', () => {
  beforeEach(async () => {
    h = await startTelegram();
    h.userSays();
  });

  it('fails the next calls of a method with a given error, touching no state', async () => {
    h.emu.injectFault({ method: 'sendMessage', count: 2, kind: 'error', errorCode: 429, retryAfter: 7 });
    h.emu.injectFault({ method: 'SENDMESSAGE', count: 1, kind: 'error', errorCode: 502, description: 'Bad Gateway' });
    expect((await h.call('getMe')).status).toBe(200);
    const limited = await h.call('sendMessage', { chat_id: h.user.id, text: 'x' });
    expect(limited.body).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } });
    expect((await h.call('sendMessage', { chat_id: h.user.id, text: 'x' })).status).toBe(429);
    expect((await h.call('sendMessage', { chat_id: h.user.id, text: 'x' })).body).toEqual({ ok: false, error_code: 502, description: 'Bad Gateway' });
    expect(h.emu.messages(h.bot.id, h.user.id)).toHaveLength(1);
    expect((await h.call('sendMessage', { chat_id: h.user.id, text: 'x' })).status).toBe(200);
    expect(h.emu.calls().map((c) => c.status)).toEqual([200, 429, 429, 502, 200]);
  });

  it('drops the connection, or never answers until reset', async () => {
    h.emu.injectFault({ count: 1, kind: 'drop' });
    await expect(h.call('getMe')).rejects.toThrow(/socket hang up|ECONNRESET/);

    h.emu.injectFault({ method: 'getMe', count: 1, kind: 'hang' });
    const hung = h.call('getMe');
    const outcome = hung.then(() => 'answered', () => 'cut off');
    // The call after it is answered while the first still hangs.
    expect((await h.call('getWebhookInfo')).status).toBe(200);
    h.emu.reset();
    expect(await outcome).toBe('cut off');
    // reset keeps the start-up bot and its token.
    expect((await h.call('getMe')).body.result.id).toBe(h.bot.id);
  });
});

describe('control API', () => {
  beforeEach(async () => {
    h = await startTelegram();
  });

  const control = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request(`${h.root}/_control${path}`, { method, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': String(data.length) } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
        });
      });
      req.on('error', reject);
      req.end(data);
    });

  it('creates a bot and a user, writes as the user, and shows what the bot answered', async () => {
    const bot = await control('POST', '/bots', { firstName: 'Sandbox', username: 'sandbox_demo_bot' });
    expect(bot.status).toBe(201);
    expect(bot.json.token).toMatch(new RegExp(`^${bot.json.id}:[A-Za-z0-9_-]{35}$`));
    const user = await control('POST', '/users', { firstName: 'Oleg' });
    const photo = Buffer.from('\x89PNG\r\n\x1a\nrest');
    const sent = await control('POST', `/bots/${bot.json.id}/messages`, { userId: user.json.id, photo: { file: { base64: photo.toString('base64') } }, caption: 'look' });
    expect(sent.status).toBe(201);
    expect(sent.json.message.photo.at(-1).file_size).toBe(photo.length);
    expect(sent.json.update.message.caption).toBe('look');

    const answer = await callApi(`${h.root}/bot${bot.json.token}/sendMessage`, { chat_id: user.json.id, text: 'Nice!' }, 'json');
    expect(answer.status).toBe(200);
    await control('POST', `/bots/${bot.json.id}/reactions`, { userId: user.json.id, messageId: 2, emoji: ['❤'] });
    const chat = await control('GET', `/bots/${bot.json.id}/chats/${user.json.id}/messages`);
    expect(chat.json.map((m: { direction: string }) => m.direction)).toEqual(['to_bot', 'from_bot']);
    expect(chat.json[1].userReaction).toEqual([{ type: 'emoji', emoji: '❤' }]);
    // The photo is pending; the reaction is not, as the bot did not ask for message_reaction.
    expect((await control('GET', `/bots/${bot.json.id}`)).json.webhook.pending_update_count).toBe(1);
  });

  it('refuses bad input with a clear 4xx JSON error and changes nothing', async () => {
    const user = h.emu.createUser({ firstName: 'Oleg' });
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', `/bots/${h.bot.id}/messages`, { userId: user.id }, 400, 'invalid'],
      ['POST', `/bots/${h.bot.id}/messages`, { userId: 'x', text: 'hi' }, 400, 'invalid_request'],
      ['POST', `/bots/1/messages`, { userId: user.id, text: 'hi' }, 404, 'not_found'],
      ['POST', `/bots/${h.bot.id}/button-presses`, { userId: user.id, messageId: 1, data: 'x' }, 404, 'not_found'],
      ['POST', '/bots', { username: 'not-a-bot-name' }, 409, 'conflict'],
      ['POST', '/faults', { count: 0, kind: 'error' }, 400, 'invalid_request'],
      ['GET', '/nothing', undefined, 404, 'not_found'],
    ];
    for (const [method, path, body, status, error] of cases) {
      const answer = await control(method, path, body);
      expect([path, answer.status, answer.json.error]).toEqual([path, status, error]);
      expect(typeof answer.json.message).toBe('string');
    }
    h.emu.blockBot({ botId: h.bot.id, userId: user.id });
    expect((await control('POST', `/bots/${h.bot.id}/messages`, { userId: user.id, text: 'hi' })).status).toBe(409);
    expect(h.emu.messages(h.bot.id, user.id)).toEqual([]);
    expect(h.emu.bots()).toHaveLength(1);
  });

  it('switches flood limits and injects faults over HTTP', async () => {
    h.userSays();
    expect((await control('POST', '/flood', { enabled: true })).status).toBe(204);
    await h.call('sendMessage', { chat_id: h.user.id, text: 'a' });
    expect((await h.call('sendMessage', { chat_id: h.user.id, text: 'b' })).status).toBe(429);
    expect((await control('POST', '/faults', { method: 'getMe', count: 1, kind: 'error', errorCode: 500 })).status).toBe(204);
    expect((await h.call('getMe')).body).toEqual({ ok: false, error_code: 500, description: 'Internal Server Error' });
  });
});
