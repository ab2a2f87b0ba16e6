/**
 * Client messages accepted while the account was not connected wait as `held`, without a job.
 * When the account connects they are imported in order, `silent` except the newest of each
 * conversation. A periodic sweep does the same, so a message that raced a connect (or a process
 * that died between connecting and importing) is picked up without anyone calling in.
 */
import type { BridgeContext } from './context.js';
import { releaseHeldMessages } from './client-messages.js';
import { describeError } from './errors.js';

export function createHeldMessages(ctx: BridgeContext, sweepEveryMs: number) {
  const { store, logger } = ctx;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<number> | undefined;

  async function resumeAccount(accountId: number): Promise<number> {
    const conversations = await store.conversations.listWithHeld(accountId);
    let total = 0;
    for (const id of conversations) {
      // Each platform's conversations wait for the channel they go through.
      const conversation = await ctx.getConversation(id);
      if (!conversation || !(await ctx.isConnected(accountId, conversation.platform))) continue;
      total += await ctx.store.transaction((tx) => releaseHeldMessages(tx, id));
    }
    if (total > 0) ctx.wakeJobs();
    return total;
  }

  async function resumeAll(): Promise<number> {
    let total = 0;
    for (const id of await store.accounts.listConnectedIds()) total += await resumeAccount(id);
    return total;
  }

  return {
    /** Call after an account's channel connected. Resolves with the number of messages queued for sending. */
    async onAccountConnected(accountId: number): Promise<number> {
      ctx.forgetAccounts();
      const n = await resumeAccount(accountId);
      if (n > 0) logger.info({ accountId, messages: n }, 'messages kept while disconnected are being imported');
      return n;
    },

    /** Every connected account; concurrent calls share one sweep. Also forgets cached connection states. */
    resumeAll(): Promise<number> {
      ctx.forgetAccounts();
      sweeping ??= resumeAll().finally(() => {
        sweeping = undefined;
      });
      return sweeping;
    },

    start(): void {
      if (timer) return;
      const tick = () => {
        this.resumeAll().catch((err: unknown) => logger.error({ err: describeError(err) }, 'sweep of waiting messages failed'));
      };
      tick();
      timer = setInterval(tick, sweepEveryMs);
      timer.unref();
    },

    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await sweeping?.catch(() => undefined);
    },
  };
}
