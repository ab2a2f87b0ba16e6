/**
 * `POST /telegram/webhook/:bot_id` (product.md): Telegram signs nothing, so the secret header is the
 * only proof of origin (telegram.md §2, §7): compared in constant time with the secret we gave
 * `setWebhook`, before the body is read. A verified Update is stored durably in the webhook inbox
 * (with the amojo hooks) before the 200; its `update_id` is its dedupe key, so a repeat has no
 * second effect. Processing happens in a job, in order per chat; while more updates are stored than
 * the jobs take, the answer waits a little (backlog-gate.ts), so Telegram sends at the pace they do.
 *
 * Arrival order is chat order: however many connections `max_connections` allows, the Bot API server
 * keeps one queue per chat for messages and their edits and sends a queue's next update only after
 * the previous one was answered with success (tdlib/telegram-bot-api, WebhookActor: `queue_updates_`,
 * `drop_event`; Client: `add_message_update` with the chat id as queue). So a chat's messages are
 * stored in `update_id` order even with answers held by the gate. Reactions and button presses travel
 * in queues of their own and can overtake a message; each names the message it is about.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import express, { Router, type Request, type Response } from 'express';
import type { LaneRoute } from '../../http/fast-lane.js';
import { prepareJson, sendPreparedJson, type PreparedJson } from '../../http/json-answer.js';
import { isPlainSizedBody, readSizedBody } from '../../http/raw-body.js';
import type { BacklogGate } from '../../http/backlog-gate.js';
import type { BotDirectory, ConnectedBot } from './bots.js';
import { telegramUpdate } from './schema.js';
import { UPDATE_JOB_KIND } from './update-job.js';

/** Updates carry file ids, not files. */
const BODY_LIMIT = 1024 * 1024;

/** Where accepted updates go (the store's webhook inbox). */
export interface UpdateInbox {
  /** Resolves once the update is on disk. */
  record(entry: { dedupeKey: string; scopeId: string; kind: string; job: { kind: string; payload: unknown; queueKey: string } }): Promise<void>;
  /** Stored work of `jobKind` not yet taken by a job, counted up to about `cap`. */
  backlog(jobKind: string, cap: number): Promise<number>;
}

