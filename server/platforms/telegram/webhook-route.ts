/**
 * `POST /telegram/webhook/:bot_id` (product.md): Telegram signs nothing, so the secret header is the
 * only proof of origin (telegram.md §2, §7): compared in constant time with the secret we gave
 * `setWebhook`, before the body is read. A verified Update is stored durably in the webhook inbox
 * (with the amojo hooks) before the 200; its `update_id` is its dedupe key, so a repeat has no
 * second effect. Processing happens in a job, in order per chat.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { BotDirectory } from './bots.js';
import { telegramUpdate } from './schema.js';
import { UPDATE_JOB_KIND } from './update-job.js';

/** Updates carry file ids, not files. */
const BODY_LIMIT = 1024 * 1024;

/** Where accepted updates go (the store's webhook inbox); resolves once on disk. */
export interface UpdateInbox {
  record(entry: { dedupeKey: string; scopeId: string; kind: string; job: { kind: string; payload: unknown; queueKey: string } }): Promise<void>;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Equal-length digests keep the comparison constant-time whatever the header's length. */
export function secretMatches(expected: string, given: string | undefined): boolean {
  return given !== undefined && timingSafeEqual(digest(expected), digest(given));
}

function refuse(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}

export function createWebhookRouter(deps: { bots: BotDirectory; inbox: UpdateInbox }): Router {
  const router = Router();
  const json = express.json({ limit: BODY_LIMIT, type: () => true });

  router.post(
    '/telegram/webhook/:bot_id',
    async (req: Request, res: Response, next) => {
      const botId = String(req.params['bot_id'] ?? '');
      const bot = /^\d{1,20}$/.test(botId) ? await deps.bots.byBotId(botId) : undefined;
      if (!bot) return refuse(res, 404, 'unknown_bot', 'No connected account uses this bot.');
      if (!secretMatches(bot.webhookSecret, req.get('x-telegram-bot-api-secret-token'))) {
        return refuse(res, 401, 'bad_secret', 'X-Telegram-Bot-Api-Secret-Token does not match.');
      }
      res.locals['bot'] = bot;
      next();
    },
    json,
    async (req: Request, res: Response) => {
      const bot = res.locals['bot'] as Awaited<ReturnType<BotDirectory['byBotId']>> & object;
      const parsed = telegramUpdate.safeParse(req.body);
      if (!parsed.success) return refuse(res, 400, 'invalid_update', 'The body is not a Telegram Update.');
      const update = parsed.data;
      const chatId = update.message?.chat.id ?? update.edited_message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.message_reaction?.chat.id ?? 0;
      await deps.inbox.record({
        dedupeKey: `telegram:${bot.botId}:${update.update_id}`,
        scopeId: `telegram:${bot.botId}`,
        kind: 'telegram_update',
        // One queue per chat keeps a person's messages, edits and presses in order.
        job: { kind: UPDATE_JOB_KIND, payload: { accountId: bot.accountId, botId: bot.botId, update: req.body as unknown }, queueKey: `tg:${bot.botId}:${chatId}` },
      });
      res.status(200).json({ ok: true });
    },
  );
  return router;
}
