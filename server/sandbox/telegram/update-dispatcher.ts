/**
 * Updates from user actions to bots (telegram.md §2): numbered by one per bot, filtered by the bot's
 * `allowed_updates`, then either POSTed to its webhook or queued for `getUpdates`. Each bot's updates
 * go out one at a time and in order; a refused or failed POST is retried with backoff (1, 2, 4, 8 s),
 * and after the fifth attempt the update stays pending until the next update or `setWebhook` tries
 * again. Telegram retries "a reasonable number of attempts" over up to 24 hours; the emulator's
 * schedule and its single connection per bot (whatever `max_connections` says) are its own [unconfirmed].
 */
import { STATUS_CODES } from 'node:http';
import { postExactBytes } from '../emulator-http.js';
import type { BotApiUpdate, EmulatedUpdateKind } from './bot-api-types.js';
import { LIMITS, type BotState, type EmulatorState, type QueuedUpdate } from './emulator-state.js';
import type { Scheduler, UpdatePoster } from './types.js';

export const MAX_DELIVERY_ATTEMPTS = 5;
const FIRST_RETRY_MS = 1000;
const UPDATE_TTL_MS = 24 * 60 * 60 * 1000;
/** Kinds a bot gets when it names none (§2: message_reaction must be asked for). */
const DEFAULT_EXCLUDED: readonly string[] = ['chat_member', 'message_reaction', 'message_reaction_count'];
const WEBHOOK_TIMEOUT_MS = 10_000;

export const fetchUpdatePoster: UpdatePoster = (url, body, headers) => postExactBytes(url, body, headers, WEBHOOK_TIMEOUT_MS);

export interface DispatcherDeps {
  state: EmulatorState;
  now: () => number;
  schedule: Scheduler;
  postUpdate: UpdatePoster;
}

export function wantsUpdate(bot: BotState, kind: EmulatedUpdateKind): boolean {
  const allowed = bot.allowedUpdates;
  return allowed && allowed.length > 0 ? allowed.includes(kind) : !DEFAULT_EXCLUDED.includes(kind);
}

/** How Telegram words a failed delivery in `last_error_message` [unconfirmed beyond the status form]. */
function describeFailure(status: number | undefined, err: unknown): string {
  if (status !== undefined) return `Wrong response from the webhook: ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'Connection refused';
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'Read timeout expired';
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

export class UpdateDispatcher {
  readonly #inFlight = new Set<number>();
  readonly #retries = new Map<number, { cancel(): void }>();
  readonly #attempts = new Map<number, number>();
  readonly #pollers = new Map<number, Set<() => void>>();
  #idleWaiters: Array<() => void> = [];

  constructor(private readonly deps: DispatcherDeps) {}

  /** Numbers and queues an update for the bot, unless its allowed_updates leave it out; then delivers. */
  enqueue(bot: BotState, kind: EmulatedUpdateKind, payload: Omit<BotApiUpdate, 'update_id'>): BotApiUpdate | undefined {
    if (!wantsUpdate(bot, kind)) return undefined;
    const update: BotApiUpdate = { update_id: bot.nextUpdateId++, ...payload };
    bot.pending.push({ kind, update, queuedAt: this.deps.now() });
    if (bot.pending.length > LIMITS.pendingUpdatesPerBot) bot.pending.splice(0, bot.pending.length - LIMITS.pendingUpdatesPerBot);
    for (const wake of this.#pollers.get(bot.id) ?? []) wake();
    this.kick(bot);
    return update;
  }

  /** Starts delivering the bot's pending updates unless a POST or a retry is already under way. */
  kick(bot: BotState): void {
    if (!bot.webhook || this.#inFlight.has(bot.id) || this.#retries.has(bot.id)) return;
    this.#dropExpired(bot);
    const head = bot.pending[0];
    if (head) void this.#deliver(bot, head, bot.webhook.url, bot.webhook.secretToken);
  }

  /** After setWebhook or deleteWebhook: forget retry state and start afresh. */
  restart(bot: BotState): void {
    this.#retries.get(bot.id)?.cancel();
    this.#retries.delete(bot.id);
    this.#attempts.delete(bot.id);
    this.kick(bot);
  }

  /** getUpdates: confirms updates below `offset` (a negative one keeps the last -offset), returns up to `limit`. */
  take(bot: BotState, offset: number | undefined, limit: number): BotApiUpdate[] {
    this.#dropExpired(bot);
    if (offset !== undefined && offset < 0) bot.pending.splice(0, Math.max(0, bot.pending.length + offset));
    else if (offset !== undefined) bot.pending = bot.pending.filter((q) => q.update.update_id >= offset);
    return bot.pending.slice(0, limit).map((q) => structuredClone(q.update));
  }

  /** Resolves when an update is queued for the bot, or after `timeoutMs`. */
  waitForUpdate(bot: BotState, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.#pollers.get(bot.id) ?? new Set<() => void>();
      this.#pollers.set(bot.id, waiters);
      const timer = this.deps.schedule(() => done(), timeoutMs);
      const done = () => {
        timer.cancel();
        waiters.delete(done);
        if (waiters.size === 0) this.#pollers.delete(bot.id);
        resolve();
      };
      waiters.add(done);
    });
  }

  /** Resolves once no webhook POST is in flight (scheduled retries do not count). */
  idle(): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  reset(): void {
    for (const r of this.#retries.values()) r.cancel();
    this.#retries.clear();
    this.#attempts.clear();
    for (const waiters of this.#pollers.values()) for (const wake of waiters) wake();
  }

  #dropExpired(bot: BotState): void {
    const cutoff = this.deps.now() - UPDATE_TTL_MS;
    const firstFresh = bot.pending.findIndex((q) => q.queuedAt >= cutoff);
    bot.pending.splice(0, firstFresh < 0 ? bot.pending.length : firstFresh);
  }

  async #deliver(bot: BotState, head: QueuedUpdate, url: string, secretToken: string | undefined): Promise<void> {
    const { state, now, postUpdate } = this.deps;
    this.#inFlight.add(bot.id);
    const attempt = (this.#attempts.get(bot.id) ?? 0) + 1;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (secretToken !== undefined) headers['X-Telegram-Bot-Api-Secret-Token'] = secretToken;
    let status: number | undefined;
    let failure: unknown;
    try {
      status = await postUpdate(url, Buffer.from(JSON.stringify(head.update), 'utf8'), headers);
    } catch (err) {
      failure = err;
    }
    const ok = status !== undefined && status >= 200 && status < 300;
    const error = ok ? undefined : describeFailure(status, failure);
    state.logWebhookAttempt({ botId: bot.id, updateId: head.update.update_id, url, attempt, at: now(), ...(status !== undefined ? { status } : {}), ...(error ? { error } : {}) });
    this.#inFlight.delete(bot.id);
    if (ok) {
      if (bot.pending[0] === head) bot.pending.shift();
      this.#attempts.delete(bot.id);
      this.kick(bot);
    } else {
      bot.lastErrorDate = Math.floor(now() / 1000);
      bot.lastErrorMessage = error;
      if (attempt < MAX_DELIVERY_ATTEMPTS) {
        this.#attempts.set(bot.id, attempt);
        const retry = this.deps.schedule(() => {
          this.#retries.delete(bot.id);
          this.kick(bot);
        }, FIRST_RETRY_MS * 2 ** (attempt - 1));
        this.#retries.set(bot.id, retry);
      } else {
        this.#attempts.delete(bot.id);
      }
    }
    if (this.#inFlight.size === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