/** What the intake needs: the bots, the inbox, and the gate that paces answers to the processing. */
export interface IntakeDeps {
  bots: BotDirectory;
  inbox: UpdateInbox;
  gate: BacklogGate;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Equal-length digests keep the comparison constant-time whatever the header's length. */
export function secretMatches(expected: string, given: string | undefined): boolean {
  return given !== undefined && timingSafeEqual(digest(expected), digest(given));
}

type Answer = { status: number; body: PreparedJson };

const OK: Answer = { status: 200, body: prepareJson({ ok: true }) };
const UNKNOWN_BOT: Answer = { status: 404, body: prepareJson({ error: 'unknown_bot', message: 'No connected account uses this bot.' }) };
const BAD_SECRET: Answer = { status: 401, body: prepareJson({ error: 'bad_secret', message: 'X-Telegram-Bot-Api-Secret-Token does not match.' }) };
const INVALID_UPDATE: Answer = { status: 400, body: prepareJson({ error: 'invalid_update', message: 'The body is not a Telegram Update.' }) };

function send(res: ServerResponse, answer: Answer): void {
  sendPreparedJson(res, answer.status, answer.body);
}

/**
 * What both the Express route and the fast lane do: the bot and its secret are checked before the
 * body is read (`check`), a parsed body is validated and stored (`accept`).
 */
function createIntake(deps: IntakeDeps) {
  return {
    async check(botId: string, secret: string | undefined): Promise<ConnectedBot | Answer> {
      const bot = /^\d{1,20}$/.test(botId) ? await deps.bots.byBotId(botId) : undefined;
      if (!bot) return UNKNOWN_BOT;
      if (!secretMatches(bot.webhookSecret, secret)) return BAD_SECRET;
      return bot;
    },
    async accept(bot: ConnectedBot, body: unknown): Promise<Answer> {
      const parsed = telegramUpdate.safeParse(body);
      if (!parsed.success) return INVALID_UPDATE;
      const update = parsed.data;
      const chatId = update.message?.chat.id ?? update.edited_message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.message_reaction?.chat.id ?? 0;
      await deps.inbox.record({
        dedupeKey: `telegram:${bot.botId}:${update.update_id}`,
        scopeId: `telegram:${bot.botId}`,
        kind: 'telegram_update',
        // One queue per chat keeps a person's messages, edits and presses in order.
        job: { kind: UPDATE_JOB_KIND, payload: { accountId: bot.accountId, botId: bot.botId, update: body }, queueKey: `tg:${bot.botId}:${chatId}` },
      });
      await deps.gate.pass();
      return OK;
    },
  };
}

const isAnswer = (v: ConnectedBot | Answer): v is Answer => 'status' in v && 'body' in v;

export function createWebhookRouter(deps: IntakeDeps): Router {
  const router = Router();
  const json = express.json({ limit: BODY_LIMIT, type: () => true });
  const intake = createIntake(deps);

  router.post(
    '/telegram/webhook/:bot_id',
    async (req: Request, res: Response, next) => {
      const checked = await intake.check(String(req.params['bot_id'] ?? ''), req.get('x-telegram-bot-api-secret-token'));
      if (isAnswer(checked)) return send(res, checked);
      res.locals['bot'] = checked;
      next();
    },
    json,
    async (req: Request, res: Response) => send(res, await intake.accept(res.locals['bot'] as ConnectedBot, req.body)),
  );
  return router;
}

/** Leading whitespace JSON allows (what express.json's strict mode skips before its first-character check). */
const FIRST_CHAR = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/;

/**
 * The body as express.json (strict, UTF-8) reads it: an empty body is `{}`, a byte-order mark is
 * dropped, and only an object or array is JSON. Throws what express.json passes on, a 400 the
 * error handler answers as `invalid_json`.
 */
function parseJsonBody(raw: Buffer): unknown {
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = FIRST_CHAR.exec(text)?.[1];
  try {
    if (first !== '{' && first !== '[') throw new SyntaxError('strict violation');
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw Object.assign(new SyntaxError(err instanceof Error ? err.message : 'invalid JSON'), { status: 400, statusCode: 400, expose: true, type: 'entity.parse.failed' });
  }
}

/** A client that went away mid-body, as express.json reports it (the error handler logs it as a client error). */
const abortedError = () => Object.assign(new Error('request aborted'), { status: 400, statusCode: 400, expose: true, type: 'request.aborted', code: 'ECONNABORTED' });

/**
 * The same route in the fast lane (server/http/fast-lane.ts). It takes the body Telegram sends:
 * uncompressed, sized within the limit, typed `application/json` without parameters; any other
 * body (a charset, a Content-Encoding, no Content-Length) goes on to the Express route above, whose
 * parser answers it as it always has.
 */
export function telegramWebhookLane(deps: IntakeDeps): LaneRoute {
  const intake = createIntake(deps);
  return {
    prefix: '/telegram/webhook/',
    handle(req, res, lane) {
      const type = req.headers['content-type'];
      const plainType = type === undefined || type.toLowerCase() === 'application/json';
      if (!plainType || req.headers['content-encoding'] !== undefined || !isPlainSizedBody(req, BODY_LIMIT)) {
        lane.fallThrough();
        return;
      }
      const secret = req.headers['x-telegram-bot-api-secret-token'];
      intake
        .check(lane.param, typeof secret === 'string' ? secret : undefined)
        .then((checked) => {
          if (isAnswer(checked)) return send(res, checked);
          req.once('close', () => {
            if (!req.complete) lane.fail(abortedError());
          });
          readSizedBody(req, (raw) => {
            let body: unknown;
            try {
              body = parseJsonBody(raw);
            } catch (err) {
              lane.fail(err);
              return;
            }
            intake.accept(checked, body).then((answer) => send(res, answer), lane.fail);
          });
        })
        .catch(lane.fail);
    },
  };
}
