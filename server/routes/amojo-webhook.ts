/**
 * `POST /amojo/webhook/:scope_id` (product.md): verify the signature over the raw bytes, find the
 * connection, parse the hook, store it with its processing job, and only then answer 200. All
 * processing happens later in jobs, so the answer comes far inside amoCRM's 5-second budget.
 */
import express, { Router, type Request, type Response } from 'express';
import { verifyWebhookSignature } from '../amojo/signing.js';
import { HookParseError, hookDedupeKey, parseHook, type HookEvent } from '../amojo/webhook-parse.js';
import { createBatcher } from '../store/batcher.js';
import type { InboundEvent } from '../store/inbound-repo.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../log.js';

/** Hooks carry links, not files: anything larger is refused. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** The job kind that processes a stored hook; its payload is `HookJobPayload`. */
export const HOOK_JOB_KIND = 'amojo.hook';

export interface HookJobPayload {
  scopeId: string;
  accountId: number;
  event: HookEvent;
}

export interface WebhookIntakeOptions {
  channelSecret: string;
  store: Store;
  logger: Logger;
  now: () => number;
  /** Called after new events were committed (wakes the job runner). */
  onStored?: () => void;
}

export type WebhookIntake = ReturnType<typeof createWebhookIntake>;

export function createWebhookIntake(opts: WebhookIntakeOptions) {
  const { store, logger } = opts;
  const batcher = createBatcher<InboundEvent, boolean>(async (events) => {
    const fresh = await store.inbound.recordBatch(events);
    if (fresh.size > 0) opts.onStored?.();
    return events.map((e) => fresh.has(e.dedupeKey));
  });
  // Scope → account lookups are on every hook; connections change rarely, so keep them briefly.
  const scopeCache = new Map<string, { accountId: number | undefined; until: number }>();
  const SCOPE_TTL_MS = 5_000;

  async function accountForScope(scopeId: string): Promise<number | undefined> {
    const t = opts.now();
    const hit = scopeCache.get(scopeId);
    if (hit && hit.until > t) return hit.accountId;
    const account = await store.accounts.getByScope(scopeId);
    const accountId = account && account.connection_state === 'connected' ? account.id : undefined;
    scopeCache.set(scopeId, { accountId, until: t + SCOPE_TTL_MS });
    return accountId;
  }

  return {
    /** Forget cached scope lookups (after connect / disconnect). */
    invalidateScope(scopeId?: string) {
      if (scopeId) scopeCache.delete(scopeId);
      else scopeCache.clear();
    },
    /** Waits until every acknowledged hook is committed (shutdown). */
    drain: () => batcher.drain(),

    async handle(req: Request, res: Response): Promise<void> {
      const scopeId = String(req.params['scope_id'] ?? '');
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!verifyWebhookSignature(opts.channelSecret, raw, req.get('x-signature'))) {
        res.status(401).json({ error: 'bad_signature', message: 'X-Signature does not match the body.' });
        return;
      }
      const accountId = await accountForScope(scopeId);
      if (accountId === undefined) {
        res.status(404).json({ error: 'unknown_scope', message: 'No connected account has this scope_id.' });
        return;
      }
      let event: HookEvent;
      try {
        event = parseHook(JSON.parse(raw.toString('utf8')), opts.now());
      } catch (err) {
        const message = err instanceof HookParseError ? err.message : 'The body is not JSON.';
        res.status(400).json({ error: 'invalid_hook', message });
        return;
      }
      const payload: HookJobPayload = { scopeId, accountId, event };
      const dedupeKey = hookDedupeKey(event);
      const fresh = await batcher.submit({
        dedupeKey,
        scopeId,
        kind: event.kind,
        // One queue per amojo chat keeps a conversation's hooks in order.
        // No idempotency key: the dedupe key above already guarantees one job per event.
        job: { kind: HOOK_JOB_KIND, payload, queueKey: `chat:${event.amojoChatId}` },
      });
      if (!fresh) logger.debug({ scopeId, dedupeKey }, 'repeated hook ignored');
      res.status(200).json({ status: 'ok' });
    },
  };
}

export function createAmojoWebhookRouter(intake: WebhookIntake): Router {
  const router = Router();
  router.post(
    '/amojo/webhook/:scope_id',
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    (req, res) => intake.handle(req, res),
  );
  return router;
}
