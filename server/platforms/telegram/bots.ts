/**
 * The connected bots: which account each bot serves, its token and webhook secret (sealed at
 * rest, opened here), read through the account's channel link and remembered briefly (every update
 * asks). A connect or disconnect forgets at once: here directly, on other instances when they hear
 * of it (the TTL bounds how long a missed notification can leave one stale).
 */
import type { ChannelLink } from '../../bridge/index.js';
import { botData, type BotData } from './schema.js';
import type { SecretBox } from './secret-box.js';

export interface ConnectedBot {
  accountId: number;
  botId: string;
  username: string | null;
  token: string;
  webhookSecret: string;
}

const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

export function createBotDirectory(link: ChannelLink, box: SecretBox, now: () => number) {
  const cache = new Map<string, { bot: ConnectedBot | undefined; until: number }>();

  async function open(accountId: number, data: BotData): Promise<ConnectedBot> {
    return { accountId, botId: data.botId, username: data.username, token: await box.open(data.sealedToken), webhookSecret: await box.open(data.sealedWebhookSecret) };
  }

  return {
    /** The connected bot with this id, if an account uses it. */
    async byBotId(botId: string): Promise<ConnectedBot | undefined> {
      const t = now();
      const hit = cache.get(botId);
      if (hit && hit.until > t) return hit.bot;
      const found = await link.findByLookupKey(botId);
      const data = found?.connected ? botData.safeParse(found.data) : undefined;
      const bot = found && data?.success ? await open(found.accountId, data.data) : undefined;
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(botId, { bot, until: t + TTL_MS });
      return bot;
    },
    /** The account's bot, connected or not (its data is kept until it is disconnected). */
    async ofAccount(accountId: number): Promise<ConnectedBot | undefined> {
      const view = await link.status(accountId);
      const data = botData.safeParse(view.data);
      return data.success ? open(accountId, data.data) : undefined;
    },
    forget(botId?: string): void {
      if (botId) cache.delete(botId);
      else cache.clear();
    },
  };
}

export type BotDirectory = ReturnType<typeof createBotDirectory>;
