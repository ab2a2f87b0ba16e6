/**
 * `POST /amojo/webhook/:scope_id` (product.md): verify the signature over the raw bytes, find the
 * connection, parse the hook, store it durably in the webhook inbox, and only then answer 200.
 * The job runner moves it into a job (dropping repeats) and processes it later, so the answer
 * comes far inside amoCRM's 5-second budget.
 */
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { verifyWebhookSignature } from '../amojo/signing.js';
import { HookParseError, hookDedupeKey, parseHook, type HookEvent } from '../amojo/webhook-parse.js';
import { AppError } from '../errors.js';
import type { LaneRoute } from '../http/fast-lane.js';
import { createRateMeter } from '../http/rate-meter.js';
import { isPlainSizedBody, rawBody, readSizedBody } from '../http/raw-body.js';
import { createBatcher } from '../store/batcher.js';
import type { InboundEvent } from '../store/inbound-repo.js';
import type { Store } from '../store/index.js';

/** Hooks carry links, not files: anything larger is refused. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** The job kind that processes a stored hook; its payload is `HookJobPayload`. */
export const HOOK_JOB_KIND = 'amojo.hook';

const OK = Buffer.from(JSON.stringify({ status: 'ok' }));

/**
 * Writes an answer directly. amoCRM reads only the status, so Express's response helpers (ETag,
 * content negotiation) buy nothing here, and on this, the busiest route, they cost about 8% of
 * each request's CPU time (`npm run bench`).
 */
function answer(res: ServerResponse, status: number, body: Buffer | Record<string, string>): void {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
  res.end(bytes);
}

export interface HookJobPayload {
  scopeId: string;
  accountId: number;
  /** The platform whose channel the scope belongs to. */
  platform: string;
  event: HookEvent;
}

/** A Chats API channel this server runs: its id (the prefix of its scopes), secret and platform. */
export interface HookChannel {
  id: string;
  secret: string;
  platform: string;
  /** The account's first channel: its connections live on the accounts row. */
  isFirst: boolean;
}

/** Finds the account connected on a channel beyond the first by scope (`store.channelLinks`). */
export interface WebhookIntakeOptions {
  /** Every channel; a hook is verified with the secret of the channel its scope starts with. */
  channels: readonly HookChannel[];
  store: Store;
  now: () => number;
  /** Called after new events were committed (wakes the job runner). */
  onStored?: () => void;
  /** Counts hooks answered 200 (metrics); runs on every hook, so it must not allocate. */
  onAccepted?: () => void;
  /** Counts refused hooks by the error code they were answered with (`WEBHOOK_REFUSAL_REASONS`). */
  onRefused?: (reason: WebhookRefusalReason) => void;
}

/** Every error code a hook can be answered with. */
export const WEBHOOK_REFUSAL_REASONS = [
  'bad_signature',
  'unknown_scope',
  'invalid_hook',
  'payload_too_large',
  'unsupported_media_type',
  'internal_error',
] as const;
export type WebhookRefusalReason = (typeof WEBHOOK_REFUSAL_REASONS)[number];

const isRefusalReason = (code: string): code is WebhookRefusalReason => (WEBHOOK_REFUSAL_REASONS as readonly string[]).includes(code);

export type WebhookIntake = ReturnType<typeof createWebhookIntake>;

