/**
 * `GET` / `PUT /widget/settings`, `GET /widget/pipelines` (product.md) and
 * `POST /widget/identity-secret/rotate` (README): the bubble's settings,
 * the pipeline each channel's new chats go to, and, for admins only, the identity secret. The
 * one-time token names the account; a change is an admin's and spends the token.
 *
 * Choosing a channel's pipeline creates that channel's source in amoCRM (or moves the existing one
 * to the new pipeline): every message of the channel carries the source's `external_id`, so a new
 * chat's lead lands in that pipeline. Leads already made stay where they are, and a chat amoCRM has
 * bound to the source never goes back to the default source, so a pipeline once chosen can be
 * changed but not cleared.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { invalidFields, parseEveryField } from '../http/validate.js';
import type { AmocrmClient } from '../amocrm/client.js';
import type { ChannelSources, SettingsRepo } from '../store/settings-repo.js';
import { createWidgetAuth, type WidgetAuthDeps } from './widget.js';

/** The bubble's settings rules (defaults, validation), given by the website-chat platform. */
export interface BubbleSettingsRules {
  patchSchema: z.ZodType<Record<string, unknown>>;
  /** `stored` with `patch` applied, and the whole settings. */
  apply(stored: Record<string, unknown>, patch: Record<string, unknown>): { stored: Record<string, unknown>; settings: Record<string, unknown> };
  /** The whole settings from what was stored. */
  of(stored: Record<string, unknown>): Record<string, unknown>;
  /** Sentences `field: problem` about the settings as a whole. */
  problems(settings: Record<string, unknown>): string[];
}

/** A channel whose chats can be routed: its platform kind, its amoCRM channel code and title. */
export interface RoutableChannel {
  kind: 'webchat' | 'telegram';
  code: string;
  title: string;
}

export interface WidgetSettingsDeps extends WidgetAuthDeps {
  amocrm: WidgetAuthDeps['amocrm'] & Pick<AmocrmClient, 'listPipelines' | 'putSource'>;
  store: WidgetAuthDeps['store'] & { settings: SettingsRepo };
  /** The channels this server runs (Telegram only when its platform is on). */
  channels: RoutableChannel[];
  bubble: BubbleSettingsRules;
  /** Settings of the account were saved (a pipeline's source, the bubble): what was cached of them is read again. */
  onSaved?(accountId: number): void;
}

const CHANNEL_KINDS = ['webchat', 'telegram'] as const;
type ChannelKind = (typeof CHANNEL_KINDS)[number];

const pipelineId = z.number().int('must be a pipeline id').positive('must be a pipeline id').nullable();
const putBody = z
  .object({
    webchat: z.unknown().optional(),
    pipeline_id: z.object({ webchat: pipelineId, telegram: pipelineId }).partial().strict().optional(),
  })
  .strict();

/** Our `external_id` of a channel's source: fixed once created, unique per account (≤ 36 ASCII). */
export const sourceExternalId = (kind: ChannelKind): string => `chat-channel-${kind}`;

export interface WidgetSettingsBody {
  webchat: Record<string, unknown>;
  pipeline_id: Record<ChannelKind, number | null>;
  identity_secret?: string;
}

export function createWidgetSettingsRouter(deps: WidgetSettingsDeps): Router {
  const { authenticate, isAdmin, requireAdmin, spend } = createWidgetAuth(deps);
  const router = Router();
  const channelOf = (kind: ChannelKind) => deps.channels.find((c) => c.kind === kind);

  async function answer(accountId: number, admin: boolean): Promise<WidgetSettingsBody> {
    const s = await deps.store.settings.get(accountId);
    const pipelineOf = (kind: ChannelKind) => (channelOf(kind) ? (s.sources[kind]?.pipelineId ?? null) : null);
    return {
      webchat: deps.bubble.of(s.webchat),
      pipeline_id: { webchat: pipelineOf('webchat'), telegram: pipelineOf('telegram') },
      ...(admin ? { identity_secret: s.identitySecret } : {}),
    };
  }

  router.get('/widget/settings', async (req, res) => {
    const claims = await authenticate(req);
    res.json(await answer(claims.accountId, await isAdmin(claims)));
  });

  router.get('/widget/pipelines', async (req, res) => {
    const claims = await authenticate(req);
    const pipelines = await deps.amocrm.listPipelines(claims.accountId);
    res.json({ pipelines: pipelines.map((p) => ({ id: p.id, name: p.name, is_main: p.isMain })) });
  });

  router.put('/widget/settings', express.json({ limit: '32kb' }), async (req, res) => {
    const claims = await authenticate(req);
    const body = parseEveryField(putBody, req.body ?? {});
    const patch = body.webchat === undefined ? undefined : parseEveryField(deps.bubble.patchSchema, body.webchat, 'webchat.');
    await requireAdmin(claims, 'Only administrators of the account can change the settings.');
    const stored = await deps.store.settings.get(claims.accountId);
    const bubble = patch ? deps.bubble.apply(stored.webchat, patch) : undefined;
    const problems = bubble ? deps.bubble.problems(bubble.settings) : [];
    const moves = await plannedMoves(claims.accountId, stored.sources, body.pipeline_id ?? {}, problems);
    if (problems.length > 0) throw invalidFields(problems);
    await spend(claims);

    // Each source is recorded as soon as amoCRM has it, so what amoCRM did is never forgotten.
    const sources: ChannelSources = { ...stored.sources };
    for (const { channel, pipelineId: id } of moves) {
      const source = await deps.amocrm.putSource(claims.accountId, { externalId: sourceExternalId(channel.kind), name: channel.title, pipelineId: id, originCode: channel.code });
      sources[channel.kind] = { pipelineId: id, sourceId: source.id, externalId: source.externalId };
      await deps.store.settings.save(claims.accountId, { sources });
      deps.onSaved?.(claims.accountId);
    }
    if (bubble) {
      await deps.store.settings.save(claims.accountId, { webchat: bubble.stored });
      deps.onSaved?.(claims.accountId);
    }
    res.json(await answer(claims.accountId, true));
  });

  // Signed-in visitors' hashes made with the old secret stop working: the site must use the new one.
  router.post('/widget/identity-secret/rotate', async (req, res) => {
    const claims = await authenticate(req);
    await requireAdmin(claims, 'Only administrators of the account can make a new identity secret.');
    await spend(claims);
    await deps.store.settings.rotateIdentitySecret(claims.accountId);
    res.json(await answer(claims.accountId, true));
  });

  /** The sources to create or move; refusals go into `problems` (nothing is written then). */
  async function plannedMoves(accountId: number, current: ChannelSources, wanted: Partial<Record<ChannelKind, number | null>>, problems: string[]) {
    const moves: { channel: RoutableChannel; pipelineId: number }[] = [];
    let pipelines: Set<number> | undefined;
    for (const kind of CHANNEL_KINDS) {
      const id = wanted[kind];
      if (id === undefined || id === (current[kind]?.pipelineId ?? null)) continue;
      const channel = channelOf(kind);
      if (!channel) {
        problems.push(`pipeline_id.${kind}: this channel is not set up on this server`);
      } else if (id === null) {
        problems.push(`pipeline_id.${kind}: a pipeline once chosen can be changed but not cleared (chats already routed stay bound to it)`);
      } else {
        pipelines ??= new Set((await deps.amocrm.listPipelines(accountId)).map((p) => p.id));
        if (pipelines.has(id)) moves.push({ channel, pipelineId: id });
        else problems.push(`pipeline_id.${kind}: the account has no pipeline ${id}`);
      }
    }
    return moves;
  }

  return router;
}
