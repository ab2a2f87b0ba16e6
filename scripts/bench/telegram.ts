/**
 * Telegram user → amojo, against the real backend in a child process with the Telegram channel on;
 * the amojo and Bot API emulators run in this process. The bot is connected through the platform's
 * own connect; the webhook secret is taken from the first update the emulator posts. Then this
 * process plays Telegram with 40 connections (setWebhook's default `max_connections`), posting
 * updates of 50 users to `/telegram/webhook/<bot id>`:
 *   1. throughput: each connection posts its next update as soon as the previous one is answered,
 *      for N seconds: messages/s reaching amojo;
 *   2. latency at a paced 200 updates/s: from the webhook's 200 to amojo's receipt.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAmojoEmulator } from '../../server/sandbox/amojo/index.js';
import { createTelegramEmulator } from '../../server/sandbox/telegram/index.js';
import { freePort } from '../../test/support/net.js';
import { AmojoReceipts } from './amojo-receipts.js';
import { startChild } from './child.js';
import { fmt, percentile, type Benchmark } from './rows.js';
import { postJson, postTarget } from './visitors.js';

const CHANNEL = { id: randomUUID(), secret: 'bench0webchat0channel0secret00000000000', code: 'amo.ext.bench_webchat' };
const TG_CHANNEL = { id: randomUUID(), secret: 'bench0telegram0channel0secret000000000', code: 'amo.ext.bench_telegram' };
const USERS = 50;
const CONNECTIONS = 40;

export interface TelegramBenchResult {
  maxMessagesPerSec: number;
  ackP99: number;
  pacedMessagesPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

export async function benchTelegram(seconds = 10, pacedPerSec = 200): Promise<TelegramBenchResult> {
  const amojoEmu = createAmojoEmulator({
    channels: [
      { ...CHANNEL, webhookUrl: 'http://127.0.0.1:1/amojo/webhook/:scope_id' },
      { ...TG_CHANNEL, webhookUrl: 'http://127.0.0.1:1/amojo/webhook/:scope_id' },
    ],
  });
  const amojo = await amojoEmu.listen();
  let secret: string | undefined;
  const tg = createTelegramEmulator({
    bots: [{ firstName: 'Bench bot', username: 'bench_test_bot' }],
    postUpdate: async (url, body, headers) => {
      secret = headers['X-Telegram-Bot-Api-Secret-Token'] ?? headers['x-telegram-bot-api-secret-token'];
      const res = await fetch(url, { method: 'POST', body: new Uint8Array(body), headers });
      await res.arrayBuffer();
      return res.status;
    },
  });
  const tgServer = await tg.listen();
  const bot = tg.bots()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'bench-telegram-'));
  const port = await freePort();
  const child = await startChild('../../test/support/bridge-child.ts', [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`,
    AMOJO_CHANNEL_ID: CHANNEL.id,
    AMOJO_CHANNEL_SECRET: CHANNEL.secret,
    AMOJO_CHANNEL_CODE: CHANNEL.code,
    AMOJO_TELEGRAM_CHANNEL_ID: TG_CHANNEL.id,
    AMOJO_TELEGRAM_CHANNEL_SECRET: TG_CHANNEL.secret,
    AMOJO_TELEGRAM_CHANNEL_CODE: TG_CHANNEL.code,
    AMOJO_BASE_URL: amojo.url,
    TELEGRAM_API_BASE_URL: tgServer.url,
    AMO_CLIENT_ID: 'bench-client',
    AMO_CLIENT_SECRET: 'bench-client-secret',
    SEED_ACCOUNT_AMOJO_ID: randomUUID(),
    SEED_TELEGRAM_BOT_TOKEN: bot.token,
    LOG_LEVEL: 'silent',
  });
  const url = child.url.split(' ')[0]!;
  try {
    const scopeId = amojoEmu.connections().find((c) => c.scopeId.startsWith(TG_CHANNEL.id))!.scopeId;
    // The users' messages (incoming), learned as they arrive rather than by copying every stored one.
    const receipts = new AmojoReceipts(amojoEmu, scopeId, (m) => m.direction === 'incoming');
    const user = tg.createUser({ firstName: 'Warm', username: 'warm_up' });
    tg.sendAsUser({ botId: bot.id, userId: user.id, text: 'warm-up' });
    await receipts.until(['warm-up'], 10_000);
    if (!secret) throw new Error('the emulator posted no update');

    const webhook = postTarget(`${url}/telegram/webhook/${bot.id}`);
    let updateId = 1_000_000;
    let errors = 0;
    const ackAt = new Map<string, number>();
    async function post(n: number): Promise<number> {
      const chat = 500_000 + (n % USERS);
      const text = `tg-${n}`;
      const body = JSON.stringify({
        update_id: ++updateId,
        message: { message_id: n + 1, from: { id: chat, is_bot: false, first_name: `User ${chat}` }, chat: { id: chat, type: 'private', first_name: `User ${chat}` }, date: Math.floor(Date.now() / 1000), text },
      });
      const t0 = performance.now();
      try {
        // node:http on kept-alive connections, as the visitor load: several times cheaper per request than fetch.
        const status = await postJson(webhook, ['x-telegram-bot-api-secret-token', secret!], body);
        if (status !== 200) errors++;
        else ackAt.set(text, Date.now());
      } catch (err) {
        errors++;
        if (errors === 1) process.stderr.write(`telegram bench: a webhook post failed: ${String((err as { cause?: unknown }).cause ?? err)}\n`);
      }
      return performance.now() - t0;
    }
    let next = 0;
    /** Updates `from`…`to - 1` answered 200: how many amojo received by `endedAt`, and the added latency of each received by now. */
    const measure = (from: number, to: number, endedAt: number) => {
      let inWindow = 0;
      const added: number[] = [];
      for (let n = from; n < to; n++) {
        const at = ackAt.get(`tg-${n}`);
        const receivedAt = receipts.receivedAt(`tg-${n}`);
        if (at === undefined || receivedAt === undefined) continue;
        if (receivedAt <= endedAt) inWindow++;
        added.push(Math.max(0, receivedAt - at));
      }
      return { inWindow, added };
    };

    // 1. Flat out.
    const flatFrom = next;
    const ackMs: number[] = [];
    let t0 = Date.now();
    const end = t0 + seconds * 1000;
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) ackMs.push(await post(next++));
    }));
    const flat = measure(flatFrom, next, Date.now());
    const maxMessagesPerSec = flat.inWindow / ((Date.now() - t0) / 1000);
    await receipts.until(ackAt.keys(), 120_000);

    // 2. Paced.
    const pacedFrom = next;
    t0 = Date.now();
    const pacedEnd = t0 + seconds * 1000;
    const inFlight: Promise<number>[] = [];
    for (let i = 0; Date.now() < pacedEnd; i++) {
      inFlight.push(post(next++));
      const due = t0 + ((i + 1) * 1000) / pacedPerSec;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    await Promise.all(inFlight);
    const endedAt = Date.now();
    await receipts.until(ackAt.keys(), 120_000);
    const paced = measure(pacedFrom, next, endedAt);
    return {
      maxMessagesPerSec,
      ackP99: percentile(ackMs, 99),
      pacedMessagesPerSec: paced.inWindow / ((endedAt - t0) / 1000),
      p50: percentile(paced.added, 50),
      p99: percentile(paced.added, 99),
      errors,
    };
  } finally {
    await child.stop();
    await amojo.close();
    await tgServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const telegramBenchmark: Benchmark = {
  name: 'telegram',
  async run(seconds) {
    const d = await benchTelegram(seconds);
    return [
      {
        bench: 'Telegram user → amojo: throughput',
        figure: `${fmt(d.maxMessagesPerSec)} msg/s (${CONNECTIONS} webhook connections flat out, ${USERS} users; webhook p99 ${fmt(d.ackP99, 1)} ms; errors ${d.errors})`,
        target: '≥ 1,000 msg/s',
        met: d.maxMessagesPerSec >= 1000 && d.errors === 0,
      },
      {
        bench: 'Telegram user → amojo: added latency',
        figure: `p50 ${fmt(d.p50)} ms, p99 ${fmt(d.p99)} ms at ${fmt(d.pacedMessagesPerSec)} msg/s (webhook 200 → amojo receipt)`,
        target: 'p99 ≤ 50 ms',
        met: d.p99 <= 50,
      },
    ];
  },
};