export function createWebhookIntake(opts: WebhookIntakeOptions) {
  const { store } = opts;
  const batcher = createBatcher<InboundEvent, void>(async (events) => {
    await store.inbound.record(events);
    opts.onStored?.();
    return events.map(() => undefined);
  });
  // Hooks answered per second: while a burst lasts, the job runner leaves the CPU to the answers.
  const answered = createRateMeter(opts.now);
  // Scope → account lookups are on every hook; connections change rarely, so keep them briefly.
  // A connection change on any instance clears them at once (`invalidateScope`, also called for
  // other instances' `account` notifications); the TTL only bounds a missed notification.
  const scopeCache = new Map<string, { accountId: number | undefined; until: number }>();
  const SCOPE_TTL_MS = 5_000;
  const firstChannel = opts.channels.find((c) => c.isFirst);

  /** The channel a scope belongs to (`{channel_id}_{amojo_id}`); the first channel's when none claims it. */
  function channelOf(scopeId: string): HookChannel | undefined {
    return opts.channels.find((c) => scopeId.startsWith(`${c.id}_`)) ?? firstChannel;
  }

  async function accountForScope(scopeId: string, channel: HookChannel): Promise<number | undefined> {
    const t = opts.now();
    const hit = scopeCache.get(scopeId);
    if (hit && hit.until > t) return hit.accountId;
    let accountId: number | undefined;
    if (channel.isFirst) {
      const account = await store.accounts.getByScope(scopeId);
      accountId = account && account.connection_state === 'connected' ? account.id : undefined;
    } else {
      const link = await store.channelLinks.getByScope(scopeId);
      accountId = link && link.platform === channel.platform && link.state === 'connected' ? link.accountId : undefined;
    }
    // Made-up scope ids are remembered too (as unknown); the bound keeps them from piling up.
    if (scopeCache.size >= 10_000) scopeCache.clear();
    scopeCache.set(scopeId, { accountId, until: t + SCOPE_TTL_MS });
    return accountId;
  }

  return {
    /** Forget cached scope lookups (after connect / disconnect). */
    invalidateScope(scopeId?: string) {
      if (scopeId) scopeCache.delete(scopeId);
      else scopeCache.clear();
    },
    /** Stored hooks answered per second, just now. */
    hookRate: () => answered.perSecond(),
    /** Waits until every acknowledged hook is committed (shutdown). */
    drain: () => batcher.drain(),
    /**
     * Stores another platform's webhook event (a Telegram update) in the same inbox; resolves once
     * it is on disk, so the caller may answer 200. It goes through the store's group commit, with
     * the messages and jobs of the moment: cheaper per event than the amojo hooks' own commit,
     * which is kept for their answer time (amoCRM waits 5 seconds, never retries).
     */
    async record(event: InboundEvent): Promise<void> {
      await store.inbound.recordShared(event);
      opts.onStored?.();
    },
    /** Counts a hook refused before `handle` (body too large, compressed) or failing inside it. */
    refused(err: unknown) {
      const code = err instanceof AppError ? err.code : 'internal_error';
      opts.onRefused?.(isRefusalReason(code) ? code : 'internal_error');
    },

    /** Answers one hook: `raw` is its exact body, `signature` its X-Signature header. */
    async handle(scopeId: string, raw: Buffer, signature: string | undefined, res: ServerResponse): Promise<void> {
      const channel = channelOf(scopeId);
      if (!channel || !verifyWebhookSignature(channel.secret, raw, signature)) {
        opts.onRefused?.('bad_signature');
        answer(res, 401, { error: 'bad_signature', message: 'X-Signature does not match the body.' });
        return;
      }
      const accountId = await accountForScope(scopeId, channel);
      if (accountId === undefined) {
        opts.onRefused?.('unknown_scope');
        answer(res, 404, { error: 'unknown_scope', message: 'No connected account has this scope_id.' });
        return;
      }
      let event: HookEvent;
      try {
        event = parseHook(JSON.parse(raw.toString('utf8')), opts.now());
      } catch (err) {
        const message = err instanceof HookParseError ? err.message : 'The body is not JSON.';
        opts.onRefused?.('invalid_hook');
        answer(res, 400, { error: 'invalid_hook', message });
        return;
      }
      const payload: HookJobPayload = { scopeId, accountId, platform: channel.platform, event };
      await batcher.submit({
        // A repeat of this hook has the same key and is dropped when hooks become jobs.
        dedupeKey: hookDedupeKey(event),
        scopeId,
        kind: event.kind,
        // One queue per amojo chat keeps a conversation's hooks in order.
        job: { kind: HOOK_JOB_KIND, payload, queueKey: `chat:${event.amojoChatId}` },
      });
      answered.mark();
      opts.onAccepted?.();
      answer(res, 200, OK);
    },
  };
}

export const AMOJO_WEBHOOK_PATH = '/amojo/webhook/:scope_id';

/** The route's handlers, for `app.post(AMOJO_WEBHOOK_PATH, …)`. */
export function amojoWebhookHandlers(intake: WebhookIntake): Array<RequestHandler | ErrorRequestHandler> {
  // Errors of the body reader and of `handle` are counted here, then answered by the app's error handler.
  const countRefusal: ErrorRequestHandler = (err, _req, _res, next) => {
    intake.refused(err);
    next(err);
  };
  const handle: RequestHandler = (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    return intake.handle(String(req.params['scope_id'] ?? ''), raw, req.get('x-signature'), res);
  };
  return [rawBody(WEBHOOK_BODY_LIMIT), handle, countRefusal];
}

/**
 * The same route in the fast lane (server/http/fast-lane.ts), which serves nearly every hook. A
 * compressed, unsized or oversize body goes on to the Express route above, which refuses it
 * (415, 413) exactly as it always has.
 */
export function amojoWebhookLane(intake: WebhookIntake): LaneRoute {
  return {
    prefix: '/amojo/webhook/',
    handle(req, res, lane) {
      if (!isPlainSizedBody(req, WEBHOOK_BODY_LIMIT)) {
        lane.fallThrough();
        return;
      }
      const signature = req.headers['x-signature'];
      readSizedBody(req, (raw) => {
        intake.handle(lane.param, raw, typeof signature === 'string' ? signature : undefined, res).catch((err: unknown) => {
          intake.refused(err);
          lane.fail(err);
        });
      });
    },
  };
}
