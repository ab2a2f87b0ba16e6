/**
 * The bot's own methods (telegram.md §1, §2, §4): getMe, setWebhook, deleteWebhook, getWebhookInfo,
 * getUpdates and getFile. Webhook URLs must be HTTPS on port 443, 80, 88 or 8443; the emulator also
 * accepts plain http to a loopback host (or to any host when configured so) on any port.
 */
import { badRequest, conflict, parseParams } from './api-errors.js';
import type { BotApiBotUser, BotApiFile, BotApiWebhookInfo } from './bot-api-types.js';
import { MAX_DOWNLOAD_BYTES } from './file-store.js';
import { DescribedResult, type MethodContext, type MethodHandler } from './method-context.js';
import { deleteWebhookParams, getFileParams, getUpdatesParams, setWebhookParams } from './schemas.js';

const WEBHOOK_PORTS = ['', '443', '80', '88', '8443'];
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
/** getUpdates waits at most this long, whatever `timeout` asks [unconfirmed: Telegram's own cap]. */
const MAX_POLL_SECONDS = 50;

export const getMe: MethodHandler = (_ctx, bot): BotApiBotUser => ({
  ...bot.user,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
});

function checkWebhookUrl(ctx: MethodContext, raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('bad webhook: invalid URL'); // [unconfirmed wording]
  }
  const plainAllowed = ctx.plainHttpWebhooks === 'any' || LOOPBACK_HOST.test(url.hostname);
  if (url.protocol === 'http:' && plainAllowed) return;
  if (url.protocol !== 'https:') throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  if (!WEBHOOK_PORTS.includes(url.port)) throw badRequest('bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
}

export const setWebhook: MethodHandler = (ctx, bot, { values }) => {
  const p = parseParams(setWebhookParams, values);
  if (p.url === '') return deleteWebhook(ctx, bot, { values: { drop_pending_updates: p.drop_pending_updates }, files: new Map() });
  checkWebhookUrl(ctx, p.url);
  if (p.secret_token !== undefined && !SECRET_TOKEN.test(p.secret_token)) throw badRequest('secret token contains unallowed characters');
  const maxConnections = p.max_connections ?? 40;
  if (maxConnections < 1 || maxConnections > 100) throw badRequest('bad webhook: max_connections must be between 1 and 100'); // [unconfirmed wording]
  if (p.allowed_updates !== undefined) bot.allowedUpdates = p.allowed_updates;
  if (p.drop_pending_updates) bot.pending = [];
  bot.webhook = { url: p.url, maxConnections, ...(p.secret_token !== undefined ? { secretToken: p.secret_token } : {}) };
  ctx.updates.restart(bot);
  return new DescribedResult(true, 'Webhook was set');
};

export const deleteWebhook: MethodHandler = (ctx, bot, { values }) => {
  const p = parseParams(deleteWebhookParams, values);
  const hadWebhook = bot.webhook !== undefined;
  delete bot.webhook;
  if (p.drop_pending_updates) bot.pending = [];
  ctx.updates.restart(bot);
  return new DescribedResult(true, hadWebhook ? 'Webhook was deleted' : 'Webhook is already deleted');
};

export const getWebhookInfo: MethodHandler = (_ctx, bot): BotApiWebhookInfo => ({
  url: bot.webhook?.url ?? '',
  has_custom_certificate: false,
  pending_update_count: bot.pending.length,
  ...(bot.webhook ? { ip_address: '127.0.0.1', max_connections: bot.webhook.maxConnections } : {}),
  ...(bot.lastErrorDate !== undefined ? { last_error_date: bot.lastErrorDate } : {}),
  ...(bot.lastErrorMessage !== undefined ? { last_error_message: bot.lastErrorMessage } : {}),
  ...(bot.allowedUpdates && bot.allowedUpdates.length > 0 ? { allowed_updates: [...bot.allowedUpdates] } : {}),
});

export const getUpdates: MethodHandler = async (ctx, bot, { values }) => {
  if (bot.webhook) throw conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
  const p = parseParams(getUpdatesParams, values);
  if (p.allowed_updates !== undefined) bot.allowedUpdates = p.allowed_updates;
  const limit = Math.min(100, Math.max(1, p.limit ?? 100));
  const updates = ctx.updates.take(bot, p.offset, limit);
  const timeout = Math.min(MAX_POLL_SECONDS, Math.max(0, p.timeout ?? 0));
  if (updates.length > 0 || timeout === 0) return updates;
  await ctx.updates.waitForUpdate(bot, timeout * 1000);
  // A webhook set while this call waited takes the updates from here on.
  if (bot.webhook) throw conflict('terminated by setWebhook request'); // [unconfirmed wording]
  return ctx.updates.take(bot, undefined, limit);
};

export const getFile: MethodHandler = (ctx, bot, { values }): BotApiFile => {
  const p = parseParams(getFileParams, values);
  const file = ctx.files.get(p.file_id);
  if (!file || file.botId !== bot.id) throw badRequest('invalid file_id');
  if (file.size > MAX_DOWNLOAD_BYTES) throw badRequest('file is too big');
  const filePath = ctx.files.issuePath(file, ctx.now());
  return { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.size, file_path: filePath };
};
