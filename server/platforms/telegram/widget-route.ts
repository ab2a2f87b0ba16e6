/**
 * `POST` / `DELETE /widget/telegram` (product.md): an account admin attaches the account's bot by
 * its token, or detaches it. The token is checked with `getMe` (refused: 400
 * `telegram_token_invalid`), one bot serves one account (409), and it is kept sealed; it never
 * appears in an answer, a log line or an error. Connecting stores the bot, connects the account
 * on the Telegram channel, then points the bot's webhook here with a fresh secret.
 */
import { randomBytes } from 'node:crypto';
import express, { Router, type Request } from 'express';
import type { ChannelLink } from '../../bridge/index.js';
import { ConflictError, UpstreamError, ValidationError } from '../../errors.js';
import { parseInput } from '../../http/validate.js';
import type { Logger } from '../../log.js';
import { botApi, isTokenRefused } from './bot-api.js';
import type { BotDirectory } from './bots.js';
import { ALLOWED_UPDATES, BOT_TOKEN, connectBody, type BotData } from './schema.js';
import type { SecretBox } from './secret-box.js';

/** The widget's one-time-token checks, handed in by the composition root: the admin's account, the token spent. */
export interface WidgetGuard {
  admin(req: Request): Promise<number>;
}

export interface WidgetRouteDeps {
  guard: WidgetGuard;
  link: ChannelLink;
  bots: BotDirectory;
  box: SecretBox;
  apiRoot: string;
  publicUrl: string;
  logger: Logger;
  /** The answer of every widget route (`/widget/status`'s shape) for the account. */
  statusAnswer(accountId: number): Promise<unknown>;
}

class TokenInvalidError extends ValidationError {
  override readonly code = 'telegram_token_invalid';
}

const tokenInvalid = (): ValidationError => new TokenInvalidError('Telegram does not accept this bot token. Copy it again from @BotFather.', 'bot_token');

type BotDeps = Omit<WidgetRouteDeps, 'guard' | 'statusAnswer'>;

/** Best effort: the webhook of a bot that is being let go. */
async function dropWebhook(deps: BotDeps, token: string): Promise<void> {
  await botApi(deps.apiRoot, token)
    .deleteWebhook()
    .catch((err: unknown) => deps.logger.warn({ err: err instanceof Error ? err.name : 'error' }, 'telegram: deleteWebhook failed'));
}

/**
 * Attaches the bot to the account: `getMe`, the one-account-per-bot check, the bot stored sealed
 * and the Telegram channel connected, then `setWebhook` with a fresh secret (a failure there
 * undoes the connection). A bot the account had before is let go.
 */
export async function connectBot(deps: BotDeps, accountId: number, token: string): Promise<void> {
  if (!BOT_TOKEN.test(token)) throw tokenInvalid();
  const api = botApi(deps.apiRoot, token);
  let me;
  try {
    me = await api.getMe();
  } catch (err) {
    if (isTokenRefused(err)) throw tokenInvalid();
    throw new UpstreamError('Telegram did not answer; try again later.', 'upstream_error');
  }
  const botId = String(me.id);
  const holder = await deps.link.findByLookupKey(botId);
  if (holder && holder.accountId !== accountId) throw new ConflictError('This bot is already connected to another amoCRM account.', 'telegram_bot_in_use');

  const previous = await deps.bots.ofAccount(accountId);
  const webhookSecret = randomBytes(32).toString('base64url');
  const data: BotData = { botId, username: me.username ?? null, sealedToken: await deps.box.seal(token), sealedWebhookSecret: await deps.box.seal(webhookSecret) };
  await deps.link.connect(accountId, { lookupKey: botId, data });
  deps.bots.forget();
  try {
    await api.setWebhook(`${deps.publicUrl}/telegram/webhook/${botId}`, { secret_token: webhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
  } catch {
    await deps.link.disconnect(accountId).catch(() => undefined);
    deps.bots.forget();
    throw new UpstreamError('Telegram refused to set the bot webhook; try again later.', 'upstream_error');
  }
  if (previous && previous.botId !== botId) await dropWebhook(deps, previous.token);
  deps.logger.info({ accountId, botId }, 'telegram: bot connected');
}

/** Lets the account's bot go (its webhook dropped, best effort) and disconnects the Telegram channel. */
export async function disconnectBot(deps: BotDeps, accountId: number): Promise<void> {
  const bot = await deps.bots.ofAccount(accountId);
  if (bot) await dropWebhook(deps, bot.token);
  await deps.link.disconnect(accountId);
  deps.bots.forget();
  if (bot) deps.logger.info({ accountId, botId: bot.botId }, 'telegram: bot disconnected');
}

/**
 * Attaches the account's stored bot again as `connectBot` does (the sandbox at start-up: its
 * emulators keep their state in memory, so after a restart the bot's webhook and the account's
 * Telegram channel are gone there). False when the account has no bot.
 */
export async function reattachBot(deps: BotDeps, accountId: number): Promise<boolean> {
  const bot = await deps.bots.ofAccount(accountId);
  if (!bot) return false;
  await connectBot(deps, accountId, bot.token);
  return true;
}

export function createWidgetTelegramRouter(deps: WidgetRouteDeps): Router {
  const router = Router();
  const json = express.json({ limit: '16kb' });

  router.post('/widget/telegram', json, async (req, res) => {
    const accountId = await deps.guard.admin(req);
    const token = parseInput(connectBody, req.body ?? {}).bot_token;
    await connectBot(deps, accountId, token);
    res.json(await deps.statusAnswer(accountId));
  });

  router.delete('/widget/telegram', async (req, res) => {
    const accountId = await deps.guard.admin(req);
    await disconnectBot(deps, accountId);
    res.json(await deps.statusAnswer(accountId));
  });

  return router;
}
